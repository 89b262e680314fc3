import { describe, expect, it } from 'vitest';
import { insampleScaler, mae, maeScaled, mase, mse, mseScaled, seasonalScale, smape } from '@/lib/core/metrics';

describe('seasonalScale: hand-computed', () => {
  const insample = [1, 3, 2, 5, 4];
  it('m = 2: (|2-1| + |5-3| + |4-2|) / 3 = 5/3', () => {
    expect(seasonalScale(insample, 2)).toBeCloseTo(5 / 3, 12);
  });
  it('m = 1: (2 + 1 + 3 + 1) / 4 = 7/4', () => {
    expect(seasonalScale(insample, 1)).toBeCloseTo(7 / 4, 12);
  });
  it('falls back to m = 1 when the in-sample part has m values or fewer (GluonTS calculate_seasonal_error)', () => {
    // [1, 4, 2]: m = 1 gives (3 + 2) / 2 = 2.5; m = 2 still fits (one pair, |2 - 1| = 1).
    expect(seasonalScale([1, 4, 2], 2)).toBeCloseTo(1, 12);
    expect(seasonalScale([1, 4, 2], 3)).toBeCloseTo(2.5, 12);
    expect(seasonalScale([1, 4, 2], 12)).toBeCloseTo(2.5, 12);
  });
});

describe('mase: hand-computed', () => {
  it('mae (|6-5| + |5-7|) / 2 = 1.5 over scale 5/3 is 0.9', () => {
    expect(mase([6, 5], [5, 7], [1, 3, 2, 5, 4], 2)).toBeCloseTo(0.9, 12);
  });
});

// Published: GluonTS test/evaluation/test_evaluator.py, test_MASE_sMAPE_M4 (awslabs/gluonts).
// Five series of 10 daily points (seasonality 1), the last 3 forecast by the naive forecast
// (value at index 6), scored against the first 7. Expected seasonal errors per series, and
// MASE and sMAPE averaged over series: MASE 0.816837618, sMAPE 0.3269732684 (fraction in 0..2),
// stated to a relative tolerance of 1e-3; our values agree to 1e-7.
describe('mase and smape: GluonTS M4 example', () => {
  const series = [
    [2.943013, 2.822251, 4.196222, 1.328664, 4.94739, 3.333131, 1.4798, 2.265094, 3.413493, 3.497607],
    [-0.1267812, 3.0574122, 1.9015944, 2.7725495, 3.3128531, 4.411818, 3.7090252, 4.322028, 2.565359, 3.074308],
    [2.542998, 2.336757, 1.417916, 1.335139, 2.523035, 3.645589, 3.382819, 2.07596, 2.643869, 2.772456],
    [0.3156856, 1.8923121, 2.4768612, 3.5116286, 4.3843465, 2.9606856, 4.8975725, 3.280125, 4.768556, 4.958616],
    [2.2058773, 0.7827594, 2.4014208, 2.3856434, 4.8458182, 3.1023229, 3.5677237, 4.878143, 3.735245, 2.218113],
  ];
  const expectedSeasonalError = [1.908101, 1.258838, 0.63018, 1.238201, 1.287771];

  it('reproduces the per-series seasonal errors', () => {
    series.forEach((values, index) => {
      expect(seasonalScale(values.slice(0, 7), 1)).toBeCloseTo(expectedSeasonalError[index]!, 5);
    });
  });

  it('reproduces mean MASE 0.816837618 and mean sMAPE 32.69732684%', () => {
    const scores = series.map((values) => {
      const insample = values.slice(0, 7);
      const actual = values.slice(7);
      const naive = actual.map(() => insample[6]!);
      return { mase: mase(actual, naive, insample, 1), smape: smape(actual, naive) };
    });
    const meanMase = scores.reduce((sum, score) => sum + score.mase, 0) / scores.length;
    const meanSmape = scores.reduce((sum, score) => sum + score.smape, 0) / scores.length;
    expect(Math.abs(meanMase - 0.816837618) / 0.816837618).toBeLessThan(1e-7);
    expect(Math.abs(meanSmape - 32.69732684) / 32.69732684).toBeLessThan(1e-7);
  });
});

describe('mase: properties', () => {
  // A series whose every season is the previous one shifted by `drift`: each |y_t - y_{t-m}|
  // is |drift|, so the scale is |drift|, and the seasonal naive forecast of the next season
  // (the last season repeated) misses every step by |drift| too: MASE = 1 exactly.
  it('the seasonal naive forecast of the next season scores 1', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (const m of [1, 2, 4, 7, 12, 24]) {
      for (const seasons of [2, 3, 5]) {
        const pattern = Array.from({ length: m }, () => random() * 100 - 50);
        const drift = random() * 10 - 5;
        const values = Array.from({ length: (seasons + 1) * m }, (_, t) => pattern[t % m]! + drift * Math.floor(t / m));
        const insample = values.slice(0, seasons * m);
        const actual = values.slice(seasons * m);
        const seasonalNaive = insample.slice(-m);
        expect(mase(actual, seasonalNaive, insample, m)).toBeCloseTo(1, 9);
      }
    }
  });

  it('is scale-free: multiplying every value by c leaves it unchanged', () => {
    const insample = [3, 8, 1, 9, 4, 7];
    const actual = [5, 2, 6];
    const predicted = [4, 4, 4];
    const base = mase(actual, predicted, insample, 2);
    const times = (values: number[], c: number) => values.map((value) => value * c);
    expect(mase(times(actual, 37), times(predicted, 37), times(insample, 37), 2)).toBeCloseTo(base, 12);
  });
});

describe('mase: zero and undefined scale', () => {
  it('a flat in-sample part gives 0 for a perfect forecast and Infinity otherwise', () => {
    expect(mase([3, 3], [3, 3], [3, 3, 3, 3], 1)).toBe(0);
    expect(mase([3, 3], [4, 3], [3, 3, 3, 3], 1)).toBe(Number.POSITIVE_INFINITY);
  });
  it('fewer than two in-sample values gives NaN (no pair to scale by)', () => {
    expect(mase([1], [2], [5], 1)).toBeNaN();
    expect(mase([1], [2], [], 3)).toBeNaN();
  });
});

describe('mase: NaN handling', () => {
  it('skips in-sample pairs with a missing value', () => {
    // Pairs (1, NaN) and (NaN, 2) are skipped; (2, 4) gives scale 2.
    expect(seasonalScale([1, Number.NaN, 2, 4], 1)).toBeCloseTo(2, 12);
  });
  it('skips missing actuals: mae over the observed step is |5 - 4| = 1, over scale 2 is 0.5', () => {
    expect(mase([Number.NaN, 5], [0, 4], [1, Number.NaN, 2, 4], 1)).toBeCloseTo(0.5, 12);
  });
  it('is NaN when every in-sample pair or every actual is missing', () => {
    expect(mase([1, 2], [1, 2], [Number.NaN, 1, Number.NaN], 1)).toBeNaN();
    expect(mase([Number.NaN], [1], [1, 2, 3], 1)).toBeNaN();
  });
});

describe('mase: errors', () => {
  it('rejects a seasonal period that is not an integer >= 1', () => {
    expect(() => mase([1], [1], [1, 2], 0)).toThrow('metrics: seasonal period must be an integer >= 1, got 0');
    expect(() => seasonalScale([1, 2], 1.5)).toThrow('metrics: seasonal period must be an integer >= 1, got 1.5');
  });
  it('rejects actual and predicted of unequal length', () => {
    expect(() => mase([1, 2], [1], [1, 2], 1)).toThrow('metrics: mae needs actual and predicted of equal length, got 2 and 1');
  });
});

describe('scaled mse and mae', () => {
  const actual = [1, 2, 3, 4];
  const predicted = [2, 2, 1, 8];
  const scaler = { mean: 10, std: 2 };
  const standardise = (values: number[]) => values.map((value) => (value - scaler.mean) / scaler.std);

  it('mseScaled = 5.25 / 2^2 = 1.3125 and maeScaled = 1.75 / 2 = 0.875', () => {
    expect(mseScaled(actual, predicted, scaler)).toBeCloseTo(1.3125, 12);
    expect(maeScaled(actual, predicted, scaler)).toBeCloseTo(0.875, 12);
  });

  it('equal the plain metrics on explicitly standardised arrays', () => {
    expect(mseScaled(actual, predicted, scaler)).toBeCloseTo(mse(standardise(actual), standardise(predicted)), 12);
    expect(maeScaled(actual, predicted, scaler)).toBeCloseTo(mae(standardise(actual), standardise(predicted)), 12);
  });

  it('NaN handling: missing actuals are skipped', () => {
    expect(mseScaled([1, Number.NaN], [3, 0], scaler)).toBeCloseTo(1, 12);
    expect(maeScaled([1, Number.NaN], [3, 0], scaler)).toBeCloseTo(1, 12);
  });

  it('rejects a scaler with std <= 0 or a non-finite mean', () => {
    expect(() => mseScaled([1], [1], { mean: 0, std: 0 })).toThrow(
      'metrics: scaler needs a finite mean and a finite std > 0, got mean 0 and std 0',
    );
    expect(() => maeScaled([1], [1], { mean: Number.NaN, std: 1 })).toThrow(
      'metrics: scaler needs a finite mean and a finite std > 0, got mean NaN and std 1',
    );
  });
});

describe('insampleScaler', () => {
  it('mean 5 and population std 2 for [2, 4, 4, 4, 5, 5, 7, 9]', () => {
    const scaler = insampleScaler([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(scaler.mean).toBeCloseTo(5, 12);
    expect(scaler.std).toBeCloseTo(2, 12);
  });
  it('NaN handling: skips missing values', () => {
    const scaler = insampleScaler([2, Number.NaN, 4, 4, 4, 5, 5, 7, 9]);
    expect(scaler.mean).toBeCloseTo(5, 12);
    expect(scaler.std).toBeCloseTo(2, 12);
  });
  it('a flat series keeps std 1 (as scikit-learn StandardScaler); no values gives { mean: 0, std: 1 }', () => {
    expect(insampleScaler([4, 4, 4])).toEqual({ mean: 4, std: 1 });
    expect(insampleScaler([Number.NaN])).toEqual({ mean: 0, std: 1 });
  });
});
