import { parquetRead, type FileMetaData } from 'hyparquet';
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

/** A row group's columns as read: time and values as numbers (NaN = null or absent), entities as stored. */
interface GroupColumns {
  timestampsMs: Float64Array;
  values: Float64Array[];
  entities: unknown[] | null;
}

const TWO_32 = 2 ** 32;
/** |high word| below this keeps high * 2^32 + low under 2^53: exact, as Number(bigint) is there. */
const SAFE_HIGH_WORD = 2 ** 21;

/**
 * Timestamps read as their raw INT64 words, not as a BigInt per row (hyparquet's conversion made
 * a million BigInts, most of a million-row read): the file's metadata with the time column's
 * timestamp annotation taken off, and the divisor that turns the raw number into milliseconds as
 * millisecondParsers would. Null (keep hyparquet's conversion) for other time types and for
 * nanoseconds, whose parser divides the BigInt first.
 */
interface RawTime {
  metadata: FileMetaData;
  divisor: number;
}
const rawTimes = new WeakMap<FileMetaData, Map<string, RawTime | null>>();

function rawTimeRead(metadata: FileMetaData, timeColumn: string): RawTime | null {
  let byColumn = rawTimes.get(metadata);
  if (!byColumn) rawTimes.set(metadata, (byColumn = new Map()));
  if (byColumn.has(timeColumn)) return byColumn.get(timeColumn)!;
  const element = metadata.schema.find((candidate, index) => index > 0 && candidate.name === timeColumn && !candidate.num_children);
  let divisor: number | null = null;
  if (element?.type === 'INT64') {
    const unit = element.logical_type?.type === 'TIMESTAMP' ? element.logical_type.unit : null;
    if (unit === 'MILLIS' || (!unit && element.converted_type === 'TIMESTAMP_MILLIS')) divisor = 1;
    else if (unit === 'MICROS' || (!unit && element.converted_type === 'TIMESTAMP_MICROS')) divisor = 1_000;
  }
  const raw =
    divisor === null
      ? null
      : { metadata: { ...metadata, schema: metadata.schema.map((candidate) => (candidate === element ? { ...candidate, converted_type: undefined, logical_type: undefined } : candidate)) }, divisor };
  byColumn.set(timeColumn, raw);
  return raw;
}

/** Raw INT64 timestamps into `target` as milliseconds, exactly as millisecondParsers converts them. */
function putRawTimestamps(data: ArrayLike<unknown>, divisor: number, target: Float64Array, targetOffset: number, from: number, to: number): void {
  if (data instanceof BigInt64Array) {
    const words = new Int32Array(data.buffer, data.byteOffset, data.length * 2);
    for (let index = from; index < to; index++) {
      const high = words[2 * index + 1]!;
      const raw = high > -SAFE_HIGH_WORD && high < SAFE_HIGH_WORD ? high * TWO_32 + (words[2 * index]! >>> 0) : Number(data[index]!);
      target[targetOffset + index] = raw / divisor;
    }
    return;
  }
  for (let index = from; index < to; index++) {
    const value = data[index];
    target[targetOffset + index] = typeof value === 'bigint' ? Number(value) / divisor : Number.NaN;
  }
}

/**
 * A row group's columns, column by column (hyparquet's onChunk): no array per row, which at a
 * million rows cost more than everything else in the read. Null when some row of the group came
 * in no chunk (hyparquet pruned pages), so the caller reads it row by row instead.
 */
async function readGroupColumns(candidate: RowGroupCandidate, readColumns: string[], hasEntity: boolean): Promise<GroupColumns | null> {
  const rows = candidate.rows;
  const raw = rawTimeRead(candidate.file.metadata, readColumns[0]!);
  const valueCount = readColumns.length - 1 - (hasEntity ? 1 : 0);
  const timestampsMs = new Float64Array(rows).fill(Number.NaN);
  const values = Array.from({ length: valueCount }, () => new Float64Array(rows).fill(Number.NaN));
  const entities = hasEntity ? new Array<unknown>(rows) : null;
  const covered = readColumns.map(() => 0);
  await parquetRead({
    file: candidate.file.file,
    metadata: raw?.metadata ?? candidate.file.metadata,
    columns: readColumns,
    rowStart: candidate.groupStart,
    rowEnd: candidate.groupStart + rows,
    parsers: millisecondParsers,
    onChunk: ({ columnName, columnData, rowStart }) => {
      const column = readColumns.indexOf(columnName);
      if (column < 0) return;
      // Chunks may reach outside the requested rows: keep the group's own.
      const offset = rowStart - candidate.groupStart;
      const from = Math.max(0, -offset);
      const to = Math.min(columnData.length, rows - offset);
      if (to <= from) return;
      covered[column]! += to - from;
      if (column === 0 && raw) {
        putRawTimestamps(columnData, raw.divisor, timestampsMs, offset, from, to);
        return;
      }
      if (column === 0) for (let index = from; index < to; index++) timestampsMs[offset + index] = toNumber(columnData[index]);
      else if (column <= valueCount) {
        const target = values[column - 1]!;
        for (let index = from; index < to; index++) target[offset + index] = toNumber(columnData[index]);
      } else for (let index = from; index < to; index++) entities![offset + index] = columnData[index];
    },
  });
  return covered.every((count) => count === rows) ? { timestampsMs, values, entities } : null;
}

async function readGroupRows(candidate: RowGroupCandidate, readColumns: string[], hasEntity: boolean): Promise<GroupColumns> {
  let rows: unknown[][] = [];
  await parquetRead({
    file: candidate.file.file,
    metadata: candidate.file.metadata,
    columns: readColumns,
    rowStart: candidate.groupStart,
    rowEnd: candidate.groupStart + candidate.rows,
    parsers: millisecondParsers,
    onComplete: (result) => (rows = result),
  });
  const valueCount = readColumns.length - 1 - (hasEntity ? 1 : 0);
  return {
    timestampsMs: Float64Array.from(rows, (row) => toNumber(row[0])),
    values: Array.from({ length: valueCount }, (_, column) => Float64Array.from(rows, (row) => toNumber(row[column + 1]))),
    entities: hasEntity ? rows.map((row) => row[readColumns.length - 1]) : null,
  };
}

async function readGroup(plan: ParquetWindowPlan, candidate: RowGroupCandidate, signal: AbortSignal | undefined): Promise<CollectedPart> {
  const { request, roles, columns: valueColumns } = plan;
  const readColumns = [roles.time.name, ...valueColumns, ...(roles.entity ? [roles.entity.name] : [])];
  const startMs = request.start?.getTime() ?? Number.NEGATIVE_INFINITY;
  const endMs = request.end?.getTime() ?? Number.POSITIVE_INFINITY;
  const entitySeries = roles.entity ? request.series! : null;
  let data: GroupColumns;
  try {
    const hasEntity = roles.entity !== null;
    data = (await readGroupColumns(candidate, readColumns, hasEntity)) ?? (await readGroupRows(candidate, readColumns, hasEntity));
  } catch (error) {
    signal?.throwIfAborted();
    throw parquetError(candidate.file.name, error);
  }
  plan.stats.rowGroupsRead++;
  const rowCount = data.timestampsMs.length;
  const timestampsMs = new Float64Array(rowCount);
  const values = valueColumns.map(() => new Float64Array(rowCount));
  let kept = 0;
  for (let row = 0; row < rowCount; row++) {
    const ts = data.timestampsMs[row]!;
    if (!Number.isFinite(ts) || ts < startMs || ts > endMs) continue;
    if (entitySeries !== null) {
      const entity = data.entities![row];
      if (entity === null || entity === undefined || String(entity) !== entitySeries) continue;
    }
    let pass = true;
    for (let column = 0; column < roles.targets.length; column++) {
      const value = data.values[column]![row]!;
      if (Number.isNaN(value)) {
        if (request.excludeNulls) pass = false;
      } else if ((request.min !== undefined && value < request.min) || (request.max !== undefined && value > request.max)) {
        pass = false;
      }
    }
    if (!pass) continue;
    timestampsMs[kept] = ts;
    for (let column = 0; column < valueColumns.length; column++) values[column]![kept] = data.values[column]![row]!;
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

/**
 * Whether the parts, oldest first, are already in time order: each part non-decreasing, and each
 * strictly after the part before it. Parts come newest row group first, each in file order, so for
 * a file written in time order this holds, and the window is a concatenation, not a sort (sorting
 * a million row indices with a comparator took seconds). Strictly after: equal timestamps across
 * parts would be ordered differently by the sort below.
 */
function inTimeOrder(parts: readonly CollectedPart[]): boolean {
  let previousLast = Number.NEGATIVE_INFINITY;
  for (let index = parts.length - 1; index >= 0; index--) {
    const timestamps = parts[index]!.timestampsMs;
    if (timestamps.length === 0) continue;
    if (!(timestamps[0]! > previousLast)) return false;
    for (let row = 1; row < timestamps.length; row++) if (timestamps[row]! < timestamps[row - 1]!) return false;
    previousLast = timestamps[timestamps.length - 1]!;
  }
  return true;
}

/** The timestamp of the `limit`-th newest collected row. */
function newestThreshold(parts: CollectedPart[], limit: number): number {
  if (inTimeOrder(parts)) {
    let remaining = limit;
    for (const part of parts) {
      if (remaining <= part.timestampsMs.length) return part.timestampsMs[part.timestampsMs.length - remaining]!;
      remaining -= part.timestampsMs.length;
    }
    return Number.NEGATIVE_INFINITY;
  }
  const all: number[] = [];
  for (const part of parts) for (const ts of part.timestampsMs) all.push(ts);
  all.sort((a, b) => b - a);
  return all[limit - 1] ?? Number.NEGATIVE_INFINITY;
}

function newestRows(parts: CollectedPart[], limit: number, valueColumns: number): CollectedPart {
  const total = parts.reduce((sum, part) => sum + part.timestampsMs.length, 0);
  if (inTimeOrder(parts)) {
    // Oldest part first, then keep the newest `limit` rows: the same rows, in the same order, the sort gives.
    const size = Math.min(total, limit);
    const timestamps = new Float64Array(size);
    const values = Array.from({ length: valueColumns }, () => new Float64Array(size));
    let skip = total - size;
    let offset = 0;
    for (let index = parts.length - 1; index >= 0; index--) {
      const part = parts[index]!;
      const from = Math.min(part.timestampsMs.length, skip);
      skip -= from;
      timestamps.set(part.timestampsMs.subarray(from), offset);
      part.values.forEach((column, columnIndex) => values[columnIndex]!.set(column.subarray(from), offset));
      offset += part.timestampsMs.length - from;
    }
    return { timestampsMs: timestamps, values };
  }
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
