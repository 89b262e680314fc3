import { describe, expect, it } from 'vitest';
import { frequencyFromLabel } from '@/lib/core/frequency';
import { assessQuality, robustOutliers } from '@/lib/data/quality';
import { regularizeWindow } from '@/lib/data/regularize';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const hours = (...offsets: number[]) => Float64Array.from(offsets, (offset) => T0 + offset * HOUR);

describe('quality: missing values', () => {
  it('counts NaN as missing: 2 of 8 = 25%', () => {
    const report = assessQuality({ timestampsMs: hours(0, 1, 2, 3, 4, 5, 6, 7), values: [1, NaN, 3, 4, NaN, 6, 7, 8] });
    expect(report.missing).toEqual({ count: 2, share: 0.25 });
    expect(report.notes[0]).toBe('2 of 8 values are missing (25.0%)');
  });

  it('an empty window has no missing share and no findings', () => {
    const report = assessQuality({ timestampsMs: new Float64Array(0), values: [] });
    expect(report.missing).toEqual({ count: 0, share: 0 });
    expect(report.notes).toEqual([]);
    expect(report.freshness).toBeNull();
  });
});

describe('quality: gaps against the inferred frequency', () => {
  it('hourly series missing hours 3, 4 and 7: 2 gaps, 3 steps, 3/(7+3) of the grid', () => {
    const report = assessQuality({ timestampsMs: hours(0, 1, 2, 5, 6, 8, 9), values: [1, 2, 3, 4, 5, 6, 7] });
    expect(report.frequency).toBe('1h');
    expect(report.gaps.count).toBe(2);
    expect(report.gaps.missingSteps).toBe(3);
    expect(report.gaps.share).toBeCloseTo(0.3, 12);
    expect(report.gaps.list.map((gap) => [gap.afterIndex, gap.missingSteps])).toEqual([
      [2, 2],
      [4, 1],
    ]);
  });

  it('uses the frequency it is given instead of inferring one', () => {
    const report = assessQuality({ timestampsMs: hours(0, 2, 4), values: [1, 2, 3], frequency: frequencyFromLabel('1h') });
    expect(report.gaps.missingSteps).toBe(2);
  });

  it('a series without timestamps has no gaps, duplicates or freshness', () => {
    const report = assessQuality({ timestampsMs: null, values: [1, 2, 3], nowMs: T0 });
    expect(report.gaps.count).toBe(0);
    expect(report.duplicates.count).toBe(0);
    expect(report.freshness).toBeNull();
  });
});

describe('quality: duplicate timestamps', () => {
  it('counts every repeat of an earlier timestamp, even out of order', () => {
    const report = assessQuality({ timestampsMs: hours(2, 0, 1, 1, 2, 1), values: [1, 2, 3, 4, 5, 6] });
    // hour 1 three times (2 repeats), hour 2 twice (1 repeat)
    expect(report.duplicates.count).toBe(3);
    expect(report.duplicates.timestampsMs).toEqual([T0 + HOUR, T0 + 2 * HOUR]);
  });
});

describe('quality: robust z-score outliers', () => {
  it('hand-computed: median 3, MAD 1, z(100) = 0.6745 * 97 = 65.4 flags only 100', () => {
    // values 1 2 3 4 100: median 3; |x - 3| = 2 1 0 1 97 -> sorted 0 1 1 2 97, MAD = 1
    const outliers = robustOutliers([1, 2, 3, 4, 100]);
    expect(outliers.median).toBe(3);
    expect(outliers.mad).toBe(1);
    expect(outliers.count).toBe(1);
    expect(outliers.list[0]!.index).toBe(4);
    expect(outliers.list[0]!.score).toBeCloseTo(0.6745 * 97, 10);
  });

  it('z(5) = 0.6745 * 2 / 1 = 1.35 stays under 3.5', () => {
    expect(robustOutliers([1, 2, 3, 4, 5]).count).toBe(0);
  });

  it('MAD = 0 falls back to the mean absolute deviation times 1.253314', () => {
    // values 5 5 5 5 9: median 5, deviations 0 0 0 0 4: MAD 0, mean AD 0.8, scale 1.0026512
    const outliers = robustOutliers([5, 5, 5, 5, 9]);
    expect(outliers.mad).toBe(0);
    expect(outliers.count).toBe(1);
    expect(outliers.list[0]!.score).toBeCloseTo(4 / (0.8 * 1.253314), 10);
  });

  it('a constant series has no outliers (no spread to measure against)', () => {
    expect(robustOutliers([2, 2, 2, 2]).count).toBe(0);
  });

  it('skips NaN and keeps indices of the input', () => {
    const outliers = robustOutliers([NaN, 1, 2, 3, 4, 100, NaN]);
    expect(outliers.list.map((outlier) => outlier.index)).toEqual([5]);
  });

  it('the threshold is configurable', () => {
    expect(robustOutliers([1, 2, 3, 4, 5], 1).count).toBe(2);
  });
});

describe('quality: freshness', () => {
  it('age of the newest point relative to nowMs', () => {
    const report = assessQuality({ timestampsMs: hours(0, 1, 2), values: [1, 2, 3], nowMs: T0 + 5 * HOUR });
    expect(report.freshness).toEqual({ newestMs: T0 + 2 * HOUR, ageMs: 3 * HOUR });
  });
});

describe('regularize: gaps become NaN rows', () => {
  it('fills hours 3 and 4 with NaN and keeps the observed values in place', () => {
    const regular = regularizeWindow(hours(0, 1, 2, 5), { v: Float64Array.from([1, 2, 3, 6]) }, frequencyFromLabel('1h'));
    expect(regular.insertedRows).toBe(2);
    expect(Array.from(regular.timestampsMs)).toEqual(Array.from(hours(0, 1, 2, 3, 4, 5)));
    expect(Array.from(regular.columns.v!)).toEqual([1, 2, 3, NaN, NaN, 6]);
  });

  it('returns the input untouched when nothing is missing', () => {
    const timestamps = hours(0, 1, 2);
    const regular = regularizeWindow(timestamps, { v: Float64Array.from([1, 2, 3]) }, frequencyFromLabel('1h'));
    expect(regular.timestampsMs).toBe(timestamps);
    expect(regular.insertedRows).toBe(0);
  });

  it('refuses a grid that would grow without bound (a wrong frequency)', () => {
    expect(() => regularizeWindow(hours(0, 10_000), { v: Float64Array.from([1, 2]) }, frequencyFromLabel('1s'))).toThrow(/regularize: filling/);
  });
});
