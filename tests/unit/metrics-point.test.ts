import { describe, expect, it } from 'vitest';
import { mae, mape, mse, rmse, smape } from '@/lib/core/metrics';

// Tolerance 1e-12 for values worked by hand in exact fractions; published values are compared
// to the digits they were published with.
const actual = [1, 2, 3, 4];
const predicted = [2, 2, 1, 8];
// errors y - p: -1, 0, 2, -4

describe('point metrics: hand-computed', () => {
  it('mae = (1 + 0 + 2 + 4) / 4 = 1.75', () => {
    expect(mae(actual, predicted)).toBeCloseTo(1.75, 12);
  });

  it('mse = (1 + 0 + 4 + 16) / 4 = 5.25 and rmse = sqrt(5.25)', () => {
    expect(mse(actual, predicted)).toBeCloseTo(5.25, 12);
    expect(rmse(actual, predicted)).toBeCloseTo(Math.sqrt(5.25), 12);
  });

  it('smape (M4) = 200/4 * (1/3 + 0/4 + 2/4 + 4/12) = 50 * 7/6 = 58.333...%', () => {
    expect(smape(actual, predicted)).toBeCloseTo((50 * 7) / 6, 12);
  });

  it('mape = 100/4 * (1/1 + 0/2 + 2/3 + 4/4) = 25 * 8/3 = 66.666...%', () => {
    expect(mape(actual, predicted)).toBeCloseTo((25 * 8) / 3, 12);
  });

  it('a perfect forecast scores 0 on every point metric', () => {
    for (const metric of [mae, mse, rmse, smape, mape]) expect(metric(actual, actual)).toBe(0);
  });

  it('accepts typed arrays', () => {
    expect(mae(Float64Array.from(actual), Float32Array.from(predicted))).toBeCloseTo(1.75, 12);
  });
});

// Published: GluonTS test/evaluation/test_metrics.py (awslabs/gluonts), which states its
// expectations as sums (abs_error) and as fractions (smape, mape in 0..2 and 0..1).
describe('point metrics: GluonTS published examples', () => {
  const LINEAR = [0.0, 0.1, 0.2, 0.3, 0.4];
  const CONSTANT = [0.4, 0.4, 0.4, 0.4, 0.4];
  const EXPONENTIAL = [0.1, 0.01, 0.001, 0.0001, 0.00001];

  it('LINEAR vs CONSTANT: mse 0.06, abs_error 1.0 (mae 0.2), smape 0.8304761904761906', () => {
    expect(mse(LINEAR, CONSTANT)).toBeCloseTo(0.06, 12);
    expect(mae(LINEAR, CONSTANT)).toBeCloseTo(1.0 / 5, 12);
    // GluonTS's smape is a fraction in 0..2; ours is percent.
    expect(smape(LINEAR, CONSTANT)).toBeCloseTo(83.04761904761906, 10);
  });

  it('CONSTANT vs EXPONENTIAL: mse 0.14424260202, abs_error 1.88889, mape 0.944445, smape 1.8182728', () => {
    expect(mse(CONSTANT, EXPONENTIAL)).toBeCloseTo(0.14424260202, 10);
    expect(mae(CONSTANT, EXPONENTIAL) * 5).toBeCloseTo(1.88889, 5);
    expect(mape(CONSTANT, EXPONENTIAL)).toBeCloseTo(94.4445, 4);
    expect(smape(CONSTANT, EXPONENTIAL)).toBeCloseTo(181.82728, 4);
  });

  it('[1,2,3,0,0] vs [2,3,4,1,0]: mse 0.8; our zero conventions differ from GluonTS on purpose', () => {
    const target = [1, 2, 3, 0, 0];
    const forecast = [2, 3, 4, 1, 0];
    expect(mse(target, forecast)).toBeCloseTo(0.8, 12);
    // GluonTS drops the 0/0 step (smape 0.8380952 over 4 steps); M4 counts it as 0 over all 5:
    // 200/5 * (1/3 + 1/5 + 1/7 + 1/1 + 0) = 40 * 176/105.
    expect(smape(target, forecast)).toBeCloseTo((40 * 176) / 105, 12);
    // GluonTS drops zero actuals (0.6111111); we report the miss at y = 0 as Infinity.
    expect(mape(target, forecast)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('point metrics: zero conventions', () => {
  it('smape counts a 0/0 step as 0 and keeps it in the mean: 200/2 * (0 + 2/2) = 100', () => {
    expect(smape([0, 1], [0, -1])).toBeCloseTo(100, 12);
  });

  it('smape is bounded by 200 (forecast of opposite sign or from zero)', () => {
    expect(smape([0, 0], [1, 5])).toBe(200);
    expect(smape([3], [-3])).toBe(200);
  });

  it('mape is 0 at y = 0 when predicted exactly, Infinity when missed', () => {
    expect(mape([0, 2], [0, 1])).toBeCloseTo(25, 12);
    expect(mape([0, 2], [0.5, 2])).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('point metrics: NaN handling', () => {
  const withGap = [1, Number.NaN, 3, 4];
  const predictedWithGap = [2, 1000, 1, 8];
  // The NaN step is skipped: same as scoring [1, 3, 4] against [2, 1, 8].
  it('mae skips missing actuals', () => {
    expect(mae(withGap, predictedWithGap)).toBeCloseTo((1 + 2 + 4) / 3, 12);
  });
  it('mse and rmse skip missing actuals', () => {
    expect(mse(withGap, predictedWithGap)).toBeCloseTo((1 + 4 + 16) / 3, 12);
    expect(rmse(withGap, predictedWithGap)).toBeCloseTo(Math.sqrt(7), 12);
  });
  it('smape skips missing actuals', () => {
    expect(smape(withGap, predictedWithGap)).toBeCloseTo((200 / 3) * (1 / 3 + 2 / 4 + 4 / 12), 12);
  });
  it('mape skips missing actuals', () => {
    expect(mape(withGap, predictedWithGap)).toBeCloseTo((100 / 3) * (1 + 2 / 3 + 1), 12);
  });
  it('all actuals missing (or none given) gives NaN', () => {
    for (const metric of [mae, mse, rmse, smape, mape]) {
      expect(metric([Number.NaN, Number.NaN], [1, 2])).toBeNaN();
      expect(metric([], [])).toBeNaN();
    }
  });
  it('a NaN prediction at an observed step makes the metric NaN (a model failure is not hidden)', () => {
    for (const metric of [mae, mse, rmse, smape, mape]) expect(metric([1, 2], [1, Number.NaN])).toBeNaN();
  });
});

describe('point metrics: errors', () => {
  it('unequal lengths throw, naming the metric and both lengths', () => {
    expect(() => mae([1, 2, 3], [1, 2])).toThrow('metrics: mae needs actual and predicted of equal length, got 3 and 2');
    expect(() => smape([1], [1, 2])).toThrow('metrics: smape needs actual and predicted of equal length, got 1 and 2');
  });
});
