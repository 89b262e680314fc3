import { describe, expect, it } from 'vitest';
import type { MetricSet } from '@/lib/core/metrics';
import { compareAcrossSeries } from '@/lib/evaluation';
import { manySeriesForecastCsv } from '@/lib/export';

function scores(mase: number, wql: number): MetricSet {
  return { mase, wql, crps: wql, smape: 10, mse: 1, mae: 1, mseScaled: 1, maeScaled: 1, coverage: 0.8, intervalWidth: 1, coverageLevel: 0.8 };
}

describe('compareAcrossSeries', () => {
  it('pools windows of every series and takes the geometric mean relative to seasonal naive', () => {
    const comparison = compareAcrossSeries({
      series: [
        {
          seriesId: 'A',
          models: [
            { modelId: 'seasonal-naive', windows: [scores(1, 0.2), scores(2, 0.4)], timeMs: 1 },
            { modelId: 'auto-ets', windows: [scores(0.5, 0.1), scores(1, 0.4)], timeMs: 2 },
          ],
        },
        {
          seriesId: 'B',
          models: [
            { modelId: 'seasonal-naive', windows: [scores(4, 1)], timeMs: 1 },
            { modelId: 'auto-ets', windows: [scores(8, 1)], timeMs: 2 },
          ],
        },
        // A failed model on one series: left out there only.
        { seriesId: 'C', models: [{ modelId: 'seasonal-naive', windows: [scores(1, 1)], timeMs: 1 }, { modelId: 'auto-ets', windows: [], timeMs: 0 }] },
      ],
    });
    const ets = comparison.rows.find((row) => row.modelId === 'auto-ets')!;
    const naive = comparison.rows.find((row) => row.modelId === 'seasonal-naive')!;
    // Ratios 0.5, 0.5, 2 -> (0.5 * 0.5 * 2)^(1/3); WQL ratios 0.5, 1, 1 -> 0.5^(1/3).
    expect(ets.values.relativeMase).toBeCloseTo(Math.cbrt(0.5), 12);
    expect(ets.values.relativeWql).toBeCloseTo(Math.cbrt(0.5), 12);
    expect(naive.values.relativeMase).toBeCloseTo(1, 12);
    // Pooled mean MASE of ETS over its three windows.
    expect(ets.values.mase).toBeCloseTo((0.5 + 1 + 8) / 3, 12);
    expect(comparison.seriesCount).toEqual({ 'seasonal-naive': 3, 'auto-ets': 2 });
    expect(ets.best).toContain('relativeMase');
    expect(naive.best).not.toContain('relativeMase');
  });
});

describe('manySeriesForecastCsv', () => {
  it('writes unique_id, ds, mean and one column per level, one row per series and step', () => {
    const csv = manySeriesForecastCsv([
      { seriesId: 'A', timestampsMs: [Date.UTC(2022, 0, 1), Date.UTC(2022, 1, 1)], quantileLevels: [0.1, 0.5, 0.9], quantiles: [[1, 2], [3, 4], [5, 6]], mean: [3, 4] },
      { seriesId: 'Sydney / NSW, Holiday', timestampsMs: null, quantileLevels: [0.1, 0.5, 0.9], quantiles: [[1, Number.NaN], [2, 3], [4, 5]], mean: [2, 3] },
    ]);
    expect(csv).toBe(
      [
        'unique_id,ds,mean,0.1,0.5,0.9',
        'A,2022-01-01T00:00:00.000Z,3,1,3,5',
        'A,2022-02-01T00:00:00.000Z,4,2,4,6',
        '"Sydney / NSW, Holiday",1,2,1,2,4',
        '"Sydney / NSW, Holiday",2,3,,3,5',
        '',
      ].join('\r\n'),
    );
  });

  it('refuses series forecast at different levels', () => {
    expect(() =>
      manySeriesForecastCsv([
        { seriesId: 'A', timestampsMs: null, quantileLevels: [0.5], quantiles: [[1]], mean: [1] },
        { seriesId: 'B', timestampsMs: null, quantileLevels: [0.1, 0.9], quantiles: [[1], [2]], mean: [1] },
      ]),
    ).toThrow('export: series "B" has levels 0.1, 0.9, the others 0.5');
  });
});
