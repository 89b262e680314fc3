import { parquetMetadataAsync, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { LookaheadError } from '@/lib/core/errors';
import type { SourceColumn } from '@/lib/data/columns';
import { parquetColumns } from './schema';

/**
 * Opening a parquet file from any AsyncBuffer (a file on the server, HTTP Range requests in the
 * browser): its footer, its columns, and readable errors that name the file.
 */

/** Timestamps as UTC milliseconds (numbers), dates as midnight UTC: the Arrow window's unit. */
export const millisecondParsers = {
  timestampFromMilliseconds: (millis: bigint) => Number(millis),
  timestampFromMicroseconds: (micros: bigint) => Number(micros) / 1_000,
  timestampFromNanoseconds: (nanos: bigint) => Number(nanos / 1_000n) / 1_000,
  dateFromDays: (days: number) => days * 86_400_000,
};

export interface ParquetFile {
  /** The path under the source's root: what messages name. */
  name: string;
  file: AsyncBuffer;
  metadata: FileMetaData;
  columns: SourceColumn[];
}

/**
 * A failure reading file `name`, as a message that names it. Cancellations, and errors that
 * already say what failed (an HTTP answer, say), pass through unchanged.
 */
export function parquetError(name: string, error: unknown): Error {
  if (error instanceof LookaheadError) return error;
  if (error instanceof Error && error.name === 'AbortError') return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new LookaheadError('parquet', 'unsupported', `file "${name}" is not a readable parquet file (${reason}); it may be truncated or corrupt`, {
    cause: error,
    details: { file: name },
  });
}

const MIN_FOOTER_FETCH = 8;
const MAX_FOOTER_FETCH = 64 * 1024;

/**
 * How many bytes to read from a file's end to find its footer: 1/512 of the file, between 8 bytes
 * and 64 KiB. Footers hold ~100 bytes per column chunk, so a file of many megabytes usually gets
 * its footer in this one request, while a small one reads its 8-byte tail and then exactly the
 * footer. Over HTTP that wastes at most 0.2% of a file on row data; hyparquet's default (512 KiB)
 * would fetch a small file whole.
 */
export function footerFetchSize(byteLength: number): number {
  return Math.min(MAX_FOOTER_FETCH, Math.max(MIN_FOOTER_FETCH, Math.floor(byteLength / 512)));
}

/** Reads the footer of `file` (unless `metadata` is known already) and its columns. */
export async function openParquetBuffer(file: AsyncBuffer, name: string, { metadata }: { metadata?: FileMetaData } = {}): Promise<ParquetFile> {
  if (!metadata) {
    try {
      metadata = await parquetMetadataAsync(file, { parsers: millisecondParsers, initialFetchSize: footerFetchSize(file.byteLength) });
    } catch (error) {
      throw parquetError(name, error);
    }
  }
  return { name, file, metadata, columns: parquetColumns(metadata) };
}
