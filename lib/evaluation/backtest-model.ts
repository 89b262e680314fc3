import { sliceWindow, type BacktestWindow } from '@/lib/core/backtest';
import type { Forecast } from '@/lib/core/forecast';
import type { Frequency } from '@/lib/core/frequency';
import { evaluateForecast, type MetricSet } from '@/lib/core/metrics';
import type { BatchForecaster, ForecastModel } from '@/lib/models/model';
import { forecastSeries } from '@/lib/models/run';

/** One backtest window's forecast, kept for display next to its score. */
export interface WindowForecast {
  /** BacktestWindow.index */
  index: number;
  cutoff: number;
  forecast: Forecast;
  metrics: MetricSet;
}

export interface ModelBacktest {
  windows: WindowForecast[];
  /** Summed over windows. */
  fitMs: number;
  forecastMs: number;
}

export interface BacktestModelArgs {
  model: ForecastModel;
  values: ArrayLike<number>;
  frequency: Frequency | null;
  /** Epoch milliseconds of the values, when known (models with time features need them). */
  timestampsMs?: ArrayLike<number> | null;
  windows: readonly BacktestWindow[];
  quantileLevels: readonly number[];
  /** MASE's season (seasonalPeriod(frequency) unless the caller knows better). */
  seasonalPeriod: number;
  signal?: AbortSignal;
  /** Called after each window, e.g. to post progress. */
  onWindow?: (done: number, total: number) => void;
}

/**
 * Rolling-origin backtest of one model: for each window, fit on the context alone (the values
 * before the cutoff: the model never sees the actuals it is scored on), forecast the horizon,
 * score it against the actuals with the context as MASE's in-sample part. A model that batches
 * (model.batch) gets the windows `batchSize` at a time in one call each; progress is still per
 * window, and cancelling stops before the next batch (and between the runtime calls inside one).
 * `oneCallPerWindow` forces the window-by-window path (the benchmark's "before").
 */
export async function backtestModel(args: BacktestModelArgs & { oneCallPerWindow?: boolean }): Promise<ModelBacktest> {
  const { model, values, frequency, windows, quantileLevels, seasonalPeriod, signal } = args;
  if (model.batch && !args.oneCallPerWindow) return backtestInBatches({ ...args, batch: model.batch });
  const results: WindowForecast[] = [];
  let fitMs = 0;
  let forecastMs = 0;
  for (const window of windows) {
    signal?.throwIfAborted();
    const { context, actual } = sliceWindow(values, window);
    const stamps = args.timestampsMs ? Array.from(args.timestampsMs).slice(window.contextStart, window.cutoff) : null;
    const run = await forecastSeries({ model, values: context, timestampsMs: stamps, frequency, horizon: window.horizon, quantileLevels, signal });
    fitMs += run.fitMs;
    forecastMs += run.forecastMs;
    const metrics = evaluateForecast({ actual, forecast: run.forecast, insample: context, seasonalPeriod });
    results.push({ index: window.index, cutoff: window.cutoff, forecast: run.forecast, metrics });
    args.onWindow?.(results.length, windows.length);
  }
  return { windows: results, fitMs, forecastMs };
}

async function backtestInBatches(args: BacktestModelArgs & { batch: BatchForecaster }): Promise<ModelBacktest> {
  const { batch, values, frequency, windows, quantileLevels, seasonalPeriod, signal } = args;
  const results: WindowForecast[] = [];
  let forecastMs = 0;
  for (let start = 0; start < windows.length; start += batch.batchSize) {
    signal?.throwIfAborted();
    const group = windows.slice(start, start + batch.batchSize);
    const slices = group.map((window) => sliceWindow(values, window));
    const started = performance.now();
    // One horizon per call: the windows of a backtest share it.
    const forecasts = await batch.forecastBatch(
      slices.map(({ context }, index) => ({
        values: context,
        frequency,
        ...(args.timestampsMs ? { timestampsMs: Array.from(args.timestampsMs).slice(group[index]!.contextStart, group[index]!.cutoff) } : {}),
      })),
      { horizon: group[0]!.horizon, quantileLevels, ...(signal ? { signal } : {}) },
    );
    forecastMs += performance.now() - started;
    group.forEach((window, index) => {
      const { context, actual } = slices[index]!;
      const forecast = forecasts[index]!;
      const metrics = evaluateForecast({ actual, forecast, insample: context, seasonalPeriod });
      results.push({ index: window.index, cutoff: window.cutoff, forecast, metrics });
      args.onWindow?.(results.length, windows.length);
    });
  }
  return { windows: results, fitMs: 0, forecastMs };
}
