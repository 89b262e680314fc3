import 'server-only';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { discoverParquetFiles } from '@/lib/server/parquet/discovery';
import type { FileNamePattern } from '@/lib/server/parquet/pattern';
import { IngestFilenameError, IngestNotFoundError } from './errors';

/**
 * The files one `npm run ingest -- <path>` loads: the file itself, or every .parquet and .csv file
 * under the directory. With a file-name pattern the directory is a partitioned lake: only parquet
 * files that match it (and agree with their YYYY/MM folders) load; the others are filename errors.
 */
export interface IngestInput {
  absolutePath: string;
  /** Relative to the directory given (the file name for a single file): recorded and shown. */
  relativePath: string;
  format: 'parquet' | 'csv';
  sizeBytes: number;
  /** The {entity} of the file name, when the pattern has one. */
  entity: string | null;
}

const MAX_DEPTH = 6;

function formatOf(fileName: string): 'parquet' | 'csv' | null {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.parquet')) return 'parquet';
  if (lower.endsWith('.csv')) return 'csv';
  return null;
}

export async function findInputFiles(target: string, pattern: FileNamePattern | null): Promise<{ inputs: IngestInput[]; rejected: IngestFilenameError[] }> {
  const absolute = path.resolve(target);
  const info = await stat(absolute).catch(() => null);
  if (!info) throw new IngestNotFoundError(`"${target}" does not exist`, { file: target });

  if (info.isFile()) {
    const fileName = path.basename(absolute);
    const format = formatOf(fileName);
    if (!format) throw new IngestNotFoundError(`"${target}" is neither a .parquet nor a .csv file`, { file: target });
    const fields = pattern ? pattern.match(fileName) : null;
    if (pattern && !fields) {
      return { inputs: [], rejected: [new IngestFilenameError(`file "${fileName}" does not match the pattern ${pattern.source}`, { file: fileName })] };
    }
    return { inputs: [{ absolutePath: absolute, relativePath: fileName, format, sizeBytes: info.size, entity: fields?.entity ?? null }], rejected: [] };
  }

  if (pattern) {
    const { files, skipped } = await discoverParquetFiles(absolute, pattern);
    return {
      inputs: files.map((file) => ({ absolutePath: file.absolutePath, relativePath: file.relativePath, format: 'parquet' as const, sizeBytes: file.sizeBytes, entity: file.entity })),
      rejected: skipped.map((file) => new IngestFilenameError(`file "${file.relativePath}": ${file.reason}`, { file: file.relativePath })),
    };
  }

  const inputs: IngestInput[] = [];
  async function walk(directory: string, segments: string[]): Promise<void> {
    const entries = await readdir(directory, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.isSymbolicLink()) continue;
      const absolutePath = path.join(directory, entry.name);
      if (entry.isDirectory()) {
        if (segments.length + 1 < MAX_DEPTH) await walk(absolutePath, [...segments, entry.name]);
        continue;
      }
      const format = entry.isFile() ? formatOf(entry.name) : null;
      if (!format) continue;
      const size = (await stat(absolutePath)).size;
      inputs.push({ absolutePath, relativePath: [...segments, entry.name].join('/'), format, sizeBytes: size, entity: null });
    }
  }
  await walk(absolute, []);
  return { inputs, rejected: [] };
}

export function sha256OfFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
