import { describe, expect, it } from 'vitest';
import {
  decodeConfigParam,
  encodeConfigParam,
  MAX_CONFIG_PARAM_LENGTH,
  parseForecastConfig,
  parseForecastConfigJson,
  serializeForecastConfig,
  windowLength,
  workbenchHref,
  type ForecastConfig,
} from '@/lib/config';
import { LookaheadError } from '@/lib/core/errors';

const full: ForecastConfig = {
  version: 1,
  source: 'etth1',
  series: '',
  target: 'OT',
  covariates: ['HUFL', 'HULL'],
  window: { end: '2018-06-01T00:00:00Z' },
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
      series: '',
      target: '#Passengers',
      covariates: [],
      window: { end: null },
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
