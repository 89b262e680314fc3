import 'server-only';
import { parquetRead } from 'hyparquet';
import { LookaheadError } from '@/lib/core/errors';
import { entityCandidates, resolveRoles, suggestRoles, type RoleMapping } from '@/lib/data/roles';
import type { SourceColumn } from '@/lib/data/columns';
import { checkFileSeries, millisecondParsers, parquetError } from '@/lib/data/parquet';
import { windowRequestToJson, type WindowRequest, type WindowRequestJson } from '@/lib/data/window-request';
import { discoverParquetFiles, partitionMatches, type ParquetFileEntry, type SkippedFile } from './discovery';
import { resolveInside } from './file-response';
import { openParquetFile } from './metadata';
import type { FileNamePattern } from './pattern';
import { openParquetWindow, type ParquetWindowReader } from './window';

/**
 * A source made of parquet files: the LOOKAHEAD_PARQUET_DIR directory (partitioned files found by
 * the file-name pattern) or one uploaded CSV stored as parquet. All its files share one schema and
 * are read as one table; `series` picks files by their {entity} when the pattern has one.
 */
export interface ParquetSource {
  kind: 'parquet';
  id: string;
  name: string;
  description: string;
  root: string;
  pattern: FileNamePattern | null;
  /** Cache-Control for the file route: uploads are immutable, directory files revalidate. */
  cacheControl: string;
  listFiles(): Promise<{ files: ParquetFileEntry[]; skipped: SkippedFile[] }>;
  /** Roles the source knows better than names can tell (an upload's series id column, targets, covariates). */
  knownRoles?: Partial<RoleMapping>;
  /** Series listed without reading the files (an upload's, from the app database), for `entity`. */
  listSeries?: { entity: string; list(request: WindowRequest, maxSeries?: number): Promise<{ series: ParquetSeriesSummary[]; truncated: boolean }> };
}

export interface ParquetSeriesSummary {
  id: string;
  rowCount: number;
  start: string | null;
  end: string | null;
  frequency?: string | null;
  missingSteps?: number;
}

export function directorySource({ id, root, pattern }: { id: string; root: string; pattern: FileNamePattern }): ParquetSource {
  return {
    kind: 'parquet',
    id,
    name: 'Parquet files',
    description: `Partitioned parquet files (${pattern.source})`,
    root,
    pattern,
    cacheControl: 'no-cache',
    listFiles: () => discoverParquetFiles(root, pattern),
  };
}

/** Whether `series` names a file-name {entity} (the pattern has one and no entity column is mapped). */
function seriesFromFileNames(source: ParquetSource, request: WindowRequest): boolean {
  return Boolean(source.pattern?.hasEntity && !request.entity);
}

function selectFiles(source: ParquetSource, files: ParquetFileEntry[], request: WindowRequest): ParquetFileEntry[] {
  const series = request.series;
  return files.filter((file) =>
    partitionMatches(file, {
      years: request.years,
      months: request.months,
      start: request.start,
      end: request.end,
      entities: seriesFromFileNames(source, request) && series !== undefined && series !== '' ? [series] : undefined,
    }),
  );
}

export async function describeParquetSource(source: ParquetSource): Promise<{
  columns: SourceColumn[];
  suggested: RoleMapping;
  files: number;
  skipped: SkippedFile[];
  entityFromFileName: boolean;
}> {
  const { files, skipped } = await source.listFiles();
  if (files.length === 0) throw new LookaheadError('parquet', 'not_found', `source "${source.id}" has no parquet files${skipped.length ? ` (${skipped.length} skipped: ${skipped[0]!.reason})` : ''}`);
  const first = await openParquetFile(files[0]!.absolutePath, files[0]!.relativePath, files[0]!);
  return { columns: first.columns, suggested: { ...suggestRoles(first.columns), ...source.knownRoles }, files: files.length, skipped, entityFromFileName: Boolean(source.pattern?.hasEntity) };
}

export interface ParquetFileSummary {
  path: string;
  url: string;
  entity: string | null;
  year: number | null;
  month: number | null;
  sizeBytes: number;
}

/**
 * The files a selection needs, with their URLs on the file route. The browser worker reads a
 * window from them by HTTP Range: `window` is the query as this server validated it, and
 * `seriesFromFileNames` says whether its series picked the files (else it is an entity column's).
 */
export async function listParquetFiles(
  source: ParquetSource,
  request: WindowRequest,
): Promise<{ files: ParquetFileSummary[]; skipped: SkippedFile[]; seriesFromFileNames: boolean; window: WindowRequestJson }> {
  const { files, skipped } = await source.listFiles();
  return {
    seriesFromFileNames: seriesFromFileNames(source, request),
    window: windowRequestToJson(request),
    files: selectFiles(source, files, request).map((file) => ({
      path: file.relativePath,
      url: `/api/files/${source.id}/${file.relativePath.split('/').map(encodeURIComponent).join('/')}`,
      entity: file.entity,
      year: file.year,
      month: file.month,
      sizeBytes: file.sizeBytes,
    })),
    skipped,
  };
}

/** Rows decoded per read when listing an entity column: memory stays bounded whatever the file's size. */
export const SERIES_LIST_BATCH_ROWS = 65_536;
/** Distinct series tracked at most while listing (about 100 bytes each); more is a 413. */
export const MAX_TRACKED_SERIES = 200_000;
/** Series returned at most; `truncated` says when there were more. */
const MAX_LISTED_SERIES = 10_000;


export interface SeriesListOptions {
  batchRows?: number;
  maxTrackedSeries?: number;
  /** Called with the rows of every batch read (tests prove the bound with it). */
  onBatch?: (rows: number) => void;
  /** Series returned at most (jobs list more than the page does); default 10,000. */
  maxSeries?: number;
}

/**
 * The series of a parquet source with row counts and time ranges. An entity column is read in
 * batches of `batchRows` rows and folded into per-series totals, so memory holds one batch plus
 * the totals, never a whole file; without one, the row-group statistics answer.
 */
export async function listParquetSeries(source: ParquetSource, request: WindowRequest, options: SeriesListOptions = {}): Promise<{ series: ParquetSeriesSummary[]; truncated: boolean }> {
  if (source.listSeries && request.entity === source.listSeries.entity) return source.listSeries.list(request, options.maxSeries ?? MAX_LISTED_SERIES);
  const maxSeries = options.maxSeries ?? MAX_LISTED_SERIES;
  const batchRows = options.batchRows ?? SERIES_LIST_BATCH_ROWS;
  const maxTracked = options.maxTrackedSeries ?? MAX_TRACKED_SERIES;
  const { files } = await source.listFiles();
  const selected = selectFiles(source, files, { ...request, series: undefined });
  const ids = request.ids ? new Set(request.ids) : null;
  const totals = new Map<string, { rowCount: number; start: number; end: number }>();
  const add = (id: string, rows: number, start: number, end: number) => {
    if (ids && !ids.has(id)) return;
    let total = totals.get(id);
    if (!total) {
      if (totals.size >= maxTracked) {
        throw new LookaheadError(
          'sources',
          'too_large',
          `source "${source.id}" holds more than ${maxTracked} series in column "${request.entity ?? ''}"; list some with ids=<id,...>, or pick a column with fewer distinct values`,
        );
      }
      total = { rowCount: 0, start: Number.POSITIVE_INFINITY, end: Number.NEGATIVE_INFINITY };
      totals.set(id, total);
    }
    total.rowCount += rows;
    total.start = Math.min(total.start, start);
    total.end = Math.max(total.end, end);
  };
  for (const entry of selected) {
    const opened = await openParquetFile(entry.absolutePath, entry.relativePath, entry);
    const roles = resolveRoles(opened.columns, { time: request.time, targets: request.columns, entity: request.entity }, `file "${entry.relativePath}"`);
    if (roles.entity) {
      const candidates = [...new Set([...entityCandidates(opened.columns), ...(source.knownRoles?.entity ? [source.knownRoles.entity] : [])])];
      if (!candidates.includes(roles.entity.name)) {
        throw new LookaheadError(
          'sources',
          'bad_input',
          `column "${roles.entity.name}" of source "${source.id}" does not look like a series id, so its values are not listed; entity candidates: ${candidates.join(', ') || 'none'}`,
        );
      }
      const rowCount = Number(opened.metadata.num_rows);
      for (let rowStart = 0; rowStart < rowCount; rowStart += batchRows) {
        const rowEnd = Math.min(rowCount, rowStart + batchRows);
        let rows: unknown[][] = [];
        try {
          await parquetRead({
            file: opened.file,
            metadata: opened.metadata,
            columns: [roles.entity.name, roles.time.name],
            rowStart,
            rowEnd,
            parsers: millisecondParsers,
            onComplete: (result) => (rows = result),
          });
        } catch (error) {
          throw parquetError(entry.relativePath, error);
        }
        options.onBatch?.(rows.length);
        for (const [entity, ts] of rows) if (entity !== null && entity !== undefined) add(String(entity), 1, Number(ts), Number(ts));
      }
      continue;
    }
    let start = Number.POSITIVE_INFINITY;
    let end = Number.NEGATIVE_INFINITY;
    for (const group of opened.metadata.row_groups) {
      const stats = group.columns.find((chunk) => chunk.meta_data?.path_in_schema[0] === roles.time.name)?.meta_data?.statistics;
      if (typeof stats?.min_value === 'number') start = Math.min(start, stats.min_value);
      if (typeof stats?.max_value === 'number') end = Math.max(end, stats.max_value);
    }
    add(entry.entity ?? '', Number(opened.metadata.num_rows), start, end);
  }
  const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);
  const series = [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, total]) => ({ id, rowCount: total.rowCount, start: iso(total.start), end: iso(total.end) }));
  return { series: series.slice(0, maxSeries), truncated: series.length > maxSeries };
}

export async function openParquetSourceWindow(source: ParquetSource, request: WindowRequest): Promise<ParquetWindowReader> {
  const { files } = await source.listFiles();
  const selected = selectFiles(source, files, request);
  const byFileName = seriesFromFileNames(source, request);
  checkFileSeries({
    sourceId: source.id,
    series: request.series,
    seriesFromFileNames: byFileName,
    selectedEntities: selected.map((file) => file.entity),
    allEntities: files.map((file) => file.entity),
  });
  return openParquetWindow(selected, request, { label: `source "${source.id}"`, seriesFromFileNames: byFileName });
}

/**
 * The file behind /api/files/<source>/<path...>: inside the source's root, and one the source
 * offers (its pattern matches, or it is the upload's own file); anything else is 404.
 */
export async function servedFilePath(source: ParquetSource, segments: string[]): Promise<string> {
  const notFound = () => new LookaheadError('files', 'not_found', `no file "${segments.join('/').slice(0, 200)}" in source "${source.id}"`);
  const fileName = segments[segments.length - 1];
  if (!fileName) throw notFound();
  if (source.pattern) {
    if (!fileName.endsWith('.parquet') || !source.pattern.match(fileName)) throw notFound();
  } else {
    const { files } = await source.listFiles();
    if (segments.length !== 1 || !files.some((file) => file.relativePath === fileName)) throw notFound();
  }
  return resolveInside(source.root, segments);
}
