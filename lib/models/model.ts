import type { Forecast } from '@/lib/core/forecast';
import type { Frequency } from '@/lib/core/frequency';

/**
 * What every model family implements (baselines, Chronos-Bolt, Informer): a description, and
 * `fit()` that returns a separate fitted object which forecasts. Zero-shot models "fit" by
 * keeping the context. Runtimes (augurs WASM, onnxruntime, TensorFlow.js) are injected into the
 * factory that builds a model, never imported here.
 */
export interface ModelInfo {
  /** Stable id, e.g. "seasonal-naive", "auto-ets", "chronos-bolt-small". */
  id: string;
  family: 'baseline' | 'chronos-bolt' | 'informer';
  label: string;
  /** Revision / sha256 of the weights for learned models. */
  revision?: string;
  /** Test checkpoints are never offered as real forecasters. */
  testOnly?: boolean;
  /** A hub checkpoint this browser has not downloaded yet: used on request only, never by "compare every model". */
  needsDownload?: boolean;
  /** Slow on long seasonal series (AutoARIMA's search): compared only when chosen, never by default. */
  optIn?: boolean;
}

export interface SeriesInput {
  /** Observed values in time order; NaN marks a missing value (gaps stay NaN, never stitched). */
  values: Float64Array | number[];
  /** Frequency of the series when known; models use it for seasonality. */
  frequency?: Frequency | null;
  /**
   * Season length in steps chosen by the user (`--season`, `season` in a request); when absent,
   * seasonal models take the frequency's default (`seasonalPeriod`), and 1 (none) without one.
   */
  season?: number;
  /** Epoch milliseconds of each value, when known (Informer reads time features from them). */
  timestampsMs?: ArrayLike<number> | null;
}

export interface ForecastRequest {
  horizon: number;
  /** Ascending levels in (0, 1); defaults to DEFAULT_QUANTILE_LEVELS. */
  quantileLevels?: readonly number[];
  signal?: AbortSignal;
}

export interface FittedModel {
  readonly info: ModelInfo;
  forecast(request: ForecastRequest): Promise<Forecast>;
  /** Frees runtime memory (WASM objects, tensors). Safe to call twice. */
  dispose(): void;
}

/**
 * Many series in few runtime calls (Chronos-Bolt): result i equals fit(series[i]) then
 * forecast(request), notes included. Backtests send their windows here.
 */
export interface BatchForecaster {
  /** Series per call, chosen from the model's size and a memory budget. */
  readonly batchSize: number;
  forecastBatch(series: readonly SeriesInput[], request: ForecastRequest): Promise<Forecast[]>;
}

export interface ForecastModel {
  readonly info: ModelInfo;
  fit(series: SeriesInput, options?: { signal?: AbortSignal }): Promise<FittedModel>;
  /** Present when the model batches; callers fall back to fit() per series without it. */
  readonly batch?: BatchForecaster;
}
