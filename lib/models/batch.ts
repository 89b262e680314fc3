import { LookaheadError, toErrorPayload, type ErrorPayload } from '@/lib/core/errors';
import { inferFrequency, type Frequency } from '@/lib/core/frequency';
import type { ForecastModel } from './model';
import { forecastSeries, futureTimestamps, type ForecastRun } from './run';

/** One series of a batch: values (NaN = missing), optional timestamps and a caller's id. */
export interface BatchSeries {
  /** The caller's name for the series; errors name it. */
  id?: string;
  values: Float64Array | number[];
  /** UTC milliseconds, one per value; the forecast's timestamps continue them. */
  timestampsMs?: number[] | null;
}

/** What one series of a batch came to: its forecast, or why it has none. */
export type BatchOutcome =
  | { index: number; id?: string; ok: true; run: ForecastRun }
  | { index: number; id?: string; ok: false; error: ErrorPayload };

export interface BatchOptions {
  model: ForecastModel;
  series: readonly BatchSeries[];
  horizon: number;
  quantileLevels?: readonly number[];
  /** Declared frequency for every series; otherwise inferred from each series' timestamps. */
  frequency?: Frequency | null;
  /** Season length for every series (steps); otherwise the frequency's default. */
  season?: number;
  signal?: AbortSignal;
  /** Called after each series, in order (progress for the job queue). */
  onOutcome?: (outcome: BatchOutcome) => void | Promise<void>;
}

/** "series.3" or "series.3 (id "north")": how messages name a series. */
export function seriesName(index: number, id?: string): string {
  return id === undefined ? `series.${index}` : `series.${index} (id ${JSON.stringify(id)})`;
}

/**
 * Forecasts many series with one model (in batches when the model batches, else one at a
 * time) and keeps going when one fails: each
 * outcome carries its forecast or its error, so one bad series never costs the others their
 * answers. Cancellation (the signal) stops the whole batch and throws. Internal errors (bugs)
 * are kept per series with a generic message; `onInternalError` may log the original.
 */
export async function forecastBatch(options: BatchOptions & { onInternalError?: (error: unknown, index: number) => void }): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = [];
  const batcher = options.model.batch;
  const groupSize = batcher ? Math.max(1, batcher.batchSize) : 1;
  for (let start = 0; start < options.series.length; start += groupSize) {
    options.signal?.throwIfAborted();
    const group = options.series.slice(start, start + groupSize);
    // A batching model (Chronos-Bolt) takes the group in one runtime pass; if that pass fails, the
    // group is rerun series by series so that only the bad series carries the error.
    const batched = batcher && group.length > 1 ? await tryBatch(options, start, group) : null;
    for (const [offset, series] of group.entries()) {
      const outcome = batched?.[offset] ?? (await forecastOne(options, start + offset, series));
      outcomes.push(outcome);
      await options.onOutcome?.(outcome);
    }
  }
  return outcomes;
}

function frequencyOf(options: BatchOptions, series: BatchSeries): Frequency | null {
  return options.frequency ?? (series.timestampsMs ? inferFrequency(series.timestampsMs) : null);
}

async function tryBatch(options: BatchOptions, start: number, group: readonly BatchSeries[]): Promise<BatchOutcome[] | null> {
  const inputs = group.map((series) => ({
    values: series.values,
    frequency: frequencyOf(options, series),
    ...(options.season === undefined ? {} : { season: options.season }),
  }));
  const started = performance.now();
  try {
    const forecasts = await options.model.batch!.forecastBatch(inputs, {
      horizon: options.horizon,
      ...(options.quantileLevels ? { quantileLevels: options.quantileLevels } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const forecastMs = (performance.now() - started) / group.length;
    return group.map((series, offset) => ({
      index: start + offset,
      ...(series.id === undefined ? {} : { id: series.id }),
      ok: true as const,
      run: { model: options.model.info, forecast: forecasts[offset]!, timestampsMs: futureTimestamps(series.timestampsMs, inputs[offset]!.frequency, options.horizon), fitMs: 0, forecastMs },
    }));
  } catch (error) {
    if (options.signal?.aborted || (error instanceof Error && error.name === 'AbortError')) throw error;
    return null;
  }
}

async function forecastOne(options: BatchOptions & { onInternalError?: (error: unknown, index: number) => void }, index: number, series: BatchSeries): Promise<BatchOutcome> {
  options.signal?.throwIfAborted();
  const idPart = series.id === undefined ? {} : { id: series.id };
  try {
    const run = await forecastSeries({
      model: options.model,
      values: series.values,
      timestampsMs: series.timestampsMs ?? null,
      frequency: frequencyOf(options, series),
      ...(options.season === undefined ? {} : { season: options.season }),
      horizon: options.horizon,
      ...(options.quantileLevels ? { quantileLevels: options.quantileLevels } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { index, ...idPart, ok: true, run };
  } catch (error) {
    if (options.signal?.aborted || (error instanceof Error && error.name === 'AbortError')) throw error;
    return { index, ...idPart, ok: false, error: seriesError(error, index, series.id, options.onInternalError) };
  }
}

function seriesError(error: unknown, index: number, id: string | undefined, onInternalError?: (error: unknown, index: number) => void): ErrorPayload {
  const name = seriesName(index, id);
  if (error instanceof LookaheadError && error.expose) {
    const payload = toErrorPayload(error);
    return { ...payload, message: `${error.subsystem}: ${name}: ${error.message.replace(`${error.subsystem}: `, '')}` };
  }
  onInternalError?.(error, index);
  return { code: 'internal', subsystem: 'forecast', message: `forecast: ${name}: internal error while forecasting this series; see the server log` };
}
