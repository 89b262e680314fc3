import 'server-only';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { compileFileNamePattern, type FileNamePattern } from './pattern';

/**
 * The files of a partitioned parquet directory: `root/YYYY/MM/<name>` (or any depth up to
 * MAX_DEPTH), each name matched against the file-name pattern. Year and month come from the
 * `YYYY/MM` folders, the pattern's {year}/{month}, or both (then they must agree). Symbolic links
 * are not followed, so nothing outside the root is ever listed.
 */
export interface ParquetFileEntry {
  /** Path under the root with "/" separators: what the file route and the audit log show. */
  relativePath: string;
  absolutePath: string;
  sizeBytes: number;
  mtimeMs: number;
  entity: string | null;
  year: number | null;
  month: number | null;
}

export interface SkippedFile {
  relativePath: string;
  reason: string;
}

export interface PartitionFilter {
  years?: [number, number];
  months?: [number, number];
  entities?: string[];
  start?: Date;
  end?: Date;
}

const MAX_DEPTH = 4;

function folderPartition(segments: string[]): { year: number | null; month: number | null } {
  let year: number | null = null;
  let month: number | null = null;
  for (let index = 0; index < segments.length; index++) {
    if (/^\d{4}$/.test(segments[index]!)) {
      year = Number(segments[index]);
      const next = segments[index + 1];
      month = next && /^\d{1,2}$/.test(next) && Number(next) >= 1 && Number(next) <= 12 ? Number(next) : null;
    }
  }
  return { year, month };
}

export async function discoverParquetFiles(
  root: string,
  patternSource: string | FileNamePattern,
): Promise<{ files: ParquetFileEntry[]; skipped: SkippedFile[] }> {
  const pattern = typeof patternSource === 'string' ? compileFileNamePattern(patternSource) : patternSource;
  const files: ParquetFileEntry[] = [];
  const skipped: SkippedFile[] = [];

  async function walk(directory: string, segments: string[]): Promise<void> {
    const entries = await readdir(directory, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const absolutePath = path.join(directory, entry.name);
      const relativePath = [...segments, entry.name].join('/');
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) {
        if (segments.length + 1 < MAX_DEPTH) await walk(absolutePath, [...segments, entry.name]);
        continue;
      }
      if (!entry.isFile()) continue;
      const fields = pattern.match(entry.name);
      if (!fields) {
        if (entry.name.endsWith('.parquet')) skipped.push({ relativePath, reason: `file name does not match the pattern ${pattern.source}` });
        continue;
      }
      const folders = folderPartition(segments);
      if (folders.year !== null && fields.year !== null && folders.year !== fields.year) {
        skipped.push({ relativePath, reason: `file name says year ${fields.year} but the file is under ${folders.year}/` });
        continue;
      }
      if (folders.month !== null && fields.month !== null && folders.month !== fields.month) {
        skipped.push({ relativePath, reason: `file name says month ${fields.month} but the file is under ${folders.year}/${String(folders.month).padStart(2, '0')}/` });
        continue;
      }
      const info = await stat(absolutePath);
      files.push({
        relativePath,
        absolutePath,
        sizeBytes: info.size,
        mtimeMs: info.mtimeMs,
        entity: fields.entity,
        year: fields.year ?? folders.year,
        month: fields.month ?? folders.month,
      });
    }
  }

  await walk(root, []);
  files.sort((a, b) => (a.year ?? 0) - (b.year ?? 0) || (a.month ?? 0) - (b.month ?? 0) || (a.relativePath < b.relativePath ? -1 : 1));
  return { files, skipped };
}

/** Whether a file's partition can hold rows that pass the filter (unknown partitions always can). */
export function partitionMatches(file: ParquetFileEntry, filter: PartitionFilter): boolean {
  if (filter.entities && file.entity !== null && !filter.entities.includes(file.entity)) return false;
  if (file.year === null) return true;
  if (filter.years && (file.year < filter.years[0] || file.year > filter.years[1])) return false;
  if (file.month !== null && filter.months && (file.month < filter.months[0] || file.month > filter.months[1])) return false;
  const from = Date.UTC(file.year, file.month === null ? 0 : file.month - 1, 1);
  const to = file.month === null ? Date.UTC(file.year + 1, 0, 1) : Date.UTC(file.year, file.month, 1);
  if (filter.start && to <= filter.start.getTime()) return false;
  if (filter.end && from > filter.end.getTime()) return false;
  return true;
}
