import 'server-only';
import { parquetRead, type RowGroup, type Statistics } from 'hyparquet';
import { LookaheadError } from '@/lib/core/errors';
import type { WindowBatch } from '@/lib/data/arrow-window';
import type { SourceColumn } from '@/lib/server/sources/columns';
import { resolveRoles, type ResolvedRoles } from '@/lib/server/sources/roles';
import type { WindowRequest } from '@/lib/server/sources/window-request';
import type { WindowReader } from '@/lib/server/sources/window-reader';
import type { ParquetFileEntry } from './discovery';
import { millisecondParsers, openParquetFile, parquetError, type OpenedParquetFile } from './metadata';

/**
 * Server-side windows of parquet files. Row groups are pruned by the min/max statistics of the
 * time column (and of the entity and value columns where that is safe), then read newest first
 * until the newest `limit` rows (or buckets) are known; the result goes out oldest first.
 */

export interface ParquetWindowStats {
  files: number;
  rowGroupsTotal: number;
  rowGroupsRead: number;
}

export interface ParquetWindowReader extends WindowReader {
  stats: ParquetWindowStats;
}

export interface ParquetWindowOptions {
  /** For messages: "source "parquet"" or "upload "x"". */
  label: string;
  /** Whether `series` selects by the file name's {entity} (the files were filtered already). */
  seriesFromFileNames: boolean;
}

const BATCH_ROWS = 16_384;
/** Bucket origin: Monday 2000-01-03, as the SQL path (date_bin / time_bucket) uses. */
const BUCKET_ORIGIN_MS = Date.UTC(2000, 0, 3);
/** String statistics may be truncated (hyparquet-writer keeps 16 bytes): only shorter ones prune. */
const EXACT_STRING_STATISTICS = 16;

interface Candidate {
  opened: OpenedParquetFile;
  entry: ParquetFileEntry;
  groupIndex: number;
  groupStart: number;
  rows: number;
  minTs: number;
  maxTs: number;
}

interface CollectedPart {
  timestampsMs: Float64Array;
  values: Float64Array[];
}

function statistics(group: RowGroup, column: string): Statistics | undefined {
  return group.columns.find((chunk) => chunk.meta_data?.path_in_schema.length === 1 && chunk.meta_data.path_in_schema[0] === column)?.meta_data?.statistics;
}

function statNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

function toNumber(value: unknown): number {
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime();
  return Number.NaN;
}

function checkSchemas(files: OpenedParquetFile[], entries: ParquetFileEntry[], roles: ResolvedRoles): void {
  const needed = [roles.time, ...roles.targets, ...roles.covariates, ...(roles.entity ? [roles.entity] : [])];
  files.forEach((opened, index) => {
    for (const column of needed) {
      const found = opened.columns.find((candidate) => candidate.name === column.name);
      if (!found || found.kind !== column.kind) {
        throw new LookaheadError(
          'parquet',
          'unsupported',
          `file "${entries[index]!.relativePath}" ${found ? `has column "${column.name}" as ${found.type}, not ${column.type} as in the other files` : `has no column "${column.name}"`}; all files of a source need the same columns`,
          { details: { file: entries[index]!.relativePath, column: column.name } },
        );
      }
    }
  });
}

export async function openParquetWindow(entries: ParquetFileEntry[], request: WindowRequest, options: ParquetWindowOptions): Promise<ParquetWindowReader> {
  const opened = await Promise.all(entries.map((entry) => openParquetFile(entry.absolutePath, entry.relativePath, entry)));
  if (opened.length === 0) {
    throw new LookaheadError('parquet', 'not_found', `${options.label} has no files for this window (check series, years, months, start and end)`);
  }
  const roles = resolveRoles<SourceColumn>(
    opened[0]!.columns,
    { time: request.time, targets: request.columns, entity: request.entity, covariates: request.covariates },
    options.label,
  );
  checkSchemas(opened, entries, roles);
  if (!roles.entity && !options.seriesFromFileNames && request.series !== undefined && request.series !== '') {
    throw new LookaheadError('parquet', 'bad_input', `series "${request.series.slice(0, 80)}" needs an entity: map one with entity=<column>`);
  }
  if (roles.entity && request.series === undefined) {
    throw new LookaheadError('parquet', 'bad_input', `${options.label} holds one series per "${roles.entity.name}": name one with series=<id>`);
  }

  const valueColumns = [...roles.targets, ...roles.covariates].map((column) => column.name);
  const startMs = request.start?.getTime() ?? Number.NEGATIVE_INFINITY;
  const endMs = request.end?.getTime() ?? Number.POSITIVE_INFINITY;
  const entitySeries = roles.entity ? request.series! : null;

  const candidates: Candidate[] = [];
  let rowGroupsTotal = 0;
  opened.forEach((file, fileIndex) => {
    let groupStart = 0;
    file.metadata.row_groups.forEach((group, groupIndex) => {
      rowGroupsTotal++;
      const rows = Number(group.num_rows);
      const timeStats = statistics(group, roles.time.name);
      const minTs = statNumber(timeStats?.min_value ?? timeStats?.min) ?? Number.NEGATIVE_INFINITY;
      const maxTs = statNumber(timeStats?.max_value ?? timeStats?.max) ?? Number.POSITIVE_INFINITY;
      let keep = rows > 0 && maxTs >= startMs && minTs <= endMs;
      if (keep && roles.entity && roles.entity.kind === 'text' && entitySeries !== null) {
        const entityStats = statistics(group, roles.entity.name);
        const low = entityStats?.min_value;
        const high = entityStats?.max_value;
        if (typeof low === 'string' && typeof high === 'string' && high.length < EXACT_STRING_STATISTICS && low.length < EXACT_STRING_STATISTICS) {
          keep = entitySeries >= low && entitySeries <= high;
        }
      }
      if (keep && (request.min !== undefined || request.max !== undefined)) {
        for (const target of roles.targets) {
          const valueStats = statistics(group, target.name);
          const low = statNumber(valueStats?.min_value ?? valueStats?.min);
          const high = statNumber(valueStats?.max_value ?? valueStats?.max);
          const nullsPass = !request.excludeNulls && (valueStats?.null_count === undefined || valueStats.null_count > 0n);
          if (low === null || high === null || nullsPass) continue;
          if ((request.min !== undefined && high < request.min) || (request.max !== undefined && low > request.max)) keep = false;
        }
      }
      if (keep) candidates.push({ opened: file, entry: entries[fileIndex]!, groupIndex, groupStart, rows, minTs, maxTs });
      groupStart += rows;
    });
  });
  // Newest first, so reading can stop as soon as older groups cannot change the window.
  candidates.sort((a, b) => b.maxTs - a.maxTs);

  const stats: ParquetWindowStats = { files: opened.length, rowGroupsTotal, rowGroupsRead: 0 };
  const bucketMs = request.bucket ? bucketMilliseconds(request.bucket) : null;
  const readColumns = [roles.time.name, ...valueColumns, ...(roles.entity ? [roles.entity.name] : [])];

  async function readGroup(candidate: Candidate): Promise<CollectedPart> {
    let rows: unknown[][] = [];
    try {
      await parquetRead({
        file: candidate.opened.file,
        metadata: candidate.opened.metadata,
        columns: readColumns,
        rowStart: candidate.groupStart,
        rowEnd: candidate.groupStart + candidate.rows,
        parsers: millisecondParsers,
        onComplete: (result) => (rows = result),
      });
    } catch (error) {
      throw parquetError(candidate.entry.relativePath, error);
    }
    stats.rowGroupsRead++;
    const timestampsMs = new Float64Array(rows.length);
    const values = valueColumns.map(() => new Float64Array(rows.length));
    let kept = 0;
    const entityIndex = readColumns.length - 1;
    for (const row of rows) {
      const ts = toNumber(row[0]);
      if (!Number.isFinite(ts) || ts < startMs || ts > endMs) continue;
      if (entitySeries !== null) {
        const entity = row[entityIndex];
        if (entity === null || entity === undefined || String(entity) !== entitySeries) continue;
      }
      let pass = true;
      for (let column = 0; column < roles.targets.length; column++) {
        const value = toNumber(row[column + 1]);
        if (Number.isNaN(value)) {
          if (request.excludeNulls) pass = false;
        } else if ((request.min !== undefined && value < request.min) || (request.max !== undefined && value > request.max)) {
          pass = false;
        }
      }
      if (!pass) continue;
      timestampsMs[kept] = ts;
      for (let column = 0; column < valueColumns.length; column++) values[column]![kept] = toNumber(row[column + 1]);
      kept++;
    }
    return { timestampsMs: timestampsMs.subarray(0, kept), values: values.map((column) => column.subarray(0, kept)) };
  }

  let materialized: { batches: WindowBatch[]; index: number } | null = null;

  async function materialize(): Promise<WindowBatch[]> {
    const parts: CollectedPart[] = [];
    const buckets = bucketMs === null ? null : new Map<number, BucketState>();
    let collected = 0;
    for (let index = 0; index < candidates.length; index++) {
      const candidate = candidates[index]!;
      if (collected >= request.limit) {
        const threshold = buckets ? newestKeys(buckets, request.limit) : newestThreshold(parts, request.limit);
        if (candidate.maxTs < threshold) break;
      }
      const part = await readGroup(candidate);
      if (buckets) {
        accumulate(buckets, part, bucketMs!, valueColumns.length);
        collected = buckets.size;
      } else {
        parts.push(part);
        collected += part.timestampsMs.length;
      }
    }
    const window = buckets ? bucketWindow(buckets, request.limit, request.agg ?? 'avg', valueColumns.length) : newestRows(parts, request.limit, valueColumns.length);
    const batches: WindowBatch[] = [];
    for (let start = 0; start < window.timestampsMs.length; start += BATCH_ROWS) {
      const end = Math.min(window.timestampsMs.length, start + BATCH_ROWS);
      batches.push({
        timestampsMs: window.timestampsMs.subarray(start, end),
        columns: Object.fromEntries(valueColumns.map((name, column) => [name, window.values[column]!.subarray(start, end)])),
      });
    }
    return batches;
  }

  return {
    columns: valueColumns,
    frequencyLabel: request.bucket?.label ?? null,
    stats,
    async next() {
      materialized ??= { batches: await materialize(), index: 0 };
      return materialized.batches[materialized.index++] ?? null;
    },
    async close() {
      materialized = { batches: [], index: 0 };
    },
  };
}

function bucketMilliseconds(frequency: NonNullable<WindowRequest['bucket']>): number {
  const unit = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 } as Record<string, number>;
  return frequency.step * unit[frequency.unit]!;
}

/** The timestamp of the `limit`-th newest collected row. */
function newestThreshold(parts: CollectedPart[], limit: number): number {
  const all: number[] = [];
  for (const part of parts) for (const ts of part.timestampsMs) all.push(ts);
  all.sort((a, b) => b - a);
  return all[limit - 1] ?? Number.NEGATIVE_INFINITY;
}

function newestRows(parts: CollectedPart[], limit: number, valueColumns: number): CollectedPart {
  const total = parts.reduce((sum, part) => sum + part.timestampsMs.length, 0);
  const timestamps = new Float64Array(total);
  const values = Array.from({ length: valueColumns }, () => new Float64Array(total));
  let offset = 0;
  for (const part of parts) {
    timestamps.set(part.timestampsMs, offset);
    part.values.forEach((column, index) => values[index]!.set(column, offset));
    offset += part.timestampsMs.length;
  }
  const order = Array.from({ length: total }, (_, index) => index).sort((a, b) => timestamps[a]! - timestamps[b]! || a - b);
  const kept = order.slice(Math.max(0, total - limit));
  return {
    timestampsMs: Float64Array.from(kept, (index) => timestamps[index]!),
    values: values.map((column) => Float64Array.from(kept, (index) => column[index]!)),
  };
}

interface BucketState {
  sum: Float64Array;
  count: Float64Array;
  min: Float64Array;
  max: Float64Array;
  lastTs: Float64Array;
  last: Float64Array;
}

function accumulate(buckets: Map<number, BucketState>, part: CollectedPart, bucketMs: number, valueColumns: number): void {
  for (let row = 0; row < part.timestampsMs.length; row++) {
    const ts = part.timestampsMs[row]!;
    const key = BUCKET_ORIGIN_MS + Math.floor((ts - BUCKET_ORIGIN_MS) / bucketMs) * bucketMs;
    let state = buckets.get(key);
    if (!state) {
      state = {
        sum: new Float64Array(valueColumns),
        count: new Float64Array(valueColumns),
        min: new Float64Array(valueColumns).fill(Number.POSITIVE_INFINITY),
        max: new Float64Array(valueColumns).fill(Number.NEGATIVE_INFINITY),
        lastTs: new Float64Array(valueColumns).fill(Number.NEGATIVE_INFINITY),
        last: new Float64Array(valueColumns).fill(Number.NaN),
      };
      buckets.set(key, state);
    }
    for (let column = 0; column < valueColumns; column++) {
      const value = part.values[column]![row]!;
      if (Number.isNaN(value)) continue;
      state.sum[column]! += value;
      state.count[column]! += 1;
      if (value < state.min[column]!) state.min[column] = value;
      if (value > state.max[column]!) state.max[column] = value;
      if (ts >= state.lastTs[column]!) {
        state.lastTs[column] = ts;
        state.last[column] = value;
      }
    }
  }
}

/** The start of the `limit`-th newest bucket. */
function newestKeys(buckets: Map<number, BucketState>, limit: number): number {
  const keys = [...buckets.keys()].sort((a, b) => b - a);
  return keys[limit - 1] ?? Number.NEGATIVE_INFINITY;
}

function bucketWindow(buckets: Map<number, BucketState>, limit: number, agg: NonNullable<WindowRequest['agg']>, valueColumns: number): CollectedPart {
  const keys = [...buckets.keys()].sort((a, b) => a - b).slice(-limit);
  const values = Array.from({ length: valueColumns }, () => new Float64Array(keys.length));
  keys.forEach((key, row) => {
    const state = buckets.get(key)!;
    for (let column = 0; column < valueColumns; column++) {
      const count = state.count[column]!;
      values[column]![row] =
        count === 0
          ? Number.NaN
          : agg === 'avg'
            ? state.sum[column]! / count
            : agg === 'min'
              ? state.min[column]!
              : agg === 'max'
                ? state.max[column]!
                : state.last[column]!;
    }
  });
  return { timestampsMs: Float64Array.from(keys), values };
}
