import { describe, expect, it } from 'vitest';
import { chartGeometry } from '@/components/chart-geometry';
import { parseForecastConfig } from '@/lib/config';
import { reportBands, reportMedian, reportSeries, type ForecastReport } from '@/lib/report';

const report: ForecastReport = {
  version: 1,
  title: 't',
  config: parseForecastConfig({ version: 1, source: 's', target: 'y', model: 'm', context: 4, horizon: 2, quantileLevels: [0.1, 0.2, 0.5, 0.8, 0.9], backtest: { windows: 1, step: 2 } }),
  data: { name: 's', column: 'y', frequency: null, timestampsMs: null, values: [1, 2, null, 4, 5, 6] },
  model: { id: 'm', family: 'baseline', label: 'M', revision: null, sha256: null },
  runtime: { device: 'wasm', label: 'x', reason: 'x' },
  forecast: {
    quantileLevels: [0.1, 0.2, 0.5, 0.8, 0.9],
    quantiles: [[5, 4], [6, 5], [7, 7], [8, 9], [9, 10]],
    mean: [7, 7],
    timestampsMs: null,
    notes: [],
  },
  timings: { fetchMs: 0, fitMs: 0, forecastMs: 0, totalMs: 0 },
  backtest: {
    seasonalPeriod: 1,
    windows: [{ index: 0, contextStart: 0, cutoff: 4, horizon: 2 }],
    models: [
      {
        model: { id: 'm', family: 'baseline', label: 'M', revision: null, sha256: null },
        runtime: null,
        timings: { loadMs: 0, fitMs: 0, forecastMs: 0, totalMs: 0 },
        error: null,
        windows: [{ index: 0, cutoff: 4, forecast: { quantileLevels: [0.5], quantiles: [[4.5, 5.5]], mean: [4.5, 5.5] }, metrics: { mase: 1, wql: 1, crps: 1, smape: 1, mse: 1, mae: 1, mseScaled: 1, maeScaled: 1, coverage: null, intervalWidth: null, coverageLevel: null } }],
      },
    ],
    comparison: { baselineId: null, coverageLevel: null, rows: [] },
  },
};

describe('chart series of a report', () => {
  it('one band per symmetric pair of levels, widest first', () => {
    expect(reportBands(report.forecast).map((band) => [band.lowerLevel, band.upperLevel, band.coverage])).toEqual([
      [0.1, 0.9, 0.8],
      [0.2, 0.8, 0.6],
    ]);
    expect(reportBands({ quantileLevels: [0.05, 0.5, 0.9], quantiles: [[1], [2], [3]] })).toEqual([]);
  });

  it('the median is the 0.5 level, else the mean', () => {
    expect(reportMedian(report.forecast)).toEqual([7, 7]);
    expect(reportMedian({ quantileLevels: [0.1, 0.9], quantiles: [[1], [3]], mean: [2] })).toEqual([2]);
  });

  it('without timestamps, x is the position; the forecast continues after the data; backtests sit on their actuals', () => {
    const series = reportSeries(report);
    expect(series.timeAxis).toBe(false);
    expect(series.history).toEqual({ x: [0, 1, 2, 3, 4, 5], y: [1, 2, null, 4, 5, 6] });
    expect(series.forecast.x).toEqual([6, 7]);
    expect(series.backtests).toEqual([{ index: 0, x: [4, 5], median: [4.5, 5.5] }]);
  });

  it('historyPoints keeps the newest points and the backtests inside them', () => {
    expect(reportSeries(report, { historyPoints: 2 }).history.x).toEqual([4, 5]);
    expect(reportSeries(report, { historyPoints: 1 }).backtests).toEqual([]);
  });

  it('geometry: the history path breaks at the missing value; the forecast joins the last point', () => {
    const geometry = chartGeometry(reportSeries(report), { width: 100, height: 100, padding: { top: 0, right: 0, bottom: 0, left: 0 } });
    expect(geometry.historyPath.match(/M/g)).toHaveLength(2);
    expect(geometry.medianPath.startsWith('M')).toBe(true);
    expect(geometry.medianPath.match(/L/g)).toHaveLength(2);
    expect(geometry.bandPaths).toHaveLength(2);
    expect(geometry.bandPaths.every((path) => path.endsWith('Z'))).toBe(true);
    expect(geometry.backtestPaths).toHaveLength(1);
  });
});
