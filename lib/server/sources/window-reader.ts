import type { WindowBatch } from '@/lib/data/arrow-window';

/**
 * A window being read from any source, batch by batch, oldest first. Whoever opens one owns it:
 * `close()` releases the cursor, COPY, connection or file handle, at any point, more than once.
 */
export interface WindowReader {
  /** Value columns in output order (targets, then covariates). */
  columns: string[];
  /** Known frequency of the rows (the bucket when downsampled), or null. */
  frequencyLabel: string | null;
  next(): Promise<WindowBatch | null>;
  close(): Promise<void>;
}

/** Reads the whole window into one batch (quality reports, tests); closes the reader. */
export async function readWholeWindow(reader: WindowReader): Promise<WindowBatch> {
  const parts: WindowBatch[] = [];
  try {
    for (;;) {
      const batch = await reader.next();
      if (!batch) break;
      parts.push(batch);
    }
  } finally {
    await reader.close();
  }
  const rows = parts.reduce((total, part) => total + part.timestampsMs.length, 0);
  const timestampsMs = new Float64Array(rows);
  const columns = Object.fromEntries(reader.columns.map((name) => [name, new Float64Array(rows)]));
  let offset = 0;
  for (const part of parts) {
    timestampsMs.set(part.timestampsMs, offset);
    for (const name of reader.columns) columns[name]!.set(part.columns[name]!, offset);
    offset += part.timestampsMs.length;
  }
  return { timestampsMs, columns };
}
