import { LookaheadError } from '@/lib/core/errors';
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

export interface WholeWindowLimit {
  /** Most values (rows x (value columns + 1)) held; the reader stops at the first batch beyond it. */
  maxValues: number;
  /** What is being read, and how to ask for less, for the 413 ("the quality report"). */
  purpose: string;
  /** Called with the rows of every batch read (tests prove the bound with it). */
  onBatch?: (rows: number) => void;
}

/**
 * Reads the whole window into one batch (quality reports, tests); closes the reader. With a
 * limit, reading stops (and the reader closes) as soon as the window outgrows it: a 413 naming
 * the cap, after at most one batch beyond it.
 */
export async function readWholeWindow(reader: WindowReader, limit?: WholeWindowLimit): Promise<WindowBatch> {
  const parts: WindowBatch[] = [];
  let held = 0;
  try {
    for (;;) {
      const batch = await reader.next();
      if (!batch) break;
      limit?.onBatch?.(batch.timestampsMs.length);
      held += batch.timestampsMs.length * (reader.columns.length + 1);
      if (limit && held > limit.maxValues) {
        throw new LookaheadError(
          'sources',
          'too_large',
          `${limit.purpose} reads at most ${limit.maxValues} values (rows x (columns + 1)) and this window holds more; narrow it with start/end or limit, name fewer columns, or downsample with bucket=`,
          { details: { maxValues: limit.maxValues } },
        );
      }
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
