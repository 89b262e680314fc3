import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { parseForecastConfig } from '@/lib/config';
import { exportFileStem, forecastCsv, forecastJson, forecastParquet } from '@/lib/export';
import type { ForecastReport } from '@/lib/report';

const jan = Date.UTC(1961, 0, 1);
const feb = Date.UTC(1961, 1, 1);

/** A hand-made 2-step forecast at levels 0.1, 0.5, 0.9 with one missing value. */
const report: ForecastReport = {
  version: 1,
  title: 'AirPassengers · #Passengers · Seasonal naive',
  config: parseForecastConfig({ version: 1, source: 'air-passengers', target: '#Passengers', model: 'seasonal-naive', context: 24, horizon: 2, quantileLevels: [0.1, 0.5, 0.9] }),
  data: { name: 'AirPassengers', column: '#Passengers', frequency: '1M', timestampsMs: [Date.UTC(1960, 11, 1)], values: [432] },
  model: { id: 'seasonal-naive', family: 'baseline', label: 'Seasonal naive', revision: null, sha256: null },
  runtime: { device: 'wasm', label: 'JavaScript, 1 thread', reason: 'test' },
  forecast: { quantileLevels: [0.1, 0.5, 0.9], quantiles: [[400.5, 380], [417, 391], [433.25, null]], mean: [417, 391], timestampsMs: [jan, feb], notes: [] },
  timings: { fetchMs: 0, fitMs: 0, forecastMs: 0, totalMs: 0 },
  backtest: null,
};

describe('forecast exports', () => {
  it('CSV: header, one CRLF row per step, ISO UTC times, empty cell for missing', () => {
    expect(forecastCsv(report)).toBe(
      'timestamp,step,mean,q0.1,q0.5,q0.9\r\n' + '1961-01-01T00:00:00.000Z,1,417,400.5,417,433.25\r\n' + '1961-02-01T00:00:00.000Z,2,391,380,391,\r\n',
    );
  });

  it('CSV without timestamps leaves the timestamp column empty', () => {
    const untimed = { ...report, forecast: { ...report.forecast, timestampsMs: null } };
    expect(forecastCsv(untimed).split('\r\n')[1]).toBe(',1,417,400.5,417,433.25');
  });

  it('CSV keeps every digit a double has', () => {
    const precise = { ...report, forecast: { ...report.forecast, mean: [0.1 + 0.2, 1e-7] } };
    expect(forecastCsv(precise).split('\r\n')[1]!.split(',')[2]).toBe('0.30000000000000004');
    expect(Number(forecastCsv(precise).split('\r\n')[2]!.split(',')[2])).toBe(1e-7);
  });

  it('JSON: model, levels, one object per step with quantiles keyed by level', () => {
    expect(forecastJson(report)).toEqual({
      format: 'lookahead-forecast',
      version: 1,
      title: 'AirPassengers · #Passengers · Seasonal naive',
      source: 'air-passengers',
      target: '#Passengers',
      frequency: '1M',
      model: { id: 'seasonal-naive', family: 'baseline', label: 'Seasonal naive', revision: null, sha256: null },
      quantileLevels: [0.1, 0.5, 0.9],
      steps: [
        { step: 1, timestamp: '1961-01-01T00:00:00.000Z', mean: 417, quantiles: { '0.1': 400.5, '0.5': 417, '0.9': 433.25 } },
        { step: 2, timestamp: '1961-02-01T00:00:00.000Z', mean: 391, quantiles: { '0.1': 380, '0.5': 391, '0.9': null } },
      ],
    });
  });

  it('parquet: read back with hyparquet, same columns, values, nulls and metadata', async () => {
    const buffer = forecastParquet(report);
    const rows = await parquetReadObjects({ file: buffer });
    expect(rows).toEqual([
      { timestamp: new Date(jan), step: 1, mean: 417, 'q0.1': 400.5, 'q0.5': 417, 'q0.9': 433.25 },
      { timestamp: new Date(feb), step: 2, mean: 391, 'q0.1': 380, 'q0.5': 391, 'q0.9': null },
    ]);
    const metadata = parquetMetadata(buffer);
    const keyValues = Object.fromEntries((metadata.key_value_metadata ?? []).map((entry) => [entry.key, entry.value]));
    expect(JSON.parse(keyValues['lookahead.model']!)).toEqual(report.model);
    expect(JSON.parse(keyValues['lookahead.config']!)).toEqual(report.config);
    expect(metadata.created_by).toBe('lookahead');
  });

  it('parquet without timestamps has no timestamp column', async () => {
    const rows = await parquetReadObjects({ file: forecastParquet({ ...report, forecast: { ...report.forecast, timestampsMs: null } }) });
    expect(Object.keys(rows[0]!)).toEqual(['step', 'mean', 'q0.1', 'q0.5', 'q0.9']);
  });

  it('file names come from data, target and model', () => {
    expect(exportFileStem(report)).toBe('airpassengers-passengers-seasonal-naive');
  });
});
