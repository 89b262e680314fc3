import { beforeAll, describe, expect, it } from 'vitest';
import { reportFromBacktest, reportFromForecast } from '@/lib/client/report';
import { parseForecastConfig } from '@/lib/config';
import { LookaheadError } from '@/lib/core/errors';
import { assessQuality } from '@/lib/data/quality';
import { parseForecastReport, type ForecastReport } from '@/lib/report';
import { compareInNode } from '../support/comparison';

const settings = { horizon: 12, context: 96, quantileLevels: [0.1, 0.2, 0.5, 0.8, 0.9], windows: 2, step: 12 };
const config = parseForecastConfig({
  version: 1,
  source: 'air-passengers',
  target: '#Passengers',
  model: 'auto-ets',
  context: 96,
  horizon: 12,
  quantileLevels: settings.quantileLevels,
  backtest: { windows: 2, step: 12, models: [] },
});

let report: ForecastReport;

beforeAll(async () => {
  const result = await compareInNode({ file: 'data/samples/AirPassengers.csv', column: '#Passengers', settings });
  report = reportFromBacktest({ config, dataName: 'AirPassengers', result });
});

function messageOf(input: unknown): string {
  try {
    parseForecastReport(input, 'share');
  } catch (error) {
    expect(error).toBeInstanceOf(LookaheadError);
    return (error as Error).message;
  }
  throw new Error('expected the snapshot to be refused');
}

const clone = (): ForecastReport => structuredClone(report);

describe('forecast report (the shared snapshot)', () => {
  it('a real backtest comparison is a valid report and survives JSON unchanged', () => {
    const json = JSON.parse(JSON.stringify(report));
    expect(parseForecastReport(json)).toEqual(report);
    expect(report.title).toBe('AirPassengers · #Passengers · AutoETS');
    expect(report.data.values).toHaveLength(96 + 12 + 12);
    expect(report.backtest!.models.map((entry) => entry.model.id)).toEqual(['seasonal-naive', 'auto-ets', 'theta', 'mstl']);
    expect(report.backtest!.comparison.rows.every((row) => Number.isFinite(row.values.mase!))).toBe(true);
  });

  it('shows config.model, or the first model that ran when it failed', async () => {
    expect([report.model.id, report.config.model]).toEqual(['auto-ets', 'auto-ets']);
    const result = await compareInNode({ file: 'data/samples/AirPassengers.csv', column: '#Passengers', settings });
    result.models[1] = { ...result.models[1]!, windows: [], forecast: null, error: { code: 'internal', subsystem: 'model', message: 'model: failed' } };
    const fallback = reportFromBacktest({ config, dataName: 'AirPassengers', result });
    expect([fallback.model.id, fallback.config.model]).toEqual(['seasonal-naive', 'seasonal-naive']);
    expect(fallback.backtest!.models[1]!.error).toBe('model: failed');
  });

  it('refuses a forecast whose quantile rows do not match its levels', () => {
    const broken = clone();
    broken.forecast.quantiles.pop();
    expect(messageOf(broken)).toBe('share: not a valid forecast snapshot: forecast.quantiles: has 4 rows for 5 levels');
  });

  it('refuses a forecast shorter than the configured horizon', () => {
    const broken = clone();
    broken.forecast.mean.pop();
    expect(messageOf(broken)).toContain('forecast.mean: has 11 steps; the horizon is 12');
  });

  it('refuses a backtest window whose context reaches into its actuals (a leak) or past the data', () => {
    const leaking = clone();
    leaking.backtest!.windows[0]!.contextStart = leaking.backtest!.windows[0]!.cutoff;
    expect(messageOf(leaking)).toContain('backtest.windows.0: context [');
    const past = clone();
    past.backtest!.windows[1]!.cutoff = past.data.values.length;
    expect(messageOf(past)).toContain(`do not fit ${past.data.values.length} values`);
  });

  it('refuses timestamps that do not match the values', () => {
    const broken = clone();
    broken.data.timestampsMs!.pop();
    expect(messageOf(broken)).toContain('data.timestampsMs: has 119 timestamps for 120 values');
  });

  it('refuses a model that is not the configured one', () => {
    const broken = clone();
    broken.model.id = 'mstl';
    expect(messageOf(broken)).toContain('model.id: is "mstl" but config.model is "auto-ets"');
  });

  it('refuses NaN smuggled in as a number, unknown keys, and a comparison row without a model', () => {
    const nan = clone() as unknown as { data: { values: unknown[] } };
    nan.data.values[0] = 'NaN';
    expect(messageOf(nan)).toContain('data.values.0: ');
    expect(messageOf({ ...clone(), extra: true })).toContain('extra');
    const orphan = clone();
    orphan.backtest!.comparison.rows[0]!.modelId = 'ghost';
    expect(messageOf(orphan)).toContain('backtest.comparison.rows.0.modelId: "ghost" has no backtest entry');
  });

  it('a report without a backtest (a plain forecast) is valid too', () => {
    const entry = report.backtest!.models[0]!;
    const plain = reportFromForecast({
      config: { ...config, model: 'seasonal-naive' },
      dataName: 'AirPassengers',
      result: {
        source: { kind: 'source', sourceId: 'air-passengers', column: '#Passengers', limit: 96, params: { columns: '#Passengers', limit: '96' } },
        model: { id: 'seasonal-naive', family: 'baseline', label: 'Seasonal naive' },
        history: { timestampsMs: Float64Array.from(report.data.timestampsMs!.slice(-96)), values: Float64Array.from(report.data.values.slice(-96) as number[]) },
        frequency: '1M',
        forecast: { horizon: 12, quantileLevels: settings.quantileLevels, quantiles: entry.windows[0]!.forecast.quantiles as number[][], mean: entry.windows[0]!.forecast.mean as number[] },
        forecastTimestampsMs: report.forecast.timestampsMs,
        runtime: { device: 'wasm', label: 'JavaScript, 1 thread', reason: 'test' },
        quality: assessQuality({ timestampsMs: report.data.timestampsMs!.slice(-96), values: report.data.values.slice(-96) as number[], nowMs: Date.UTC(1961, 0, 15) }),
        timings: { fetchMs: 1, fitMs: 2, forecastMs: 3, totalMs: 6 },
      },
    });
    expect(parseForecastReport(JSON.parse(JSON.stringify(plain)))).toEqual(plain);
    expect(plain.backtest).toBeNull();
  });

  it('a failing message lists at most 8 problems and counts the rest', () => {
    const broken = clone();
    broken.forecast.quantiles = broken.forecast.quantiles.map(() => []);
    broken.forecast.mean = [];
    broken.forecast.timestampsMs = [];
    broken.data.timestampsMs = [];
    broken.model.id = 'x';
    broken.backtest!.comparison.rows.forEach((row) => (row.modelId = 'y'));
    expect(messageOf(broken)).toMatch(/; and \d+ more$/);
  });
});
