import { describe, expect, it } from 'vitest';
import { createSeasonalNaive, residualSigma, seasonalNaivePoint } from '@/lib/models/baselines';
import { frequencyFromLabel } from '@/lib/core/frequency';
import { normalQuantile } from '@/lib/core/normal';

describe('seasonal naive', () => {
  // y = 1..8 with season 4: y_hat(T+h) = y(T+h-4) for h <= 4, then repeats.
  const values = [1, 2, 3, 4, 5, 6, 7, 8];

  it('repeats the last season', () => {
    expect(seasonalNaivePoint(values, 4, 6)).toEqual([5, 6, 7, 8, 5, 6]);
  });

  it('computes sigma from seasonal residuals by hand', () => {
    // residuals y_t - y_{t-4} for t = 4..7: 4, 4, 4, 4 -> sigma = 4
    expect(residualSigma(values, 4)).toBe(4);
    // season 1: residuals all 1 -> sigma 1
    expect(residualSigma(values, 1)).toBe(1);
  });

  it('widens intervals by sqrt(k+1) per whole season ahead (fpp3 5.5)', async () => {
    const model = createSeasonalNaive({ season: 4 });
    const fitted = await model.fit({ values });
    const forecast = await fitted.forecast({ horizon: 6, quantileLevels: [0.1, 0.5, 0.9] });
    const z = normalQuantile(0.9); // 1.2815515655446004
    expect(z).toBeCloseTo(1.2815515655446004, 8);
    expect(forecast.quantileLevels).toEqual([0.1, 0.5, 0.9]);
    expect(forecast.quantiles[1]).toEqual([5, 6, 7, 8, 5, 6]);
    // steps 1..4: sd = 4 * sqrt(1); steps 5..6: sd = 4 * sqrt(2)
    expect(forecast.quantiles[2]![0]).toBeCloseTo(5 + 4 * z, 10);
    expect(forecast.quantiles[0]![3]).toBeCloseTo(8 - 4 * z, 10);
    expect(forecast.quantiles[2]![4]).toBeCloseTo(5 + 4 * Math.SQRT2 * z, 10);
    expect(forecast.mean).toEqual([5, 6, 7, 8, 5, 6]);
  });

  it('takes the season from the frequency (hourly -> 24)', async () => {
    const hourly = Array.from({ length: 72 }, (_, t) => (t % 24) * 10 + Math.floor(t / 24));
    const fitted = await createSeasonalNaive().fit({ values: hourly, frequency: frequencyFromLabel('1h') });
    const forecast = await fitted.forecast({ horizon: 24, quantileLevels: [0.5] });
    expect(forecast.quantiles[0]).toEqual(hourly.slice(48));
  });

  it('walks back a whole season past a missing value', () => {
    const withGap = [1, 2, 3, 4, 5, Number.NaN, 7, 8];
    expect(seasonalNaivePoint(withGap, 4, 4)).toEqual([5, 2, 7, 8]);
  });

  it('skips missing values in the residuals', () => {
    // pairs (t=4: 5-1), (t=5: NaN), (t=6: 7-3), (t=7: 8-4) -> all 4
    expect(residualSigma([1, 2, 3, 4, 5, Number.NaN, 7, 8], 4)).toBe(4);
  });

  it('falls back to season 1 when the series is shorter than a season, and says so', async () => {
    const fitted = await createSeasonalNaive({ season: 12 }).fit({ values: [3, 5, 4] });
    const forecast = await fitted.forecast({ horizon: 2, quantileLevels: [0.5] });
    expect(forecast.quantiles[0]).toEqual([4, 4]);
    expect(forecast.notes?.[0]).toContain('using season 1');
  });

  it('rejects an all-missing series with a clear message', async () => {
    await expect(createSeasonalNaive().fit({ values: [Number.NaN, Number.NaN] })).rejects.toThrow(
      'model: seasonal naive needs at least one observed value; the series is empty or all missing',
    );
  });

  it('rejects a bad horizon and bad levels', async () => {
    const fitted = await createSeasonalNaive({ season: 1 }).fit({ values: [1, 2, 3] });
    await expect(fitted.forecast({ horizon: 0 })).rejects.toThrow('model: horizon must be an integer from 1 to 10000, got 0');
    await expect(fitted.forecast({ horizon: 2, quantileLevels: [0, 0.5] })).rejects.toThrow('model: quantile level 0 is outside (0, 1)');
  });
});
