import type { ErrorPayload } from '@/lib/core/errors';
import type { Forecast } from '@/lib/core/forecast';
import type { ModelInfo } from '@/lib/models/model';
import type { DeviceChoice, DeviceReport } from '@/lib/runtime/device';

/**
 * The typed protocol between the page and workers/forecast.worker.ts. Plain data only; every
 * message carries the request id; every failure comes back as an `error` message.
 */

/** Where the worker gets the series from. */
export type SeriesSource =
  | { kind: 'dataset'; datasetId: string; seriesId?: string; column: string; limit: number }
  | { kind: 'inline'; name: string; column: string; timestampsMs: number[] | null; values: number[]; frequency: string | null };

export interface ForecastJob {
  source: SeriesSource;
  modelId: string;
  horizon: number;
  quantileLevels: number[];
}

export type WorkerRequest =
  | { kind: 'probe'; id: string }
  | { kind: 'forecast'; id: string; job: ForecastJob }
  | { kind: 'parse-csv'; id: string; name: string; text: string }
  | { kind: 'cancel'; id: string };

export type ProgressStage = 'fetching' | 'loading-model' | 'fitting' | 'forecasting';

export interface ForecastResult {
  source: SeriesSource;
  model: ModelInfo;
  /** The history the model saw (the context), oldest first; NaN = missing. */
  history: { timestampsMs: number[] | null; values: number[] };
  frequency: string | null;
  forecast: Forecast;
  forecastTimestampsMs: number[] | null;
  runtime: DeviceChoice;
  timings: { fetchMs: number; fitMs: number; forecastMs: number; totalMs: number };
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
}

export type WorkerResponse =
  | { kind: 'device'; id: string; report: DeviceReport; choice: DeviceChoice }
  | { kind: 'progress'; id: string; stage: ProgressStage; message: string; fraction?: number }
  | { kind: 'result'; id: string; result: ForecastResult }
  | { kind: 'csv'; id: string; table: CsvSummary }
  | { kind: 'error'; id: string; error: ErrorPayload };
