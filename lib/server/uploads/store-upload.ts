import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { LookaheadError } from '@/lib/core/errors';
import { parseCsv } from '@/lib/data/csv';
import { deleteUploadedSource, getUploadedSource, listUploadedSources, saveUploadedSource, type DatabaseHandle, type UploadedSource } from '@/db';

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

/** Widest CSV stored (a time column and the series of one table). */
const MAX_UPLOAD_COLUMNS = 1_000;

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
  // A wide header costs a parquet column chunk per column: refuse it before parsing anything.
  const headerEnd = text.indexOf('\n');
  const headerColumns = (headerEnd === -1 ? text : text.slice(0, headerEnd)).split(',').length;
  if (headerColumns > MAX_UPLOAD_COLUMNS) {
    throw new LookaheadError('upload', 'bad_input', `"${input.fileName}" has ${headerColumns} columns; uploads may have at most ${MAX_UPLOAD_COLUMNS}: keep the time column and the series you need`);
  }
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
  const quota = uploadQuotaBytes();
  const stored = (await listUploadedSources({ handle })).reduce((sum, upload) => sum + upload.sizeBytes, 0);
  if (stored + buffer.byteLength > quota) {
    throw new LookaheadError('upload', 'too_large', `storing "${input.fileName}" (${buffer.byteLength} bytes as parquet) would pass the upload quota: ${stored} of ${quota} bytes are in use (LOOKAHEAD_UPLOAD_QUOTA_BYTES); delete uploads with DELETE /api/uploads/<id>`, {
      details: { storedBytes: stored, quotaBytes: quota },
    });
  }
  await mkdir(uploadDir, { recursive: true });
  // Write to a name no other request uses, then rename: a reader never sees half a file, two
  // uploads of the same file never write into one temp file, and a failed write (disk full)
  // leaves nothing behind.
  const temporary = path.join(uploadDir, `.${storedFileName}.${randomUUID()}.tmp`);
  try {
    await writeFile(temporary, new Uint8Array(buffer), { flag: 'wx' });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new LookaheadError('upload', 'internal', `could not store "${input.fileName}": ${(error as Error).message}`, { cause: error });
  }

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

/** Total parquet bytes all uploads may occupy (LOOKAHEAD_UPLOAD_QUOTA_BYTES, default 1 GiB). */
export function uploadQuotaBytes(env: Record<string, string | undefined> = process.env): number {
  const value = Number(env.LOOKAHEAD_UPLOAD_QUOTA_BYTES ?? 1024 ** 3);
  return Number.isFinite(value) && value > 0 ? value : 1024 ** 3;
}

/** Removes an upload's row and its parquet file; 404 when there is no such upload. */
export async function removeUpload(id: string, { handle, uploadDir }: { handle: DatabaseHandle; uploadDir: string }): Promise<UploadedSource> {
  const upload = /^upload-[0-9a-f]{16}$/.test(id) ? await getUploadedSource({ handle, id }) : null;
  if (!upload) throw new LookaheadError('upload', 'not_found', `no upload "${id.slice(0, 80)}"; ids look like upload-<16 hex digits> (GET /api/sources lists them)`);
  await deleteUploadedSource({ handle, id });
  await rm(path.join(uploadDir, upload.storedFileName), { force: true });
  return upload;
}
