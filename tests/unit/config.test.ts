import { describe, expect, it } from 'vitest';
import {
  decodeConfigParam,
  encodeConfigParam,
  MAX_CONFIG_PARAM_LENGTH,
  parseForecastConfig,
  parseForecastConfigJson,
  serializeForecastConfig,
  windowLength,
  windowParams,
  windowQuery,
  workbenchHref,
  type ForecastConfig,
} from '@/lib/config';
import { LookaheadError } from '@/lib/core/errors';

const full: ForecastConfig = {
  version: 1,
  source: 'etth1',
  table: null,
  time: null,
  entity: null,
  series: '',
  target: 'OT',
  covariates: ['HUFL', 'HULL'],
  window: { start: null, end: '2018-06-01T00:00:00Z' },
  filters: { min: null, max: null, excludeNulls: false },
  downsample: null,
  model: 'auto-ets',
  context: 168,
  horizon: 24,
  quantileLevels: [0.05, 0.1, 0.5, 0.9, 0.95],
  backtest: { windows: 7, step: 24, models: ['seasonal-naive', 'auto-ets'] },
  preset: 'energy',
};

function messageOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(LookaheadError);
    return (error as Error).message;
  }
  throw new Error('expected a LookaheadError');
}

describe('forecast configuration: one JSON document', () => {
  it('round-trips through the exported file unchanged', () => {
    const text = serializeForecastConfig(full);
    expect(parseForecastConfigJson(text)).toEqual(full);
    // Stable form: two-space JSON with a trailing newline, keys in schema order.
    expect(text.startsWith('{\n  "version": 1,\n  "source": "etth1",')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('fills defaults for what a hand-written file leaves out', () => {
    const config = parseForecastConfig({ version: 1, source: 'air-passengers', target: '#Passengers', model: 'seasonal-naive', context: 96, horizon: 12 });
    expect(config).toEqual({
      version: 1,
      source: 'air-passengers',
      table: null,
      time: null,
      entity: null,
      series: '',
      target: '#Passengers',
      covariates: [],
      window: { start: null, end: null },
      filters: { min: null, max: null, excludeNulls: false },
      downsample: null,
      model: 'seasonal-naive',
      context: 96,
      horizon: 12,
      quantileLevels: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
      backtest: { windows: 3, step: 24, models: [] },
      preset: null,
    });
  });

  it('names every bad field in one message', () => {
    const message = messageOf(() => parseForecastConfig({ ...full, horizon: 0, quantileLevels: [0.5, 0.1], context: 1.5 }));
    expect(message).toMatch(/^config: not a valid Lookahead configuration: /);
    expect(message).toContain('horizon: ');
    expect(message).toContain('quantileLevels: levels must be strictly ascending without duplicates');
    expect(message).toContain('context: ');
  });

  it('rejects levels outside (0, 1)', () => {
    expect(messageOf(() => parseForecastConfig({ ...full, quantileLevels: [0, 0.5] }))).toContain('quantileLevels.0: each level must be > 0');
    expect(messageOf(() => parseForecastConfig({ ...full, quantileLevels: [0.5, 1] }))).toContain('quantileLevels.1: each level must be < 1');
  });

  it('rejects unknown keys (a typo must not be ignored silently)', () => {
    expect(messageOf(() => parseForecastConfig({ ...full, horizn: 12 }))).toContain('horizn');
  });

  it('rejects a model compared twice', () => {
    expect(messageOf(() => parseForecastConfig({ ...full, backtest: { windows: 2, step: 1, models: ['mstl', 'mstl'] } }))).toContain(
      'backtest.models: backtest.models lists a model twice',
    );
  });

  it('rejects another version', () => {
    expect(messageOf(() => parseForecastConfig({ ...full, version: 2 }))).toContain('version: ');
  });

  it('rejects text that is not JSON, saying so', () => {
    expect(messageOf(() => parseForecastConfigJson('{"version": 1,'))).toMatch(/^config: the configuration is not JSON: /);
  });

  it('reads a configuration written before tables, filters and downsampling existed', () => {
    const old = { version: 1, source: 'etth1', series: '', target: 'OT', covariates: [], window: { end: null }, model: 'mstl', context: 96, horizon: 12 };
    const config = parseForecastConfig(old);
    expect(config.window).toEqual({ start: null, end: null });
    expect(config.filters).toEqual({ min: null, max: null, excludeNulls: false });
    expect(config.downsample).toBeNull();
    expect(config.table).toBeNull();
  });

  it('rejects a start after the end, min above max, and a calendar bucket', () => {
    expect(messageOf(() => parseForecastConfig({ ...full, window: { start: '2018-07-01T00:00:00Z', end: '2018-06-01T00:00:00+00:00' } }))).toContain(
      'window.start: window.start must not be after window.end',
    );
    // Offsets are compared as instants, not as text: 01:00+02:00 is before 00:00Z.
    expect(parseForecastConfig({ ...full, window: { start: '2018-06-01T01:00:00+02:00', end: '2018-06-01T00:00:00Z' } }).window.start).toBe('2018-06-01T01:00:00+02:00');
    expect(messageOf(() => parseForecastConfig({ ...full, filters: { min: 5, max: 1, excludeNulls: false } }))).toContain('filters.min: filters.min must not exceed filters.max');
    expect(messageOf(() => parseForecastConfig({ ...full, downsample: { bucket: '1M', agg: 'avg' } }))).toContain('downsample.bucket: bucket must be a fixed duration');
    expect(messageOf(() => parseForecastConfig({ ...full, downsample: { bucket: '1h', agg: 'median' } }))).toContain('downsample.agg');
  });

  it('the data window holds the oldest context plus every later step: 168 + 6 x 24 + 24 = 336', () => {
    expect(windowLength(full)).toBe(336);
  });
});

describe('configuration links (/?config=)', () => {
  it('round-trips through base64url, including non-ASCII names', () => {
    const config = { ...full, target: 'température °C', source: 'upload:mesures été.csv' };
    const param = encodeConfigParam(config);
    expect(param).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeConfigParam(param)).toEqual(config);
    expect(workbenchHref(config)).toBe(`/?config=${param}`);
  });

  it('refuses characters outside base64url', () => {
    expect(messageOf(() => decodeConfigParam('abc+/='))).toBe('config: the config parameter is not base64url (A-Z, a-z, 0-9, - and _)');
  });

  it('refuses a parameter over the length limit before decoding it', () => {
    expect(messageOf(() => decodeConfigParam('a'.repeat(MAX_CONFIG_PARAM_LENGTH + 1)))).toBe(
      `config: the config parameter is ${MAX_CONFIG_PARAM_LENGTH + 1} characters; the limit is ${MAX_CONFIG_PARAM_LENGTH}`,
    );
  });

  it('validates what it decodes', () => {
    const param = Buffer.from(JSON.stringify({ ...full, horizon: -1 })).toString('base64url');
    expect(messageOf(() => decodeConfigParam(param))).toContain('horizon: ');
  });
});

describe('window parameters of a configuration', () => {
  it('a sample asks for its column and the newest points only', () => {
    expect(windowParams(full, 336)).toEqual({ columns: 'OT', limit: '336', end: '2018-06-01T00:00:00Z' });
  });

  it('a database table carries its roles, series, range, filters and downsampling, and parses back on the server', () => {
    const config = parseForecastConfig({
      ...full,
      source: 'warehouse',
      table: 'public.readings',
      time: 'observed_at',
      entity: 'sensor',
      series: 'plant-7',
      target: 'kw',
      window: { start: '2024-01-01T00:00:00Z', end: null },
      filters: { min: 0, max: 1e6, excludeNulls: true },
      downsample: { bucket: '1h', agg: 'max' },
    });
    const params = windowParams(config, 500);
    expect(params).toEqual({
      columns: 'kw',
      limit: '500',
      table: 'public.readings',
      time: 'observed_at',
      entity: 'sensor',
      series: 'plant-7',
      start: '2024-01-01T00:00:00Z',
      min: '0',
      max: '1000000',
      excludeNulls: 'true',
      bucket: '1h',
      agg: 'max',
    });
    expect(new URLSearchParams(windowQuery(config, 500)).get('series')).toBe('plant-7');
  });
});
