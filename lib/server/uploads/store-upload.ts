import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LookaheadError } from '@/lib/core/errors';
import { readSeriesCsv, type SeriesTable, type SeriesTableLimits } from '@/lib/data/series-table';
import { isParquetBytes, readSeriesParquet } from '@/lib/data/series-parquet';
import { deleteUploadedSource, getUploadedSource, listUploadedSources, saveUploadWithSeries, type DatabaseHandle, type UploadedSource } from '@/db';
import { seriesTableToParquet } from './series-parquet';

/**
 * A CSV or parquet upload kept as a source: read with the shared reader of one or many series
 * (single, long or wide; lib/data/series-table and series-parquet), written as one parquet file sorted by series then time (series-parquet.ts), and
 * registered in the app database with its series, all or nothing. The id comes from the content's
 * sha256, so uploading the same file again returns the same source.
 */
export interface StoreUploadInput {
  bytes: Uint8Array;
  fileName: string;
  name?: string;
  /** Wide files: the first column's time and the frequency; integer steps without it. */
  wide?: { frequency: string; start: string };
}

export interface StoreUploadLimits extends SeriesTableLimits {
  maxBytes: number;
}

/** Widest CSV stored (a time column, the series' key columns and values). */
const MAX_UPLOAD_COLUMNS = 1_000;

/** A file without a timestamp column (nor a wide layout), said for a stored source; other errors as they are. */
function noTimestampError(error: unknown, fileName: string): unknown {
  if (error instanceof LookaheadError && error.details?.problem === 'no_timestamp') {
    return new LookaheadError(
      'upload',
      'bad_input',
      `"${fileName}" has no timestamp column; a stored source needs one (e.g. a "date" column with 2024-01-31, 2024-01-31T12:00:00Z or 1998 Q1), or a wide layout (an id column, then values in V1..Vn)`,
      { cause: error, details: error.details },
    );
  }
  return error;
}

export function uploadIdFor(sha256: string): string {
  return `upload-${sha256.slice(0, 16)}`;
}

export function uploadFileName(id: string): string {
  return `${id}.parquet`;
}

export async function storeCsvUpload(
  input: StoreUploadInput,
  { handle, uploadDir, maxBytes, maxSeries, maxPoints }: { handle: DatabaseHandle; uploadDir: string } & StoreUploadLimits,
): Promise<{ upload: UploadedSource; created: boolean }> {
  if (input.bytes.byteLength > maxBytes) {
    throw new LookaheadError('upload', 'too_large', `"${input.fileName}" is ${input.bytes.byteLength} bytes; uploads are limited to ${maxBytes} bytes`, {
      details: { limit: 'maxBytes', max: maxBytes },
    });
  }
  if (input.bytes.byteLength === 0) throw new LookaheadError('upload', 'bad_input', `"${input.fileName}" is empty`);
  // The wide-file settings change what is stored, so they are part of the identity.
  const hash = createHash('sha256').update(input.bytes);
  if (input.wide) hash.update(`\u0000wide:${input.wide.frequency}:${input.wide.start}`);
  const sha256 = hash.digest('hex');
  const id = uploadIdFor(sha256);
  const existing = await getUploadedSource({ handle, id });
  const storedFileName = uploadFileName(id);
  const target = path.join(uploadDir, storedFileName);
  if (existing && (await stat(target).catch(() => null))) return { upload: existing, created: false };

  const name = input.name?.trim() || input.fileName.replace(/\.[^.]+$/, '') || id;
  const tableOptions = { name, ...(input.wide ? { wide: input.wide } : {}), limits: { maxSeries, maxPoints } };
  // Every check happens here, before anything is written.
  let table: SeriesTable;
  if (isParquetBytes(input.bytes)) {
    // A parquet file (pandas/pyarrow, polars, a Chronos/AutoGluon export): the same layouts and checks.
    const copy = input.bytes.buffer.slice(input.bytes.byteOffset, input.bytes.byteOffset + input.bytes.byteLength) as ArrayBuffer;
    try {
      table = await readSeriesParquet(copy, { ...tableOptions, maxColumns: MAX_UPLOAD_COLUMNS });
    } catch (error) {
      throw noTimestampError(error, input.fileName);
    }
  } else {
    if (/\.parquet$/i.test(input.fileName)) {
      throw new LookaheadError('upload', 'bad_input', `"${input.fileName}" is named .parquet but does not start and end with the parquet magic bytes "PAR1"; send the whole file, or a CSV`);
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input.bytes);
    } catch (error) {
      throw new LookaheadError('upload', 'bad_input', `"${input.fileName}" is not UTF-8 text; save the CSV as UTF-8 (or upload a parquet file)`, { cause: error });
    }
    // A wide header costs a parquet column chunk per column: refuse it before parsing anything.
    const headerEnd = text.indexOf('\n');
    const headerColumns = (headerEnd === -1 ? text : text.slice(0, headerEnd)).split(',').length;
    if (headerColumns > MAX_UPLOAD_COLUMNS) {
      throw new LookaheadError('upload', 'bad_input', `"${input.fileName}" has ${headerColumns} columns; uploads may have at most ${MAX_UPLOAD_COLUMNS}: keep the time column and the series you need`);
    }
    try {
      table = readSeriesCsv(text, tableOptions);
    } catch (error) {
      throw noTimestampError(error, input.fileName);
    }
  }
  const { buffer } = seriesTableToParquet(table);
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

  const first = table.series.reduce((earliest, span) => Math.min(earliest, span.startMs), Number.POSITIVE_INFINITY);
  const last = table.series.reduce((latest, span) => Math.max(latest, span.endMs), Number.NEGATIVE_INFINITY);
  const upload = {
    id,
    name,
    originalFileName: input.fileName.slice(0, 255),
    storedFileName,
    sha256,
    sizeBytes: buffer.byteLength,
    rowCount: table.timestampsMs.length,
    timestampColumn: table.timestampColumn,
    columns: [...table.targets, ...table.covariates],
    textColumns: [...(table.idColumn ? [table.idColumn, ...(table.keyColumns.length > 1 ? table.keyColumns : [])] : []), ...Object.keys(table.text)],
    frequency: table.frequency?.label ?? null,
    startTs: Number.isFinite(first) ? new Date(first) : null,
    endTs: Number.isFinite(last) ? new Date(last) : null,
    warnings: table.warnings,
  };
  let created: boolean;
  try {
    created = await saveUploadWithSeries({
      handle,
      upload,
      layout: {
        layout: table.layout,
        entityColumn: table.idColumn,
        keyColumns: table.keyColumns,
        targets: table.targets,
        covariates: table.covariates,
        seriesCount: table.series.length,
        timeAxis: table.timeAxis,
      },
      series: table.series.map((span, position) => ({
        seriesId: span.id,
        position,
        key: span.key,
        rowCount: span.length,
        startTs: new Date(span.startMs),
        endTs: new Date(span.endMs),
        frequency: span.frequency,
        missingSteps: span.missingSteps,
      })),
    });
  } catch (error) {
    // Nothing half-stored: without its row, the file goes too (unless an earlier upload owns it).
    if (!existing) await unlink(target).catch(() => {});
    throw error;
  }
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
