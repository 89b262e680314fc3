import 'server-only';
import { LookaheadError } from '@/lib/core/errors';
import { frequencyFromLabel, inferFrequency, type Frequency } from '@/lib/core/frequency';
import { regularizeWindow } from '@/lib/data/regularize';
import type { DatabaseHandle } from '@/db';
import { dataPlaneConfig, openSeriesWindows, parseWindowRequest, readWholeWindow, resolveSource, sourceSeries, type DataPlaneConfig, type ResolvedSource, type SeriesWindows, type WindowReader, type WindowRequest } from '@/lib/server/sources';

/**
 * Series of a job, read through the same source registry and window readers as the routes (SQL
 * with binary COPY, parquet row groups, sample datasets). A job names its window the way the
 * window route's query does (`table`, `time`, `columns`, `entity`, `start`, `end`, `bucket`, ...),
 * so the same validation applies; each series is that window with `series=<id>&limit=<points>`.
 */

export type WindowQuery = Record<string, string>;

export interface JobSeries {
  id: string;
  values: Float64Array;
  timestampsMs: Float64Array;
  frequency: Frequency | null;
}

export interface SeriesSource {
  source: ResolvedSource;
  config: DataPlaneConfig;
  base: WindowRequest;
}

const RESERVED = ['series', 'limit', 'ids'];

export async function openSeriesSource({ sourceId, window, handle, rowCap }: { sourceId: string; window: WindowQuery; handle?: DatabaseHandle; rowCap?: number }): Promise<SeriesSource> {
  for (const key of RESERVED) {
    if (key in window) throw new LookaheadError('jobs', 'bad_input', `window.${key}: a job chooses series with "series" (a list of ids, or all) and their length with "context"; remove window.${key}`);
  }
  const config = dataPlaneConfig();
  const source = await resolveSource(sourceId, { config, ...(handle ? { handle } : {}) });
  const base = parseWindowRequest(new URLSearchParams(window), { rowCap: rowCap ?? config.rowCap });
  return { source, config, base };
}

/** Every series id of the window's table (sample datasets: the one series ''). */
/** Every series id of the source's window, up to `maxSeries` (the per-job limit, not the UI list's 10,000); truncated when there are more. */
export async function listSeriesIds(series: SeriesSource, maxSeries: number): Promise<{ ids: string[]; truncated: boolean }> {
  const listing = await sourceSeries(series.source, { ...series.base, limit: 1 }, series.config, maxSeries);
  return { ids: listing.series.map((entry) => entry.id), truncated: listing.truncated };
}

/** `work`, or a ReadTimeoutError after `seconds` (the work itself is left to settle on its own). */
export async function withTimeout<T>(work: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new ReadTimeoutError(what, seconds)), seconds * 1000)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A read that did not finish in time: the connection under it is presumed lost, so the whole chunk is retried (not the series failed). */
export class ReadTimeoutError extends LookaheadError {
  constructor(what: string, seconds: number) {
    super('jobs', 'internal', `${what.startsWith('series ') ? `reading ${what}` : what} took over ${seconds} s (connection lost?); the chunk is retried on fresh connections`);
  }
}

/** One series' newest `points` values, on its regular grid (gaps as NaN), read through `windows` (one per lane, reused for series after series). */
async function readSeriesFrom(windows: SeriesWindows, id: string, points: number, signal?: AbortSignal, timeoutSeconds = 120): Promise<JobSeries> {
  signal?.throwIfAborted();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let opened: WindowReader | null = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Not awaited: closing a reader whose socket died may itself never finish.
      void opened?.close().catch(() => undefined);
      reject(new ReadTimeoutError(`series "${id}"`, timeoutSeconds));
    }, timeoutSeconds * 1000);
  });
  let reader: WindowReader;
  let whole: Awaited<ReturnType<typeof readWholeWindow>>;
  try {
    reader = await Promise.race([windows.open(id, points), timeout]);
    opened = reader;
    whole = await Promise.race([readWholeWindow(reader), timeout]);
  } finally {
    clearTimeout(timer);
  }
  return jobSeriesFrom(id, reader.columns[0], whole, reader.frequencyLabel);
}

/** A window's rows as a job series: its first value column on its regular grid (declared or inferred frequency), gaps as NaN. */
function jobSeriesFrom(id: string, column: string | undefined, whole: { timestampsMs: Float64Array; columns: Record<string, Float64Array> }, frequencyLabel: string | null): JobSeries {
  if (!column) throw new LookaheadError('jobs', 'bad_input', `series "${id}": the window has no value column; name one in window.columns`);
  const declared = frequencyLabel ? frequencyFromLabel(frequencyLabel) : null;
  const frequency = declared ?? inferFrequency(whole.timestampsMs);
  const raw = whole.columns[column]!;
  if (raw.length === 0) throw new LookaheadError('jobs', 'not_found', `series "${id}" has no rows in the window`);
  if (!frequency) return { id, values: raw, timestampsMs: whole.timestampsMs, frequency: null };
  const regular = regularizeWindow(whole.timestampsMs, { [column]: raw }, frequency);
  return { id, values: regular.columns[column]!, timestampsMs: regular.timestampsMs, frequency };
}

/** One series' newest `points` values, on its regular grid (gaps as NaN). */
export async function readSeries(series: SeriesSource, id: string, points: number, signal?: AbortSignal, timeoutSeconds = 120): Promise<JobSeries> {
  return (await readSeriesBatch(series, [id], points, { parallel: 1, ...(signal ? { signal } : {}), timeoutSeconds, failFast: true }))[0] as JobSeries;
}

/**
 * The series in one read where the source offers it (SeriesWindows.readMany): each a series, an
 * Error, or null where that read found no rows. Null as a whole when the source cannot, or the
 * read failed for a reason other than a timeout or the abort (the caller reads series by series).
 */
async function readBatched(series: SeriesSource, ids: readonly string[], points: number, { signal, timeoutSeconds }: { signal?: AbortSignal | undefined; timeoutSeconds: number }): Promise<(JobSeries | Error | null)[] | null> {
  signal?.throwIfAborted();
  let windows: SeriesWindows | null = null;
  let hung = false;
  try {
    windows = await withTimeout(openSeriesWindows(series.source, series.base, series.config), timeoutSeconds, `series "${ids[0]!}": opening a read session`);
    if (!windows.readMany) return null;
    const many = await withTimeout(windows.readMany(ids, points), timeoutSeconds, `series "${ids[0]!}" and ${ids.length - 1} more`);
    return many.windows.map((window, index) => {
      if (!window) return null;
      try {
        return jobSeriesFrom(ids[index]!, many.columns[0], window, series.base.bucket?.label ?? null);
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    });
  } catch (error) {
    if (signal?.aborted || error instanceof ReadTimeoutError) {
      hung = true;
      throw error;
    }
    return null;
  } finally {
    await closeSession(windows, hung);
  }
}

/** Closes a read session: awaited, or, where its connection hung (a timeout), left to time out on its own. */
async function closeSession(windows: SeriesWindows | null, hung: boolean): Promise<void> {
  if (hung) void windows?.close().catch(() => undefined);
  else await windows?.close().catch(() => undefined);
}

/**
 * Reads `ids` with at most `parallel` reads in flight; a failed read is that series' error. Each
 * lane reads its series one after another on one read session (SQL sources resolve the table
 * once per lane, not once per series).
 */
export async function readSeriesBatch(
  series: SeriesSource,
  ids: readonly string[],
  points: number,
  { parallel = 4, signal, timeoutSeconds, failFast = false }: { parallel?: number; signal?: AbortSignal; timeoutSeconds?: number; failFast?: boolean } = {},
): Promise<(JobSeries | Error)[]> {
  const out: (JobSeries | Error)[] = new Array(ids.length);
  let next = 0;
  // Where the source reads many series in one statement (SQL tables: one binary COPY for the
  // whole batch instead of two round trips per series), do that; a series it finds no rows for,
  // and every series if that read fails, goes through the per-series lanes below, which name the
  // reason (not in the table, no rows in the window) or the error.
  let todo = ids.map((_, index) => index);
  if (ids.length > 1 && !failFast) {
    const batched = await readBatched(series, ids, points, { signal, timeoutSeconds: timeoutSeconds ?? 120 });
    if (batched) {
      todo = [];
      batched.forEach((entry, index) => (entry === null ? todo.push(index) : (out[index] = entry)));
    }
  }
  const lane = async () => {
    let windows: SeriesWindows | null = null;
    let hung = false;
    try {
      while (next < todo.length) {
        const index = todo[next++]!;
        try {
          // Opened at the lane's first series (and again after a failed open), so a source that cannot be read fails each series with the reason, as a per-series read would.
          windows ??= await withTimeout(openSeriesWindows(series.source, series.base, series.config), timeoutSeconds ?? 120, `series "${ids[index]!}": opening a read session`);
          out[index] = await readSeriesFrom(windows, ids[index]!, points, signal, timeoutSeconds);
        } catch (error) {
          if (signal?.aborted || error instanceof ReadTimeoutError || failFast) {
            hung = error instanceof ReadTimeoutError;
            throw error;
          }
          out[index] = error instanceof Error ? error : new Error(String(error));
        }
      }
    } finally {
      await closeSession(windows, hung);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, todo.length) }, lane));
  return out;
}
