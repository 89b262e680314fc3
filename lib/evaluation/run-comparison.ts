import { backtestWindows, type BacktestWindow } from '@/lib/core/backtest';
import { toErrorPayload, type ErrorPayload } from '@/lib/core/errors';
import type { Forecast } from '@/lib/core/forecast';
import { seasonalPeriod as seasonOf, type Frequency } from '@/lib/core/frequency';
import type { ForecastModel, ModelInfo } from '@/lib/models/model';
import { forecastSeries } from '@/lib/models/run';
import type { DeviceChoice } from '@/lib/runtime/device';
import { backtestModel, type WindowForecast } from './backtest-model';
import { compareModels, type Comparison } from './comparison';

/**
 * A model comparison: every model backtested on the same rolling-origin windows, then each one's
 * forecast of the future from the newest `context` points, then the comparison table. Hosts
 * (the browser worker, Node tests and scripts) inject how models are created.
 */

export interface ModelTimings {
  /** Creating the model (weights download, session creation, WASM instantiation). */
  loadMs: number;
  /** Summed over the backtest windows and the final forecast. */
  fitMs: number;
  forecastMs: number;
  totalMs: number;
}

/** One model's part: every window's forecast and score, and its forecast of the future. */
export interface ModelEvaluation {
  model: ModelInfo;
  /** null when the model failed before it was created. */
  runtime: DeviceChoice | null;
  windows: WindowForecast[];
  /** Forecast from the newest `context` points (null when the model failed). */
  forecast: Forecast | null;
  timings: ModelTimings;
  /** A model that fails is reported here; the others are still compared. */
  error: ErrorPayload | null;
}

export interface ComparisonSettings {
  horizon: number;
  context: number;
  quantileLevels: number[];
  windows: number;
  step: number;
}

export interface ComparisonRun {
  seasonalPeriod: number;
  windows: BacktestWindow[];
  forecastTimestampsMs: number[] | null;
  models: ModelEvaluation[];
  comparison: Comparison;
}

export interface ComparisonProgress {
  modelId: string;
  /** Windows done for this model (windows + 1 when its future forecast is done too). */
  done: number;
  /** Over all models, 0..1. */
  fraction: number;
  message: string;
}

export async function runComparison({
  models,
  createModel,
  series,
  settings,
  baselineId,
  signal,
  onProgress,
  now = () => performance.now(),
}: {
  /** In table order; the baseline should be among them. */
  models: readonly ModelInfo[];
  createModel: (info: ModelInfo) => Promise<{ model: ForecastModel; runtime: DeviceChoice }>;
  series: { values: Float64Array; timestampsMs: Float64Array | readonly number[] | null; frequency: Frequency | null };
  settings: ComparisonSettings;
  baselineId: string;
  signal?: AbortSignal;
  onProgress?: (progress: ComparisonProgress) => void;
  now?: () => number;
}): Promise<ComparisonRun> {
  const season = seasonOf(series.frequency);
  // Every window gets at least one season of context (seasonal models need it), or all of it when shorter.
  const windows = backtestWindows(series.values.length, {
    windows: settings.windows,
    step: settings.step,
    horizon: settings.horizon,
    context: settings.context,
    minContext: Math.min(settings.context, Math.max(2, season + 1)),
  });
  const stepsPerModel = windows.length + 1;
  const total = models.length * stepsPerModel;
  const futureStart = Math.max(0, series.values.length - settings.context);
  const futureValues = series.values.subarray(futureStart);
  const futureTimestamps = series.timestampsMs ? series.timestampsMs.slice(futureStart) : null;
  let forecastTimestampsMs: number[] | null = null;
  const evaluations: ModelEvaluation[] = [];
  for (const [modelIndex, info] of models.entries()) {
    const started = now();
    const progress = (done: number, message: string) =>
      onProgress?.({ modelId: info.id, done, fraction: (modelIndex * stepsPerModel + done) / total, message });
    const evaluation: ModelEvaluation = {
      model: info,
      runtime: null,
      windows: [],
      forecast: null,
      timings: { loadMs: 0, fitMs: 0, forecastMs: 0, totalMs: 0 },
      error: null,
    };
    try {
      signal?.throwIfAborted();
      progress(0, `${info.label}: loading`);
      const created = await createModel(info);
      const { model } = created;
      evaluation.model = model.info;
      evaluation.runtime = created.runtime;
      evaluation.timings.loadMs = now() - started;
      const backtest = await backtestModel({
        model,
        values: series.values,
        timestampsMs: series.timestampsMs,
        frequency: series.frequency,
        windows,
        quantileLevels: settings.quantileLevels,
        seasonalPeriod: season,
        signal,
        onWindow: (done, count) => progress(done, `${info.label}: backtest window ${done} of ${count}`),
      });
      const future = await forecastSeries({
        model,
        values: futureValues,
        timestampsMs: futureTimestamps,
        frequency: series.frequency,
        horizon: settings.horizon,
        quantileLevels: settings.quantileLevels,
        signal,
      });
      progress(stepsPerModel, `${info.label}: forecast done`);
      // Read again after the runs: a WebGPU device lost mid-run moves the model to WASM.
      evaluation.runtime = created.runtime;
      forecastTimestampsMs ??= future.timestampsMs;
      evaluation.windows = backtest.windows;
      evaluation.forecast = future.forecast;
      evaluation.timings.fitMs = backtest.fitMs + future.fitMs;
      evaluation.timings.forecastMs = backtest.forecastMs + future.forecastMs;
    } catch (error) {
      // Cancelling stops the whole comparison; any other failure is this model's alone.
      if (signal?.aborted) throw error;
      evaluation.error = toErrorPayload(error);
    }
    evaluation.timings.totalMs = now() - started;
    evaluations.push(evaluation);
  }
  const comparison = compareModels({
    models: evaluations.map((evaluation) => ({
      modelId: evaluation.model.id,
      windows: evaluation.error ? [] : evaluation.windows.map((window) => window.metrics),
      timeMs: evaluation.timings.totalMs,
    })),
    baselineId,
  });
  return { seasonalPeriod: season, windows, forecastTimestampsMs, models: evaluations, comparison };
}
