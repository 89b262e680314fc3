import { addSteps, type Frequency } from '@/lib/core/frequency';
import type { Forecast } from '@/lib/core/forecast';
import type { ForecastModel, ModelInfo } from './model';

export interface ForecastRun {
  model: ModelInfo;
  forecast: Forecast;
  /** Timestamps of the forecast steps, continuing the history at its frequency (null when unknown). */
  timestampsMs: number[] | null;
  fitMs: number;
  forecastMs: number;
}

/** fit -> forecast -> dispose, timed; the fitted model is freed on every path. */
export async function forecastSeries({
  model,
  values,
  timestampsMs,
  frequency,
  season,
  horizon,
  quantileLevels,
  signal,
}: {
  model: ForecastModel;
  values: Float64Array | number[];
  timestampsMs?: ArrayLike<number> | null;
  frequency: Frequency | null;
  /** Season length chosen by the user; models default to the frequency's. */
  season?: number;
  horizon: number;
  quantileLevels?: readonly number[];
  signal?: AbortSignal;
}): Promise<ForecastRun> {
  signal?.throwIfAborted();
  const fitStarted = performance.now();
  const fitted = await model.fit({ values, frequency, ...(season === undefined ? {} : { season }), ...(timestampsMs ? { timestampsMs } : {}) }, { signal });
  try {
    const forecastStarted = performance.now();
    const forecast = await fitted.forecast({ horizon, quantileLevels, signal });
    const forecastMs = performance.now() - forecastStarted;
    return { model: fitted.info, forecast, timestampsMs: futureTimestamps(timestampsMs, frequency, horizon), fitMs: forecastStarted - fitStarted, forecastMs };
  } finally {
    fitted.dispose();
  }
}

/** Timestamps of the horizon's steps after the last of `timestampsMs` (null without both). */
export function futureTimestamps(timestampsMs: ArrayLike<number> | null | undefined, frequency: Frequency | null, horizon: number): number[] | null {
  const last = timestampsMs && timestampsMs.length ? timestampsMs[timestampsMs.length - 1]! : null;
  return last !== null && frequency ? Array.from({ length: horizon }, (_, step) => addSteps(last, frequency, step + 1)) : null;
}
