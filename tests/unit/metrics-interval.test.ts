import { describe, expect, it } from 'vitest';
import { DEFAULT_QUANTILE_LEVELS, type Forecast } from '@/lib/core/forecast';
import { centralInterval, coverage, intervalWidth } from '@/lib/core/metrics';

describe('coverage and intervalWidth: hand-computed', () => {
  // actual 1 in [0, 2] yes; 5 in [6, 7] no; 10 in [8, 9] no; 3 in [3, 4] yes (bounds inclusive)
  const actual = [1, 5, 10, 3];
  const lower = [0, 6, 8, 3];
  const upper = [2, 7, 9, 4];
  it('coverage = 2 / 4 = 0.5', () => {
    expect(coverage(actual, lower, upper)).toBe(0.5);
  });
  it('intervalWidth = (2 + 1 + 1 + 1) / 4 = 1.25', () => {
    expect(intervalWidth(lower, upper)).toBeCloseTo(1.25, 12);
  });
  it('crossed quantiles give a negative width, left visible', () => {
    expect(intervalWidth([2, 2], [1, 1])).toBe(-1);
  });
});

describe('coverage: properties', () => {
  it('an interval that contains every point covers 1; one that contains none covers 0', () => {
    let seed = 3;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let trial = 0; trial < 100; trial++) {
      const actual = Array.from({ length: 1 + Math.floor(random() * 10) }, () => random() * 100 - 50);
      const lower = actual.map((value) => value - random() * 5);
      const upper = actual.map((value) => value + random() * 5);
      expect(coverage(actual, lower, upper)).toBe(1);
      expect(coverage(actual, upper.map((value) => value + 1), upper.map((value) => value + 2))).toBe(0);
    }
  });
});

describe('coverage and intervalWidth: NaN handling', () => {
  it('coverage skips missing actuals: 1 of the 2 observed steps is inside', () => {
    expect(coverage([1, Number.NaN, 10], [0, 0, 0], [2, 0, 5])).toBe(0.5);
  });
  it('coverage is NaN when no actual is observed, or a bound is NaN at an observed step', () => {
    expect(coverage([Number.NaN], [0], [1])).toBeNaN();
    expect(coverage([1, 2], [0, Number.NaN], [3, 3])).toBeNaN();
  });
  it('a NaN bound at a missing actual does not matter', () => {
    expect(coverage([1, Number.NaN], [0, Number.NaN], [3, Number.NaN])).toBe(1);
  });
  it('intervalWidth has no actuals to skip: a NaN bound makes it NaN; an empty interval is NaN', () => {
    expect(intervalWidth([0, Number.NaN], [1, 1])).toBeNaN();
    expect(intervalWidth([], [])).toBeNaN();
  });
});

describe('centralInterval', () => {
  const forecast: Forecast = {
    horizon: 2,
    quantileLevels: [...DEFAULT_QUANTILE_LEVELS],
    quantiles: DEFAULT_QUANTILE_LEVELS.map((level) => [level * 10, level * 100]),
    mean: [5, 50],
  };
  it('0.8 picks levels 0.1 and 0.9 despite (1 - 0.8) / 2 = 0.09999999999999998', () => {
    const interval = centralInterval(forecast, 0.8)!;
    expect(interval).toEqual({ level: 0.8, lowerLevel: 0.1, upperLevel: 0.9, lower: [1, 10], upper: [9, 90] });
  });
  it('0.6 picks 0.2 and 0.8', () => {
    const interval = centralInterval(forecast, 0.6)!;
    expect([interval.lowerLevel, interval.upperLevel]).toEqual([0.2, 0.8]);
  });
  it('is null when the forecast lacks a bounding level (0.5 needs 0.25 and 0.75)', () => {
    expect(centralInterval(forecast, 0.5)).toBeNull();
  });
  it('rejects a level outside (0, 1)', () => {
    expect(() => centralInterval(forecast, 80)).toThrow('metrics: interval level must be in (0, 1), got 80');
  });
});

describe('coverage and intervalWidth: errors', () => {
  it('unequal lengths throw, naming both', () => {
    expect(() => coverage([1, 2], [0, 0], [3])).toThrow('metrics: coverage needs actual and upper of equal length, got 2 and 1');
    expect(() => intervalWidth([0], [1, 2])).toThrow('metrics: intervalWidth needs lower and upper of equal length, got 1 and 2');
  });
});
