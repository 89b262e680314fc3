import type { BacktestWindow } from '@/lib/core/backtest';
import type { ErrorPayload } from '@/lib/core/errors';
import type { Forecast } from '@/lib/core/forecast';
import type { QualityReport } from '@/lib/data/quality';
import type { Comparison, ModelEvaluation } from '@/lib/evaluation';
import type { WeightDtype } from '@/lib/models/chronos-bolt';
import type { ModelInfo } from '@/lib/models/model';
import type { DeviceChoice, DevicePreference, DeviceReport, ThreadsSetting } from '@/lib/runtime/device';

/**
 * The typed protocol between the page and workers/forecast.worker.ts. Plain data only; every
 * message carries the request id; every failure comes back as an `error` message.
 */

/** Where the worker gets the series from. */
export type SeriesSource =
  | {
      /** A source of GET /api/sources (sample, database table, parquet files, stored upload). */
      kind: 'source';
      sourceId: string;
      /** The target column (also in `params.columns`). */
      column: string;
      /** At most this many rows (or buckets): `params.limit`. */
      limit: number;
      /** The query of GET /api/sources/<sourceId>/window (lib/config windowParams). */
      params: Record<string, string>;
      /**
       * How the worker reads the window: 'arrow' (the default) asks the window route for an Arrow
       * stream; 'parquet-range' (parquet directories and stored uploads) reads the source's
       * parquet files by HTTP Range from /api/files, fetching only the row groups it needs.
       */
      transport?: 'arrow' | 'parquet-range';
    }
  | { kind: 'inline'; name: string; column: string; timestampsMs: number[] | null; values: number[]; frequency: string | null };

export interface ForecastJob {
  source: SeriesSource;
  modelId: string;
  horizon: number;
  quantileLevels: number[];
  /** WebGPU or WASM for learned models; 'auto' (default) follows the device report. */
  device?: DevicePreference;
  /** WASM threads for onnxruntime-web: 'auto' (default, every core) or a count (the worker's first session fixes it). */
  threads?: ThreadsSetting;
  /** false: do not report this run to POST /api/telemetry (the browser opted out). */
  telemetry?: boolean;
  /** Weight storage of a Chronos-Bolt converted in the browser (default fp32). */
  weights?: WeightDtype;
}

/**
 * Rolling-origin backtest of several models on the same windows, plus each model's forecast of
 * the future from the newest `context` points. The source must hold
 * context + (windows - 1) * step + horizon points (fewer shorten the oldest contexts).
 */
export interface BacktestJob {
  source: SeriesSource;
  /** Models to compare; seasonal naive is added when absent (it is the relative scores' baseline). */
  modelIds: string[];
  horizon: number;
  context: number;
  quantileLevels: number[];
  windows: number;
  step: number;
  device?: DevicePreference;
  threads?: ThreadsSetting;
}

export type WorkerRequest =
  | { kind: 'probe'; id: string }
  | { kind: 'forecast'; id: string; job: ForecastJob }
  | { kind: 'backtest'; id: string; job: BacktestJob }
  | {
      kind: 'parse-csv';
      id: string;
      name: string;
      text: string;
      /** Wide files: the time of V1 and the frequency (else steps). */
      wide?: { frequency: string; start: string };
      /** A parquet file's bytes (then `text` is empty): read with lib/data/series-parquet. */
      parquet?: ArrayBuffer;
    }
  | { kind: 'cancel'; id: string };

export type ProgressStage = 'fetching' | 'loading-model' | 'fitting' | 'forecasting' | 'backtesting';

/**
 * A series window as the worker hands it to the page: typed arrays, oldest first, NaN = missing,
 * transferred with the message (not copied), so a million points cost the page no decoding.
 */
export interface SeriesArrays {
  timestampsMs: Float64Array | null;
  values: Float64Array;
}

export interface ForecastResult {
  source: SeriesSource;
  model: ModelInfo;
  /** The history the model saw (the context). */
  history: SeriesArrays;
  frequency: string | null;
  forecast: Forecast;
  forecastTimestampsMs: number[] | null;
  runtime: DeviceChoice;
  /** Data quality of the window as the source holds it (before gaps became NaN). */
  quality: QualityReport;
  timings: { fetchMs: number; fitMs: number; forecastMs: number; totalMs: number };
}

export type { ModelEvaluation, ModelTimings } from '@/lib/evaluation';

export interface BacktestResult {
  source: SeriesSource;
  /** The whole data window the backtest read. */
  history: SeriesArrays;
  frequency: string | null;
  /** MASE's season. */
  seasonalPeriod: number;
  context: number;
  horizon: number;
  quantileLevels: number[];
  windows: BacktestWindow[];
  /** Timestamps of the future forecast's steps (null without timestamps). */
  forecastTimestampsMs: number[] | null;
  models: ModelEvaluation[];
  comparison: Comparison;
  /** Data quality of the window as the source holds it (before gaps became NaN). */
  quality: QualityReport;
  timings: { fetchMs: number; totalMs: number };
}

/** A parsed CSV, reduced to what the page needs to offer a forecast. */
export interface CsvSummary {
  name: string;
  rowCount: number;
  timestampColumn: string | null;
  frequency: string | null;
  numericColumns: string[];
  warnings: string[];
  timestampsMs: number[] | null;
  values: Record<string, number[]>;
  /** Files of many series: their layout and series; `timestampsMs` and `values` are the first series'. */
  layout?: 'single' | 'long' | 'wide';
  series?: { id: string; rowCount: number }[];
}

export type WorkerResponse =
  | { kind: 'device'; id: string; report: DeviceReport; choice: DeviceChoice; models: ModelInfo[] }
  | {
      kind: 'progress';
      id: string;
      stage: ProgressStage;
      message: string;
      fraction?: number;
      /** Backtests: which model and window the progress is about. */
      modelId?: string;
      window?: number;
    }
  | { kind: 'result'; id: string; result: ForecastResult }
  | { kind: 'backtest-result'; id: string; result: BacktestResult }
  | { kind: 'csv'; id: string; table: CsvSummary }
  | { kind: 'error'; id: string; error: ErrorPayload };
