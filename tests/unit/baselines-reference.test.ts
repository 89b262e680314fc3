import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAutoEts, createTheta, selectEts } from '@/lib/models/baselines';
import { etsPointForecast, runEts, type EtsSpec } from '@/lib/models/baselines/ets';

/**
 * AutoETS and Theta against R's forecast package (8.20, R 4.2.2: ets() and thetaf()) on the
 * shipped AirPassengers and milk series (tests/fixtures/baselines/r-forecast-reference.json, made
 * by reference.R next to it; milk's 13 missing months linearly interpolated on both sides).
 * Tolerances: ETS is fitted by a local optimiser (Nelder-Mead, like R's), so parameters land near,
 * not on, R's; point forecasts within 1%, and our AICc no worse than R's + 0.5. Intervals: linear
 * models in closed form (within 1%); multiplicative models from 2000 simulated paths (ours) versus
 * R's closed-form approximation, within 6% at 95%. Theta's forecast is a closed form: 0.1%.
 */
const reference = JSON.parse(readFileSync('tests/fixtures/baselines/r-forecast-reference.json', 'utf8'));
const levels = [0.025, 0.1, 0.5, 0.9, 0.975];

function maxRelative(actual: number[], expected: number[]): number {
  expect(actual).toHaveLength(expected.length);
  return Math.max(...actual.map((value, index) => Math.abs(value - expected[index]!) / Math.abs(expected[index]!)));
}

const cases = [
  { name: 'air', method: 'ETS(M,Ad,M)', intervalTolerance80: 0.02, intervalTolerance95: 0.06 },
  { name: 'milk', method: 'ETS(A,A,A)', intervalTolerance80: 0.01, intervalTolerance95: 0.01 },
] as const;

describe('AutoETS against R forecast::ets', () => {
  for (const { name, spec } of [
    { name: 'air', spec: { error: 'M', trend: 'Ad', season: 'M', period: 12 } },
    { name: 'milk', spec: { error: 'A', trend: 'A', season: 'A', period: 12 } },
  ] as { name: 'air' | 'milk'; spec: EtsSpec }[]) {
    it(`${name}: with R's fitted parameters and initial states, the filter reproduces R's AICc and forecast`, () => {
      const { par, aicc, mean } = reference[name].ets;
      // R's s0 is the newest initial seasonal value (phase m-1), s10 phase 1; phase 0 is implied.
      const free = Array.from({ length: 11 }, (_, k) => par[`s${10 - k}`] as number);
      const sum = free.reduce((a, b) => a + b, 0);
      const seasonal = [spec.season === 'A' ? -sum : 12 - sum, ...free];
      const params = { alpha: par.alpha, beta: par.beta, gamma: par.gamma, phi: par.phi ?? 1 };
      const values = reference[name].values as number[];
      const run = runEts(spec, params, { level: par.l, slope: par.b, seasonal }, values);
      const parameterCount = Object.keys(par).length + 1;
      const aic = run.lik + 2 * parameterCount;
      expect(aic + (2 * parameterCount * (parameterCount + 1)) / (values.length - parameterCount - 1)).toBeCloseTo(aicc, 4);
      // R's forecast() for ETS(M,Ad,M) differs from the plain recursion by < 0.2%; the linear model's is exact.
      expect(maxRelative(etsPointForecast(spec, params, run, values.length, 24), mean)).toBeLessThan(name === 'air' ? 0.002 : 1e-8);
    });
  }

  for (const { name, method, intervalTolerance80, intervalTolerance95 } of cases) {
    const series = reference[name];
    it(`${name}: selects R's ${method} with an AICc at least as good`, () => {
      expect(series.ets.method).toBe(method);
      const fit = selectEts(series.values, 12)!;
      expect(fit.name).toBe(method);
      expect(fit.aicc).toBeLessThan(series.ets.aicc + 0.5);
    });

    it(`${name}: point forecasts within 1% and intervals within tolerance over 24 months`, async () => {
      const fitted = await createAutoEts().fit({ values: series.values, season: 12 });
      const forecast = await fitted.forecast({ horizon: 24, quantileLevels: levels });
      expect(forecast.notes).toContain(`AutoETS: ${method} with season 12, chosen by AICc.`);
      expect(maxRelative(forecast.mean, series.ets.mean)).toBeLessThan(0.01);
      expect(maxRelative(forecast.quantiles[1]!, series.ets.lower80)).toBeLessThan(intervalTolerance80);
      expect(maxRelative(forecast.quantiles[3]!, series.ets.upper80)).toBeLessThan(intervalTolerance80);
      expect(maxRelative(forecast.quantiles[0]!, series.ets.lower95)).toBeLessThan(intervalTolerance95);
      expect(maxRelative(forecast.quantiles[4]!, series.ets.upper95)).toBeLessThan(intervalTolerance95);
    });
  }

  it('a series with a zero fits additive models only, and a short one drops the season with a note', async () => {
    const withZero = reference.milk.values.map((value: number, index: number) => (index === 5 ? 0 : value));
    const fit = selectEts(withZero, 12)!;
    expect(fit.spec.error).toBe('A');
    expect(fit.spec.season).not.toBe('M');
    const short = await createAutoEts().fit({ values: reference.air.values.slice(0, 20), season: 12 });
    const forecast = await short.forecast({ horizon: 3 });
    expect(forecast.notes).toContain('AutoETS: 20 values are fewer than 2 seasons of 12 (the season given); fitted without a season. Give more data or a shorter --season.');
  });

  it('a constant series is forecast unchanged with a note (no likelihood to fit), a too-short one is refused by name', async () => {
    const forecast = await (await createAutoEts().fit({ values: new Array(30).fill(5), season: 12 })).forecast({ horizon: 2, quantileLevels: [0.1, 0.9] });
    expect(forecast.quantiles).toEqual([[5, 5], [5, 5]]);
    expect(forecast.notes).toContain('AutoETS: the series is constant (5); the forecast repeats it with no spread.');
    await expect(createAutoEts().fit({ values: [1, 2, 3, 4] })).rejects.toThrow('model: AutoETS could not fit any ETS model to these 4 values; give more data');
  });

  it('a season above 24 is left out with a note naming MSTL', async () => {
    const hourly = Array.from({ length: 400 }, (_, t) => 10 + Math.sin((2 * Math.PI * t) / 48));
    const forecast = await (await createAutoEts().fit({ values: hourly, season: 48 })).forecast({ horizon: 2 });
    expect(forecast.notes!.join(' ')).toContain("a season of 48 steps is longer than 24 (as in R's forecast::ets); fitted without a season. Use MSTL");
  });
});

describe('Theta against R forecast::thetaf', () => {
  for (const name of ['air', 'milk'] as const) {
    const series = reference[name];
    it(`${name}: forecast and 80%/95% intervals within 0.1% over 24 months`, async () => {
      const fitted = await createTheta().fit({ values: series.values, season: 12 });
      const forecast = await fitted.forecast({ horizon: 24, quantileLevels: levels });
      expect(maxRelative(forecast.mean, series.thetaf.mean)).toBeLessThan(0.001);
      expect(maxRelative(forecast.quantiles[1]!, series.thetaf.lower80)).toBeLessThan(0.001);
      expect(maxRelative(forecast.quantiles[3]!, series.thetaf.upper80)).toBeLessThan(0.001);
      expect(maxRelative(forecast.quantiles[0]!, series.thetaf.lower95)).toBeLessThan(0.002);
      expect(maxRelative(forecast.quantiles[4]!, series.thetaf.upper95)).toBeLessThan(0.002);
    });
  }

  it('without a season it is SES plus half the trend line, with a note', async () => {
    const fitted = await createTheta().fit({ values: reference.air.values });
    const forecast = await fitted.forecast({ horizon: 2 });
    expect(forecast.notes!.join(' ')).toContain('Theta: no season (the series has no frequency and no season was given)');
    expect(forecast.mean[1]! - forecast.mean[0]!).toBeGreaterThan(0);
  });
});
