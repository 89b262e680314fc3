import 'server-only';
import { asyncBufferFromFile, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { LookaheadError } from '@/lib/core/errors';
import { openParquetBuffer, type ParquetFile } from '@/lib/data/parquet';

/**
 * Opening parquet files on the server: a file-backed AsyncBuffer, and the footer cached by path,
 * size and mtime (a rewritten file is read again). Footer parsing and the column mapping are
 * lib/data/parquet's, shared with the browser.
 */

const METADATA_CACHE_SIZE = 256;
const metadataCache = new Map<string, FileMetaData>();

export async function openParquetFile(absolutePath: string, relativePath: string, identity: { sizeBytes: number; mtimeMs: number }): Promise<ParquetFile> {
  const key = `${absolutePath}\u0000${identity.sizeBytes}\u0000${identity.mtimeMs}`;
  let file: AsyncBuffer;
  try {
    file = await asyncBufferFromFile(absolutePath);
  } catch (error) {
    throw new LookaheadError('parquet', 'not_found', `file "${relativePath}" cannot be opened`, { cause: error });
  }
  const opened = await openParquetBuffer(file, relativePath, { metadata: metadataCache.get(key) });
  if (!metadataCache.has(key)) {
    if (metadataCache.size >= METADATA_CACHE_SIZE) metadataCache.delete(metadataCache.keys().next().value!);
    metadataCache.set(key, opened.metadata);
  }
  return opened;
}
