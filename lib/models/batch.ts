import { LookaheadError, toErrorPayload, type ErrorPayload } from '@/lib/core/errors';
import { inferFrequency, type Frequency } from '@/lib/core/frequency';
import type { ForecastModel } from './model';
import { forecastSeries, type ForecastRun } from './run';

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
 * Forecasts many series with one model, one at a time, and keeps going when one fails: each
 * outcome carries its forecast or its error, so one bad series never costs the others their
 * answers. Cancellation (the signal) stops the whole batch and throws. Internal errors (bugs)
 * are kept per series with a generic message; `onInternalError` may log the original.
 */
export async function forecastBatch(options: BatchOptions & { onInternalError?: (error: unknown, index: number) => void }): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = [];
  for (const [index, series] of options.series.entries()) {
    options.signal?.throwIfAborted();
    const idPart = series.id === undefined ? {} : { id: series.id };
    let outcome: BatchOutcome;
    try {
      const frequency = options.frequency ?? (series.timestampsMs ? inferFrequency(series.timestampsMs) : null);
      const run = await forecastSeries({
        model: options.model,
        values: series.values,
        timestampsMs: series.timestampsMs ?? null,
        frequency,
        ...(options.season === undefined ? {} : { season: options.season }),
        horizon: options.horizon,
        ...(options.quantileLevels ? { quantileLevels: options.quantileLevels } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      outcome = { index, ...idPart, ok: true, run };
    } catch (error) {
      if (options.signal?.aborted || (error instanceof Error && error.name === 'AbortError')) throw error;
      outcome = { index, ...idPart, ok: false, error: seriesError(error, index, series.id, options.onInternalError) };
    }
    outcomes.push(outcome);
    await options.onOutcome?.(outcome);
  }
  return outcomes;
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
