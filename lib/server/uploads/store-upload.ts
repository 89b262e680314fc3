import 'server-only';
import { createHash } from 'node:crypto';
import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LookaheadError } from '@/lib/core/errors';
import { readSeriesCsv, type SeriesTable, type SeriesTableLimits } from '@/lib/data/series-table';
import { getUploadedSource, saveUploadWithSeries, type DatabaseHandle, type UploadedSource } from '@/db';
import { seriesTableToParquet } from './series-parquet';

/**
 * A CSV upload kept as a source: read with the shared reader of one or many series (single, long
 * or wide), written as one parquet file sorted by series then time (series-parquet.ts), and
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

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(input.bytes);
  } catch (error) {
    throw new LookaheadError('upload', 'bad_input', `"${input.fileName}" is not UTF-8 text; save the CSV as UTF-8`, { cause: error });
  }
  const name = input.name?.trim() || input.fileName.replace(/\.[^.]+$/, '') || id;
  // Every check happens here, before anything is written.
  let table: SeriesTable;
  try {
    table = readSeriesCsv(text, { name, ...(input.wide ? { wide: input.wide } : {}), limits: { maxSeries, maxPoints } });
  } catch (error) {
    if (error instanceof LookaheadError && error.details?.problem === 'no_timestamp') {
      throw new LookaheadError(
        'upload',
        'bad_input',
        `"${input.fileName}" has no timestamp column; a stored source needs one (e.g. a "date" column with 2024-01-31, 2024-01-31T12:00:00Z or 1998 Q1), or a wide layout (an id column, then values in V1..Vn)`,
        { cause: error, details: error.details },
      );
    }
    throw error;
  }
  const { buffer } = seriesTableToParquet(table);
  await mkdir(uploadDir, { recursive: true });
  // Write then rename: a reader never sees half a file.
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, new Uint8Array(buffer));
    await rename(temporary, target);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw new LookaheadError('upload', 'internal', `storing "${input.fileName}" failed: ${(error as Error).message}`, { cause: error });
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
