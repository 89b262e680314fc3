import { describe, expect, it } from 'vitest';
import type { Forecast } from '@/lib/core/forecast';
import { evaluateForecast } from '@/lib/core/metrics';

// One worked example for every field. actual [10, 20]; levels 0.1 / 0.5 / 0.9 with rows
// [8, 14] / [11, 19] / [13, 23]; mean [12, 18]; insample [8, 12, 9, 13] with seasonal period 2.
const actual = [10, 20];
const forecast: Forecast = {
  horizon: 2,
  quantileLevels: [0.1, 0.5, 0.9],
  quantiles: [
    [8, 14],
    [11, 19],
    [13, 23],
  ],
  mean: [12, 18],
};
const insample = [8, 12, 9, 13];

describe('evaluateForecast: hand-computed', () => {
  const metrics = evaluateForecast({ actual, forecast, insample, seasonalPeriod: 2 });

  it('mase: median [11, 19] has mae 1; scale (|9-8| + |13-12|) / 2 = 1; mase 1', () => {
    expect(metrics.mae).toBeCloseTo(1, 12);
    expect(metrics.mase).toBeCloseTo(1, 12);
  });
  it('smape of the median: 200/2 * (1/21 + 1/39)', () => {
    expect(metrics.smape).toBeCloseTo(100 * (1 / 21 + 1 / 39), 12);
  });
  it('mse uses the mean [12, 18]: (4 + 4) / 2 = 4', () => {
    expect(metrics.mse).toBeCloseTo(4, 12);
  });
  it('wql 1.6 / 30 and crps 0.8 (worked in metrics-quantile.test.ts)', () => {
    expect(metrics.wql).toBeCloseTo(1.6 / 30, 12);
    expect(metrics.crps).toBeCloseTo(0.8, 12);
  });
  it('scaled errors default to the in-sample scaler: mean 10.5, variance 17/4', () => {
    expect(metrics.mseScaled).toBeCloseTo(4 / (17 / 4), 12);
    expect(metrics.maeScaled).toBeCloseTo(1 / Math.sqrt(17 / 4), 12);
  });
  it('coverage of the 80% interval [0.1, 0.9]: 10 in [8, 13], 20 in [14, 23] -> 1; width (5 + 9) / 2 = 7', () => {
    expect(metrics.coverage).toBe(1);
    expect(metrics.intervalWidth).toBeCloseTo(7, 12);
    expect(metrics.coverageLevel).toBe(0.8);
  });
  it('returns exactly the MetricSet fields', () => {
    expect(Object.keys(metrics).sort()).toEqual(
      ['coverage', 'coverageLevel', 'crps', 'intervalWidth', 'mae', 'maeScaled', 'mase', 'mse', 'mseScaled', 'smape', 'wql'].sort(),
    );
  });
});

describe('evaluateForecast: options', () => {
  it('uses a given scaler: mseScaled 4 / 2^2 = 1, maeScaled 1 / 2 = 0.5', () => {
    const metrics = evaluateForecast({ actual, forecast, insample, seasonalPeriod: 2, scaler: { mean: 0, std: 2 } });
    expect(metrics.mseScaled).toBeCloseTo(1, 12);
    expect(metrics.maeScaled).toBeCloseTo(0.5, 12);
  });
  it('interval fields are null when the forecast lacks the levels of intervalLevel', () => {
    const metrics = evaluateForecast({ actual, forecast, insample, seasonalPeriod: 2, intervalLevel: 0.5 });
    expect([metrics.coverage, metrics.intervalWidth, metrics.coverageLevel]).toEqual([null, null, null]);
  });
  it('without a 0.5 level the absolute errors use the mean', () => {
    const noMedian: Forecast = { ...forecast, quantileLevels: [0.1, 0.9], quantiles: [forecast.quantiles[0]!, forecast.quantiles[2]!] };
    const metrics = evaluateForecast({ actual, forecast: noMedian, insample, seasonalPeriod: 2 });
    expect(metrics.mae).toBeCloseTo(2, 12);
  });
});

describe('evaluateForecast: NaN handling', () => {
  it('a missing actual is skipped by every metric that reads actuals', () => {
    const gapForecast: Forecast = {
      horizon: 3,
      quantileLevels: [0.1, 0.5, 0.9],
      quantiles: [
        [8, 0, 14],
        [11, 0, 19],
        [13, 0, 23],
      ],
      mean: [12, 0, 18],
    };
    const withGap = evaluateForecast({ actual: [10, Number.NaN, 20], forecast: gapForecast, insample, seasonalPeriod: 2 });
    const without = evaluateForecast({ actual, forecast, insample, seasonalPeriod: 2 });
    for (const key of Object.keys(without) as (keyof typeof without)[]) {
      const expected = without[key];
      if (key !== 'intervalWidth' && typeof expected === 'number') expect(withGap[key]).toBeCloseTo(expected, 12);
    }
    // The width is a property of the forecast alone and spans every step: (5 + 0 + 9) / 3.
    expect(withGap.intervalWidth).toBeCloseTo(14 / 3, 12);
  });
});

describe('evaluateForecast: errors', () => {
  it('rejects actuals whose length is not the horizon', () => {
    expect(() => evaluateForecast({ actual: [1, 2, 3], forecast, insample, seasonalPeriod: 2 })).toThrow(
      'metrics: evaluateForecast needs one actual per forecast step, got 3 actuals for horizon 2',
    );
  });
});
