import { describe, expect, it } from 'vitest';
import { POST } from '@/app/api/forecast/route';

async function post(body: unknown, raw = false) {
  const response = await POST(
    new Request('http://localhost/api/forecast', { method: 'POST', body: raw ? (body as string) : JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  );
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

const monthly = Array.from({ length: 48 }, (_, t) => 100 + 10 * Math.sin((2 * Math.PI * t) / 12) + t);
const monthlyTimestamps = monthly.map((_, t) => new Date(Date.UTC(2020, t, 1)).toISOString());

describe('POST /api/forecast (baselines, real augurs WASM)', () => {
  it('answers quantiles per series with levels, model, runtime and time', async () => {
    const { status, json } = await post({ model: 'seasonal-naive', horizon: 3, levels: [0.1, 0.5, 0.9], series: [{ values: monthly, timestamps: monthlyTimestamps }, { values: [1, 2, 3] }] });
    expect(status).toBe(200);
    expect(json.model).toEqual({ id: 'seasonal-naive', label: 'Seasonal naive' });
    expect(json.levels).toEqual([0.1, 0.5, 0.9]);
    expect(json.runtime).toBe('JavaScript');
    expect(json.forecasts).toHaveLength(2);
    // monthly timestamps -> season 12: the next three months repeat months 36..38
    expect(json.forecasts[0].quantiles[1]).toEqual(monthly.slice(36, 39));
    expect(json.forecasts[0].timestamps).toEqual(['2024-01-01T00:00:00.000Z', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z']);
    expect(json.forecasts[1].mean).toEqual([3, 3, 3]);
    expect(json.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('runs MSTL with a declared frequency', async () => {
    const { status, json } = await post({ model: 'mstl', horizon: 12, frequency: '1M', series: [{ values: monthly }] });
    expect(status).toBe(200);
    expect(json.runtime).toBe('augurs (WASM)');
    expect(json.forecasts[0].quantiles).toHaveLength(9);
    expect(json.forecasts[0].quantiles[0].every((value: number, step: number) => value <= json.forecasts[0].quantiles[8][step])).toBe(true);
  });

  it('treats null as a missing value', async () => {
    const { status, json } = await post({ model: 'seasonal-naive', horizon: 1, series: [{ values: [1, null, 3, 4] }] });
    expect(status).toBe(200);
    expect(json.forecasts[0].mean).toEqual([4]);
  });

  const bad: [string, unknown, number, string][] = [
    ['empty series', { model: 'seasonal-naive', horizon: 3, series: [{ values: [] }] }, 400, 'forecast: series.0.values: a series needs at least one value'],
    ['no series', { model: 'seasonal-naive', horizon: 3, series: [] }, 400, 'forecast: series: send at least one series'],
    ['horizon 0', { model: 'seasonal-naive', horizon: 0, series: [{ values: [1] }] }, 400, 'forecast: horizon: horizon must be at least 1'],
    ['horizon above the limit', { model: 'seasonal-naive', horizon: 5000, series: [{ values: [1] }] }, 400, 'forecast: horizon: horizon must be at most 1024'],
    ['non-numeric value', { model: 'seasonal-naive', horizon: 3, series: [{ values: [1, 'x'] }] }, 400, 'forecast: series.0.values.1: Invalid input: expected number, received string'],
    ['too many series', { model: 'seasonal-naive', horizon: 1, series: Array.from({ length: 1025 }, () => ({ values: [1] })) }, 400, 'forecast: series: send at most 1024 series per request'],
    ['unknown model', { model: 'prophet-9000', horizon: 3, series: [{ values: [1, 2] }] }, 400, 'model: unknown model "prophet-9000"; available: seasonal-naive, auto-ets, theta, auto-arima, mstl'],
    ['all-missing series for a baseline', { model: 'seasonal-naive', horizon: 3, series: [{ values: [null, null] }] }, 400, 'model: series.0: seasonal naive needs at least one observed value'],
    ['unknown field', { model: 'seasonal-naive', horizon: 3, series: [{ values: [1] }], horizon2: 1 }, 400, 'forecast: input: Unrecognized key: "horizon2"'],
  ];
  for (const [name, body, status, message] of bad) {
    it(`rejects ${name} with ${status} and a message that names the problem`, async () => {
      const response = await post(body);
      expect(response.status).toBe(status);
      expect(response.json.error.message).toContain(message);
    });
  }

  it('rejects a body that is not JSON', async () => {
    const response = await post('{"model": ', true);
    expect(response.status).toBe(400);
    expect(response.json.error.message).toMatch(/^forecast: the body is not valid JSON/);
  });

  it('rejects too many values in total with 413', async () => {
    const series = Array.from({ length: 21 }, () => ({ values: new Array(100_000).fill(1) }));
    const response = await post({ model: 'seasonal-naive', horizon: 1, series });
    expect(response.status).toBe(413);
    expect(response.json.error.message).toBe('forecast: the request has 2100000 values; the limit is 2000000 per request: split it');
  });
});
