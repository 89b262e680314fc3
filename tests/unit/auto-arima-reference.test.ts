import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAutoArima, fitArima, searchArima } from '@/lib/models/baselines';
import { kpssStatistic, seasonalStrength } from '@/lib/models/baselines/arima';

/**
 * AutoARIMA against R's forecast::auto.arima (forecast 8.20, R 4.2.2, default arguments) on the
 * shipped AirPassengers (n = 144: searched by exact maximum likelihood) and milk (n = 168 > 150:
 * searched with CSS approximations, the best refitted by maximum likelihood) series; values in
 * tests/fixtures/baselines/r-forecast-reference.json, made by reference.R next to it.
 * Tolerances: the order chosen must be R's exactly. Coefficients within 0.002 and AICc within 0.01:
 * both sides maximise the same exact likelihood with different local optimisers (R: BFGS; ours:
 * Nelder-Mead with restarts), so they stop a little apart on the flat top. Point forecasts and
 * 80%/95% bounds follow from those coefficients: within 0.1%.
 */
const reference = JSON.parse(readFileSync('tests/fixtures/baselines/r-forecast-reference.json', 'utf8'));
const levels = [0.025, 0.1, 0.5, 0.9, 0.975];

function maxRelative(actual: number[], expected: number[]): number {
  expect(actual).toHaveLength(expected.length);
  return Math.max(...actual.map((value, index) => Math.abs(value - expected[index]!) / Math.abs(expected[index]!)));
}

describe('AutoARIMA against R forecast::auto.arima', () => {
  for (const name of ['air', 'milk'] as const) {
    const series = reference[name];
    const expected = series.autoarima;
    it(`${name}: R's order, coefficients, AICc, sigma^2, forecast and 80%/95% intervals over 24 months`, async () => {
      const result = searchArima(series.values, 12)!;
      const [p, q, P, Q, m, d, D] = expected.arma as number[];
      expect(result.best.order).toMatchObject({ p, q, P, Q, m, d, D, constant: false });
      expect(result.approximation).toBe(series.values.length > 150);
      expect(result.best.coef).toHaveLength(expected.coef.length);
      result.best.coef.forEach((value, index) => expect(Math.abs(value - expected.coef[index])).toBeLessThan(0.002));
      expect(Math.abs(result.best.aicc - expected.aicc)).toBeLessThan(0.01);
      expect(Math.abs(result.best.sigma2 - expected.sigma2) / expected.sigma2).toBeLessThan(0.001);

      const fitted = await createAutoArima().fit({ values: series.values, season: 12 });
      const forecast = await fitted.forecast({ horizon: 24, quantileLevels: levels });
      expect(maxRelative(forecast.mean, expected.mean)).toBeLessThan(0.001);
      expect(maxRelative(forecast.quantiles[1]!, expected.lower80)).toBeLessThan(0.001);
      expect(maxRelative(forecast.quantiles[3]!, expected.upper80)).toBeLessThan(0.001);
      expect(maxRelative(forecast.quantiles[0]!, expected.lower95)).toBeLessThan(0.001);
      expect(maxRelative(forecast.quantiles[4]!, expected.upper95)).toBeLessThan(0.001);
      expect(forecast.notes!.join(' ')).toContain(`ARIMA(${p},${d},${q})(${P},${D},${Q})[12] selected`);
    }, 120_000);
  }

  it("the exact likelihood equals R's arima(): AirPassengers ARIMA(2,1,1)(0,1,0)[12] at R's estimates", () => {
    // R: arima(air, c(2,1,1), list(order = c(0,1,0), period = 12)) -> loglik -504.9239 (fixture: auto.arima's fit).
    const fit = fitArima(reference.air.values, { p: 2, d: 1, q: 1, P: 0, D: 1, Q: 0, m: 12, constant: false }, 'CSS-ML')!;
    expect(Math.abs(fit.loglik - reference.air.autoarima.loglik)).toBeLessThan(0.005);
  }, 60_000);

  it('differencing tests: both series are strongly seasonal and need one first difference after the seasonal one', () => {
    for (const name of ['air', 'milk'] as const) {
      const values: number[] = reference[name].values;
      expect(seasonalStrength(values, 12)).toBeGreaterThan(0.64);
      expect(kpssStatistic(values)).toBeGreaterThan(0.463);
    }
    // White noise-like input (a fixed alternating pattern with no trend) is level-stationary.
    expect(kpssStatistic(Array.from({ length: 100 }, (_, t) => Math.sin(t * 2.1)))).toBeLessThan(0.463);
  });

  it('no season without a frequency or season, with a note; a constant series is forecast unchanged', async () => {
    const fitted = await createAutoArima().fit({ values: reference.air.values.slice(0, 60) });
    const forecast = await fitted.forecast({ horizon: 3 });
    expect(forecast.notes!.join(' ')).toContain('AutoARIMA: no season (the series has no frequency and no season was given)');
    expect(forecast.notes!.join(' ')).not.toContain(')[12]');
    const flat = await (await createAutoArima().fit({ values: new Array(30).fill(7) })).forecast({ horizon: 2 });
    expect(flat.mean).toEqual([7, 7]);
  }, 60_000);

  it('a season longer than 24 steps is dropped with a note naming MSTL', async () => {
    const values = Array.from({ length: 200 }, (_, t) => 10 + Math.sin((2 * Math.PI * t) / 48) + 0.01 * t);
    const forecast = await (await createAutoArima().fit({ values, season: 48 })).forecast({ horizon: 2 });
    expect(forecast.notes!.join(' ')).toContain('a season of 48 steps is longer than 24; fitted without a season. Use MSTL');
    expect(forecast.mean.every(Number.isFinite)).toBe(true);
  }, 180_000);
});
