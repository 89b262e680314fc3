import { parquetRead } from 'hyparquet';
import type { WindowBatch } from '@/lib/data/arrow-window';
import { BucketAccumulator, bucketMilliseconds } from './buckets';
import { millisecondParsers, parquetError } from './metadata';
import type { ParquetWindowPlan, RowGroupCandidate } from './plan';

/**
 * Reading a planned parquet window: row groups newest first until the newest `limit` rows (or
 * buckets) are known, each filtered by start/end, series, min/max and excludeNulls; the window
 * comes back oldest first. The server (files on disk) and the browser worker (HTTP Range) both
 * read through here, so both see the same rows.
 */

export interface ParquetReadProgress {
  rowGroupsRead: number;
  /** Row groups the plan may read; reading usually stops before the oldest. */
  rowGroupsPlanned: number;
  /** Rows (or buckets) of the window known so far, up to the request's limit. */
  collected: number;
  limit: number;
}

export interface ParquetReadOptions {
  signal?: AbortSignal;
  /** Called after each row group is read. */
  onRowGroup?: (progress: ParquetReadProgress) => void;
}

interface CollectedPart {
  timestampsMs: Float64Array;
  values: Float64Array[];
}

function toNumber(value: unknown): number {
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime();
  return Number.NaN;
}

async function readGroup(plan: ParquetWindowPlan, candidate: RowGroupCandidate, signal: AbortSignal | undefined): Promise<CollectedPart> {
  const { request, roles, columns: valueColumns } = plan;
  const readColumns = [roles.time.name, ...valueColumns, ...(roles.entity ? [roles.entity.name] : [])];
  const startMs = request.start?.getTime() ?? Number.NEGATIVE_INFINITY;
  const endMs = request.end?.getTime() ?? Number.POSITIVE_INFINITY;
  const entitySeries = roles.entity ? request.series! : null;
  let rows: unknown[][] = [];
  try {
    await parquetRead({
      file: candidate.file.file,
      metadata: candidate.file.metadata,
      columns: readColumns,
      rowStart: candidate.groupStart,
      rowEnd: candidate.groupStart + candidate.rows,
      parsers: millisecondParsers,
      onComplete: (result) => (rows = result),
    });
  } catch (error) {
    signal?.throwIfAborted();
    throw parquetError(candidate.file.name, error);
  }
  plan.stats.rowGroupsRead++;
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

/** Reads the window the plan describes, oldest first, as one batch. */
export async function readParquetWindow(plan: ParquetWindowPlan, { signal, onRowGroup }: ParquetReadOptions = {}): Promise<WindowBatch> {
  const { request, candidates, columns } = plan;
  const buckets = request.bucket ? new BucketAccumulator(bucketMilliseconds(request.bucket), columns.length) : null;
  const parts: CollectedPart[] = [];
  let collected = 0;
  for (const candidate of candidates) {
    signal?.throwIfAborted();
    if (collected >= request.limit) {
      const threshold = buckets ? buckets.newestStart(request.limit) : newestThreshold(parts, request.limit);
      // Candidates are newest first: once one ends before the window, so do all the rest.
      if (candidate.maxTs < threshold) break;
    }
    const part = await readGroup(plan, candidate, signal);
    if (buckets) {
      buckets.add(part.timestampsMs, part.values);
      collected = buckets.size;
    } else {
      parts.push(part);
      collected += part.timestampsMs.length;
    }
    onRowGroup?.({ rowGroupsRead: plan.stats.rowGroupsRead, rowGroupsPlanned: candidates.length, collected: Math.min(collected, request.limit), limit: request.limit });
  }
  const window = buckets ? buckets.window(request.limit, request.agg ?? 'avg') : newestRows(parts, request.limit, columns.length);
  return { timestampsMs: window.timestampsMs, columns: Object.fromEntries(columns.map((name, column) => [name, window.values[column]!])) };
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
