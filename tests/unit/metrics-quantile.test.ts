import { describe, expect, it } from 'vitest';
import type { Forecast } from '@/lib/core/forecast';
import { crps, pinballLoss, wql } from '@/lib/core/metrics';
import { normalQuantile } from '@/lib/core/normal';

function forecastOf(quantileLevels: number[], quantiles: number[][]): Forecast {
  return { horizon: quantiles[0]?.length ?? 0, quantileLevels, quantiles, mean: quantiles[0] ?? [] };
}

describe('pinballLoss: hand-computed', () => {
  // actual [10, 20], predicted [12, 15]
  it('level 0.9: ((1 - 0.9) * 2 + 0.9 * 5) / 2 = 2.35', () => {
    expect(pinballLoss([10, 20], [12, 15], 0.9)).toBeCloseTo(2.35, 12);
  });
  it('level 0.1: ((1 - 0.1) * 2 + 0.1 * 5) / 2 = 1.15', () => {
    expect(pinballLoss([10, 20], [12, 15], 0.1)).toBeCloseTo(1.15, 12);
  });
  it('level 0.5 is half the absolute error', () => {
    expect(pinballLoss([10, 20], [12, 15], 0.5)).toBeCloseTo(3.5 / 2, 12);
  });
});

// Published: GluonTS test/evaluation/test_metrics.py (awslabs/gluonts). Its quantile_loss is
// 2 * sum of pinball terms, so over 5 steps pinballLoss = quantile_loss / 10.
describe('pinballLoss and wql: GluonTS published examples', () => {
  const LINEAR = [0.0, 0.1, 0.2, 0.3, 0.4];
  const CONSTANT = [0.4, 0.4, 0.4, 0.4, 0.4];

  it('LINEAR vs CONSTANT: quantile_loss 1.8 / 1.0 / 0.2 at levels 0.1 / 0.5 / 0.9', () => {
    expect(pinballLoss(LINEAR, CONSTANT, 0.1) * 10).toBeCloseTo(1.8, 12);
    expect(pinballLoss(LINEAR, CONSTANT, 0.5) * 10).toBeCloseTo(1.0, 12);
    expect(pinballLoss(LINEAR, CONSTANT, 0.9) * 10).toBeCloseTo(0.2, 12);
  });

  it('[1,2,3,0,0] vs [2,3,4,1,0]: quantile_loss 7.2 / 4.0 / 0.7999999', () => {
    const target = [1, 2, 3, 0, 0];
    const forecast = [2, 3, 4, 1, 0];
    expect(pinballLoss(target, forecast, 0.1) * 10).toBeCloseTo(7.2, 12);
    expect(pinballLoss(target, forecast, 0.5) * 10).toBeCloseTo(4.0, 12);
    expect(pinballLoss(target, forecast, 0.9) * 10).toBeCloseTo(0.7999999, 6);
  });

  it('wql from those losses: GluonTS mean_wQuantileLoss = mean over levels of quantile_loss / sum|y|', () => {
    // sum|LINEAR| = 1.0: (1.8 + 1.0 + 0.2) / 3 / 1.0 = 1.0
    expect(wql(LINEAR, forecastOf([0.1, 0.5, 0.9], [CONSTANT, CONSTANT, CONSTANT]))).toBeCloseTo(1.0, 12);
    // sum|y| = 6: (7.2 + 4.0 + 0.8) / 3 / 6 = 2/3
    const row = [2, 3, 4, 1, 0];
    expect(wql([1, 2, 3, 0, 0], forecastOf([0.1, 0.5, 0.9], [row, row, row]))).toBeCloseTo(2 / 3, 12);
  });
});

describe('wql and crps: hand-computed', () => {
  // actual [10, 20]; levels 0.1 / 0.5 / 0.9 with rows [8, 14] / [11, 19] / [13, 23].
  // Pinball terms:  level 0.1: 0.1*2 = 0.2, 0.1*6 = 0.6      (sum 0.8)
  //                 level 0.5: 0.5*1 = 0.5, 0.5*1 = 0.5      (sum 1.0)
  //                 level 0.9: 0.1*3 = 0.3, 0.1*3 = 0.3      (sum 0.6)
  const actual = [10, 20];
  const forecast = forecastOf([0.1, 0.5, 0.9], [[8, 14], [11, 19], [13, 23]]);

  it('wql = mean(2*0.8, 2*1.0, 2*0.6) / 30 = 1.6 / 30', () => {
    expect(wql(actual, forecast)).toBeCloseTo(1.6 / 30, 12);
  });

  it('crps = mean over steps of mean over levels of 2*pinball = (2*1.0/3 + 2*1.4/3) / 2 = 0.8', () => {
    expect(crps(actual, forecast)).toBeCloseTo(0.8, 12);
  });

  it('wql = crps / mean|y| when nothing is missing', () => {
    expect(wql(actual, forecast)).toBeCloseTo(crps(actual, forecast) / 15, 12);
  });
});

describe('wql and crps: properties', () => {
  it('a perfect forecast (every quantile on the truth) scores 0', () => {
    const actual = [3, -1, 7.5, 0, 12];
    const forecast = forecastOf([0.1, 0.2, 0.5, 0.8, 0.9], Array.from({ length: 5 }, () => [...actual]));
    expect(wql(actual, forecast)).toBe(0);
    expect(crps(actual, forecast)).toBe(0);
  });

  it('crps is >= 0 for arbitrary (even crossing) quantiles', () => {
    let seed = 11;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let trial = 0; trial < 200; trial++) {
      const horizon = 1 + Math.floor(random() * 8);
      const actual = Array.from({ length: horizon }, () => random() * 200 - 100);
      const levels = [0.1, 0.3, 0.5, 0.7, 0.9];
      const rows = levels.map(() => Array.from({ length: horizon }, () => random() * 200 - 100));
      expect(crps(actual, forecastOf(levels, rows))).toBeGreaterThanOrEqual(0);
    }
  });

  it('crps and wql decrease strictly as the quantiles tighten around the truth', () => {
    const actual = [5, 9, 2, 14];
    const levels = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    const scores = [8, 4, 2, 1, 0.5, 0.1].map((spread) => {
      const rows = levels.map((level) => actual.map((value) => value + spread * normalQuantile(level)));
      const forecast = forecastOf(levels, rows);
      return { crps: crps(actual, forecast), wql: wql(actual, forecast) };
    });
    for (let index = 1; index < scores.length; index++) {
      expect(scores[index]!.crps).toBeLessThan(scores[index - 1]!.crps);
      expect(scores[index]!.wql).toBeLessThan(scores[index - 1]!.wql);
    }
  });
});

describe('wql: zero denominator', () => {
  it('all-zero actuals give 0 for a perfect forecast and Infinity otherwise', () => {
    expect(wql([0, 0], forecastOf([0.5], [[0, 0]]))).toBe(0);
    expect(wql([0, 0], forecastOf([0.5], [[1, 0]]))).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('pinballLoss, wql and crps: NaN handling', () => {
  const actual = [10, Number.NaN, 20];
  const forecast = forecastOf([0.1, 0.5, 0.9], [[8, -999, 14], [11, 999, 19], [13, 5, 23]]);
  it('pinballLoss skips missing actuals', () => {
    expect(pinballLoss(actual, [12, 0, 15], 0.9)).toBeCloseTo(2.35, 12);
  });
  it('wql skips missing actuals in the losses and in sum|y|', () => {
    expect(wql(actual, forecast)).toBeCloseTo(1.6 / 30, 12);
  });
  it('crps skips missing actuals', () => {
    expect(crps(actual, forecast)).toBeCloseTo(0.8, 12);
  });
  it('all actuals missing gives NaN', () => {
    const allMissing = [Number.NaN, Number.NaN, Number.NaN];
    expect(pinballLoss(allMissing, [1, 2, 3], 0.5)).toBeNaN();
    expect(wql(allMissing, forecast)).toBeNaN();
    expect(crps(allMissing, forecast)).toBeNaN();
  });
  it('a NaN quantile at an observed step makes the metric NaN', () => {
    const broken = forecastOf([0.5], [[10, Number.NaN]]);
    expect(wql([10, 20], broken)).toBeNaN();
    expect(crps([10, 20], broken)).toBeNaN();
  });
});

describe('pinballLoss, wql and crps: errors', () => {
  it('rejects a level outside (0, 1)', () => {
    expect(() => pinballLoss([1], [1], 1)).toThrow('metrics: pinballLoss needs a quantile level in (0, 1), got 1');
    expect(() => wql([1], forecastOf([0], [[1]]))).toThrow('metrics: wql needs a quantile level in (0, 1), got 0');
  });
  it('rejects quantile rows whose length is not the actual length', () => {
    expect(() => wql([1, 2, 3], forecastOf([0.1, 0.9], [[1, 2, 3], [1, 2]]))).toThrow(
      "metrics: wql needs 3 steps in every quantile row (the actual's length), got 2 at level 0.9",
    );
  });
  it('rejects a forecast with a row count other than its level count, or no levels', () => {
    expect(() => crps([1], { horizon: 1, quantileLevels: [0.1, 0.9], quantiles: [[1]], mean: [1] })).toThrow(
      'metrics: crps needs one quantile row per level, got 1 rows for 2 levels',
    );
    expect(() => crps([1], { horizon: 1, quantileLevels: [], quantiles: [], mean: [1] })).toThrow(
      'metrics: crps needs a forecast with at least one quantile level',
    );
  });
});
