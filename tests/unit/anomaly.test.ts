import { describe, expect, it } from 'vitest';
import { intervalLevels, outsideInterval, rollingRobustZ } from '@/lib/core/anomaly';

describe('rolling robust z-score (hand-computed)', () => {
  it('scores a point against the window before it: [1,2,3,4] then 100 -> median 2.5, MAD 1, z = 0.6745 * 97.5', () => {
    const points = rollingRobustZ([1, 2, 3, 4, 100], { window: 4, threshold: 3.5 });
    expect(points.slice(0, 4).every((point) => point.z === null && !point.anomalous)).toBe(true);
    expect(points[4]).toMatchObject({ index: 4, value: 100, median: 2.5, mad: 1, anomalous: true });
    expect(points[4]!.z).toBeCloseTo(0.6745 * 97.5, 12);
  });

  it('the point itself is not in its reference window (a spike cannot mask itself)', () => {
    const points = rollingRobustZ([10, 11, 10, 11, 10, 11, 50, 10], { window: 6, threshold: 3.5 });
    expect(points[6]!.anomalous).toBe(true);
    // The point after the spike has the spike in its window; median/MAD barely move.
    expect(points[7]!.anomalous).toBe(false);
  });

  it('MAD 0 falls back to the mean absolute deviation times sqrt(pi/2)', () => {
    const points = rollingRobustZ([5, 5, 5, 8, 6], { window: 4, threshold: 3.5 });
    expect(points[4]!.mad).toBe(0);
    expect(points[4]!.z).toBeCloseTo(1 / (Math.sqrt(Math.PI / 2) * 0.75), 12);
  });

  it('a constant window gives no z; a different value is flagged, an equal one is not', () => {
    const points = rollingRobustZ([5, 5, 5, 5, 5, 9], { window: 4, threshold: 3.5 });
    expect(points[4]).toMatchObject({ z: null, anomalous: false });
    expect(points[5]).toMatchObject({ z: null, anomalous: true });
  });

  it('missing values are skipped: not scored and not in any window', () => {
    const points = rollingRobustZ([1, Number.NaN, 2, 3, 4, 100], { window: 4, threshold: 3.5 });
    expect(points.map((point) => point.index)).toEqual([0, 2, 3, 4, 5]);
    expect(points[4]).toMatchObject({ index: 5, median: 2.5, mad: 1 });
  });

  it('refuses a window under 3 and a non-positive threshold with the value', () => {
    expect(() => rollingRobustZ([1], { window: 2, threshold: 3 })).toThrow('anomaly: window must be a whole number >= 3, got 2');
    expect(() => rollingRobustZ([1], { window: 5, threshold: 0 })).toThrow('threshold must be > 0, got 0');
  });
});

describe('points outside a forecast interval', () => {
  it('flags actuals outside [lower, upper] with the excess in interval widths', () => {
    const points = outsideInterval([5, 12, -1, Number.NaN], [0, 0, 0, 0], [10, 10, 10, 10]);
    expect(points.map((point) => [point.index, point.anomalous, point.excess])).toEqual([[0, false, 0], [1, true, 0.2], [2, true, 0.1]]);
  });

  it('a central 80% interval is bounded by the 0.1 and 0.9 quantiles', () => {
    expect(intervalLevels(0.8)).toEqual([0.1, 0.9]);
    expect(intervalLevels(0.95)).toEqual([0.025, 0.975]);
    expect(() => intervalLevels(1)).toThrow('level must be between 0 and 1');
    expect(() => outsideInterval([1, 2], [0], [1])).toThrow('2 actuals for 1 lower');
  });
});
