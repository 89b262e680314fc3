import 'server-only';
import { asyncBufferFromFile, parquetMetadataAsync, type AsyncBuffer, type FileMetaData, type SchemaElement } from 'hyparquet';
import { LookaheadError } from '@/lib/core/errors';
import type { ColumnKind, SourceColumn } from '@/lib/server/sources/columns';

/**
 * Opening parquet files on the server: the footer (cached by path, size and mtime, so a rewritten
 * file is read again), the columns as the role mapping sees them, and readable errors for files
 * that are not parquet or are cut short.
 */

/** Timestamps as UTC milliseconds (numbers), dates as midnight UTC: the Arrow window's unit. */
export const millisecondParsers = {
  timestampFromMilliseconds: (millis: bigint) => Number(millis),
  timestampFromMicroseconds: (micros: bigint) => Number(micros) / 1_000,
  timestampFromNanoseconds: (nanos: bigint) => Number(nanos / 1_000n) / 1_000,
  dateFromDays: (days: number) => days * 86_400_000,
};

export interface OpenedParquetFile {
  file: AsyncBuffer;
  metadata: FileMetaData;
  columns: SourceColumn[];
}

const METADATA_CACHE_SIZE = 256;
const metadataCache = new Map<string, FileMetaData>();

export function parquetError(relativePath: string, error: unknown): LookaheadError {
  const reason = error instanceof Error ? error.message : String(error);
  return new LookaheadError('parquet', 'unsupported', `file "${relativePath}" is not a readable parquet file (${reason}); it may be truncated or corrupt`, {
    cause: error,
    details: { file: relativePath },
  });
}

function columnKind(element: SchemaElement): ColumnKind {
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (element.type === 'INT96' || converted === 'DATE' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS' || logical === 'TIMESTAMP' || logical === 'DATE') {
    return 'timestamp';
  }
  if (element.type === 'BYTE_ARRAY' && (converted === 'UTF8' || logical === 'STRING' || converted === 'ENUM')) return 'text';
  if (element.type === 'DOUBLE' || element.type === 'FLOAT' || element.type === 'INT32' || element.type === 'INT64' || converted === 'DECIMAL') return 'number';
  return 'other';
}

function typeName(element: SchemaElement): string {
  return [element.type, element.logical_type?.type ?? element.converted_type].filter(Boolean).join(' ');
}

/** Top-level leaf columns (nested groups are not offered). */
export function parquetColumns(metadata: FileMetaData): SourceColumn[] {
  const columns: SourceColumn[] = [];
  const root = metadata.schema[0];
  let index = 1;
  for (let child = 0; child < (root?.num_children ?? 0); child++) {
    const element = metadata.schema[index]!;
    if (!element.num_children) {
      columns.push({ name: element.name, type: typeName(element), kind: columnKind(element), nullable: element.repetition_type !== 'REQUIRED' });
      index++;
    } else {
      index = skipGroup(metadata.schema, index);
    }
  }
  return columns;
}

function skipGroup(schema: SchemaElement[], index: number): number {
  const children = schema[index]!.num_children ?? 0;
  let next = index + 1;
  for (let child = 0; child < children; child++) next = schema[next]!.num_children ? skipGroup(schema, next) : next + 1;
  return next;
}

export async function openParquetFile(absolutePath: string, relativePath: string, identity: { sizeBytes: number; mtimeMs: number }): Promise<OpenedParquetFile> {
  const key = `${absolutePath}\u0000${identity.sizeBytes}\u0000${identity.mtimeMs}`;
  let file: AsyncBuffer;
  try {
    file = await asyncBufferFromFile(absolutePath);
  } catch (error) {
    throw new LookaheadError('parquet', 'not_found', `file "${relativePath}" cannot be opened`, { cause: error });
  }
  let metadata = metadataCache.get(key);
  if (!metadata) {
    try {
      metadata = await parquetMetadataAsync(file, { parsers: millisecondParsers });
    } catch (error) {
      throw parquetError(relativePath, error);
    }
    if (metadataCache.size >= METADATA_CACHE_SIZE) metadataCache.delete(metadataCache.keys().next().value!);
    metadataCache.set(key, metadata);
  }
  return { file, metadata, columns: parquetColumns(metadata) };
}
