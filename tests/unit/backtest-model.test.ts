import { describe, expect, it } from 'vitest';
import { backtestWindows } from '@/lib/core/backtest';
import { evaluateForecast } from '@/lib/core/metrics';
import { backtestModel, runComparison } from '@/lib/evaluation';
import { createSeasonalNaive, type FittedModel, type ForecastModel, type SeriesInput } from '@/lib/models';
import { makeFrequency } from '@/lib/core/frequency';

/** A model that forecasts the last value it saw and records every context it was fitted on. */
function recordingModel(seen: number[][]): ForecastModel {
  const info = { id: 'last-value', family: 'baseline' as const, label: 'last value' };
  return {
    info,
    async fit(series: SeriesInput): Promise<FittedModel> {
      const values = Array.from(series.values);
      seen.push(values);
      const last = values.at(-1)!;
      return {
        info,
        async forecast({ horizon, quantileLevels = [0.1, 0.5, 0.9] }) {
          return { horizon, quantileLevels: [...quantileLevels], quantiles: quantileLevels.map(() => Array(horizon).fill(last)), mean: Array(horizon).fill(last) };
        },
        dispose() {},
      };
    },
  };
}

const series = Float64Array.from({ length: 40 }, (_, index) => index);

describe('backtestModel', () => {
  it('fits each window on its context only: the model never sees the actuals it is scored on', async () => {
    const seen: number[][] = [];
    const windows = backtestWindows(series.length, { windows: 3, step: 5, horizon: 4, context: 10 });
    const result = await backtestModel({ model: recordingModel(seen), values: series, frequency: null, windows, quantileLevels: [0.1, 0.5, 0.9], seasonalPeriod: 1 });
    expect(seen).toHaveLength(3);
    windows.forEach((window, index) => {
      // Context = the 10 values just before the cutoff, and nothing at or after it.
      expect(seen[index]).toEqual(Array.from({ length: 10 }, (_, offset) => window.cutoff - 10 + offset));
      expect(Math.max(...seen[index]!)).toBeLessThan(window.cutoff);
    });
    expect(result.windows.map((window) => window.cutoff)).toEqual([26, 31, 36]);
  });

  it('keeps every window forecast with its score against the actuals', async () => {
    const windows = backtestWindows(series.length, { windows: 2, step: 4, horizon: 4, context: 8 });
    const result = await backtestModel({ model: recordingModel([]), values: series, frequency: null, windows, quantileLevels: [0.1, 0.5, 0.9], seasonalPeriod: 1 });
    const last = result.windows[1]!;
    // Last value before cutoff 36 is 35; actuals 36..39: errors 1, 2, 3, 4.
    expect(last.forecast.mean).toEqual([35, 35, 35, 35]);
    expect(last.metrics.mae).toBe(2.5);
    // In-sample naive scale of 28..35 is 1, so MASE = MAE.
    expect(last.metrics.mase).toBe(2.5);
    expect(last.metrics).toEqual(
      evaluateForecast({ actual: [36, 37, 38, 39], forecast: last.forecast, insample: Array.from(series.slice(28, 36)), seasonalPeriod: 1 }),
    );
  });

  it('stops between windows when cancelled', async () => {
    const controller = new AbortController();
    const windows = backtestWindows(series.length, { windows: 3, step: 5, horizon: 4 });
    const seen: number[][] = [];
    const running = backtestModel({
      model: recordingModel(seen),
      values: series,
      frequency: null,
      windows,
      quantileLevels: [0.5],
      seasonalPeriod: 1,
      signal: controller.signal,
      onWindow: () => controller.abort(),
    });
    await expect(running).rejects.toThrow();
    expect(seen).toHaveLength(1);
  });
});

describe('runComparison', () => {
  const hourly = makeFrequency('hour', 1);
  const values = Float64Array.from({ length: 24 * 12 }, (_, hour) => 10 + Math.sin((2 * Math.PI * hour) / 24) + (hour % 7) * 0.1);
  const timestampsMs = Array.from(values, (_, hour) => Date.UTC(2024, 0, 1) + hour * 3_600_000);
  const settings = { horizon: 24, context: 96, quantileLevels: [0.1, 0.5, 0.9], windows: 3, step: 24 };

  it('scores every model on the same windows and forecasts the future from the newest context', async () => {
    const failing: ForecastModel = { info: { id: 'broken', family: 'baseline', label: 'Broken' }, fit: async () => Promise.reject(new Error('no weights')) };
    const run = await runComparison({
      models: [createSeasonalNaive().info, recordingModel([]).info, failing.info],
      createModel: async (info) => ({
        model: info.id === 'seasonal-naive' ? createSeasonalNaive() : info.id === 'broken' ? failing : recordingModel([]),
        runtime: { device: 'wasm', label: 'test', reason: 'test' },
      }),
      series: { values, timestampsMs, frequency: hourly },
      settings,
      baselineId: 'seasonal-naive',
    });
    expect(run.seasonalPeriod).toBe(24);
    expect(run.windows.map((window) => window.cutoff)).toEqual([values.length - 72, values.length - 48, values.length - 24]);
    expect(run.models.map((entry) => entry.windows.map((window) => window.cutoff))).toEqual([
      [values.length - 72, values.length - 48, values.length - 24],
      [values.length - 72, values.length - 48, values.length - 24],
      [],
    ]);
    expect(run.models[2]!.error).toMatchObject({ code: 'internal', message: 'no weights' });
    expect(run.models[1]!.forecast!.mean).toEqual(Array(24).fill(values.at(-1)));
    expect(run.forecastTimestampsMs![0]).toBe(timestampsMs.at(-1)! + 3_600_000);
    expect(run.comparison.rows.map((row) => row.modelId)).toEqual(['seasonal-naive', 'last-value', 'broken']);
    expect(run.comparison.rows[2]!.values.mase).toBeNull();
  });
});
