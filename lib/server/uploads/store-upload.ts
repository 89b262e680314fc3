import 'server-only';
import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { LookaheadError } from '@/lib/core/errors';
import { parseCsv } from '@/lib/data/csv';
import { getUploadedSource, saveUploadedSource, type DatabaseHandle, type UploadedSource } from '@/db';

/**
 * A CSV upload kept as a source: parsed with the shared CSV reader, written as parquet (timestamp,
 * numeric and text columns) into the upload directory, and registered in the app database. The id
 * comes from the content's sha256, so uploading the same file again returns the same source.
 */
export interface StoreUploadInput {
  bytes: Uint8Array;
  fileName: string;
  name?: string;
}

/** Rows per row group: enough to compress well, small enough that a window reads little. */
const UPLOAD_ROW_GROUP_ROWS = 10_000;

export function uploadIdFor(sha256: string): string {
  return `upload-${sha256.slice(0, 16)}`;
}

export function uploadFileName(id: string): string {
  return `${id}.parquet`;
}

export async function storeCsvUpload(
  input: StoreUploadInput,
  { handle, uploadDir, maxBytes }: { handle: DatabaseHandle; uploadDir: string; maxBytes: number },
): Promise<{ upload: UploadedSource; created: boolean }> {
  if (input.bytes.byteLength > maxBytes) {
    throw new LookaheadError('upload', 'too_large', `"${input.fileName}" is ${input.bytes.byteLength} bytes; uploads are limited to ${maxBytes} bytes`);
  }
  if (input.bytes.byteLength === 0) throw new LookaheadError('upload', 'bad_input', `"${input.fileName}" is empty`);
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  const id = uploadIdFor(sha256);
  const existing = await getUploadedSource({ handle, id });
  const storedFileName = uploadFileName(id);
  const target = path.join(uploadDir, storedFileName);
  if (existing && (await stat(target).catch(() => null))) return { upload: existing, created: false };

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(input.bytes);
  } catch (error) {
    throw new LookaheadError('upload', 'bad_input', `"${input.fileName}" is not UTF-8 text; save the CSV as UTF-8`, { cause: error });
  }
  const name = input.name?.trim() || input.fileName.replace(/\.[^.]+$/, '') || id;
  const table = parseCsv(text, { name });
  if (!table.timestampsMs || !table.timestampColumn) {
    throw new LookaheadError('upload', 'bad_input', `"${input.fileName}" has no timestamp column; a stored source needs one (e.g. a "date" column with 2024-01-31 or 2024-01-31T12:00:00Z)`);
  }
  const timestampsMs = table.timestampsMs;
  const textColumns = Object.keys(table.text).filter((column) => column !== table.timestampColumn);
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: table.timestampColumn, data: Array.from(timestampsMs), type: 'TIMESTAMP', nullable: false },
      ...table.numericColumns.map((column) => ({
        name: column,
        data: Array.from(table.values[column]!, (value) => (Number.isNaN(value) ? null : value)),
        type: 'DOUBLE' as const,
        nullable: true,
      })),
      ...textColumns.map((column) => ({ name: column, data: table.text[column]!, type: 'STRING' as const, nullable: true })),
    ],
    rowGroupSize: UPLOAD_ROW_GROUP_ROWS,
  });
  await mkdir(uploadDir, { recursive: true });
  // Write then rename: a reader never sees half a file.
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, new Uint8Array(buffer));
  await rename(temporary, target);

  const upload = {
    id,
    name,
    originalFileName: input.fileName.slice(0, 255),
    storedFileName,
    sha256,
    sizeBytes: buffer.byteLength,
    rowCount: table.rowCount,
    timestampColumn: table.timestampColumn,
    columns: table.numericColumns,
    textColumns,
    frequency: table.frequency?.label ?? null,
    startTs: table.rowCount ? new Date(timestampsMs[0]!) : null,
    endTs: table.rowCount ? new Date(timestampsMs[table.rowCount - 1]!) : null,
    warnings: table.warnings,
  };
  const created = await saveUploadedSource({ handle, upload });
  return { upload: (await getUploadedSource({ handle, id }))!, created: created || !existing };
}
