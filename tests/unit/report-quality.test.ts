import { beforeAll, describe, expect, it } from 'vitest';
import { reportQuality } from '@/lib/client/report';
import { LookaheadError } from '@/lib/core/errors';
import { assessQuality, type QualityReport } from '@/lib/data/quality';
import { parseForecastReport, REPORT_QUALITY_LIST_LIMIT, reportQualityMarks, type ForecastReport } from '@/lib/report';
import { asSentence, qualityStatuses } from '@/lib/report/quality';
import { formatAge } from '@/components/number-format';
import { sampleForecastReport } from '../support/quality-report';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
/** Daily timestamps at the given day offsets from 2024-01-01. */
const days = (offsets: number[]) => Float64Array.from(offsets, (offset) => T0 + offset * DAY);

/**
 * 102 daily rows: days 0-59, then every other day up to 109 (25 one-day gaps, past the list
 * limit of 20), then days 110-124 and day 124 twice more; a spike of 1000 on every fourth row over
 * 10, 11, 12 (26 outliers, past the limit too); one NaN.
 */
function busyWindow(): { timestampsMs: Float64Array; values: number[] } {
  const offsets: number[] = [];
  for (let day = 0; day < 60; day++) offsets.push(day);
  for (let day = 61; day <= 109; day += 2) offsets.push(day);
  for (let day = 110; day <= 124; day++) offsets.push(day);
  offsets.push(124, 124);
  const values = offsets.map((_, index) => (index % 4 === 0 ? 1000 : 10 + (index % 3)));
  values[1] = Number.NaN;
  return { timestampsMs: days(offsets), values };
}

let milk: ForecastReport;
const milkNow = Date.UTC(2025, 0, 1);

beforeAll(async () => {
  milk = await sampleForecastReport({ file: 'data/samples/monthly-milk-incomplete.csv', source: 'monthly-milk-incomplete', nowMs: milkNow });
});

function refusal(input: unknown): string {
  try {
    parseForecastReport(input, 'share');
  } catch (error) {
    expect(error).toBeInstanceOf(LookaheadError);
    return (error as Error).message;
  }
  throw new Error('expected the snapshot to be refused');
}

describe('report quality: compaction', () => {
  it('keeps every count and cuts each list at the report limit', () => {
    const window = busyWindow();
    const full = assessQuality({ ...window, nowMs: T0 + 100 * DAY });
    expect(full.gaps.count).toBeGreaterThan(REPORT_QUALITY_LIST_LIMIT);
    expect(full.outliers.count).toBeGreaterThan(REPORT_QUALITY_LIST_LIMIT);
    const compact = reportQuality(full);
    expect(compact.gaps.list).toEqual(full.gaps.list.slice(0, REPORT_QUALITY_LIST_LIMIT));
    expect(compact.outliers.list).toEqual(full.outliers.list.slice(0, REPORT_QUALITY_LIST_LIMIT));
    expect({ gaps: compact.gaps.count, steps: compact.gaps.missingSteps, outliers: compact.outliers.count, duplicates: compact.duplicates.count, missing: compact.missing.count }).toEqual({
      gaps: 25,
      steps: 25,
      outliers: 26,
      duplicates: 2,
      missing: 1,
    });
    expect(compact.duplicates.timestampsMs).toEqual([T0 + 124 * DAY]);
    expect(compact.freshness).toEqual(full.freshness);
    expect(compact.notes).toEqual(full.notes);
  });

  it('dates each outlier with its own row timestamp', () => {
    const compact = reportQuality(assessQuality({ timestampsMs: days([0, 1, 2, 3, 5]), values: [1, 2, 3, 4, 100] }));
    expect(compact.outliers.list).toEqual([{ index: 4, value: 100, score: expect.closeTo(0.6745 * 97, 9), timestampMs: T0 + 5 * DAY }]);
    expect(reportQuality(assessQuality({ timestampsMs: null, values: [1, 2, 3, 4, 100] })).outliers.list[0]!.timestampMs).toBeNull();
  });

  it('NaN and Infinity become null (JSON has neither)', () => {
    const report: QualityReport = {
      ...assessQuality({ timestampsMs: days([0, 1]), values: [1, 2], nowMs: T0 }),
      missing: { count: 0, share: Number.NaN },
      outliers: { count: 1, threshold: 3.5, median: Number.NaN, mad: Number.POSITIVE_INFINITY, list: [{ index: 0, value: 1, score: Number.NEGATIVE_INFINITY, timestampMs: Number.NaN }] },
      freshness: { newestMs: T0 + DAY, ageMs: Number.POSITIVE_INFINITY },
    };
    const compact = reportQuality(report);
    expect(compact.missing.share).toBeNull();
    expect([compact.outliers.median, compact.outliers.mad]).toEqual([null, null]);
    expect(compact.outliers.list[0]).toEqual({ index: 0, value: 1, score: null, timestampMs: null });
    expect(compact.freshness).toEqual({ newestMs: T0 + DAY, ageMs: null });
    expect(JSON.parse(JSON.stringify(compact))).toEqual(compact);
  });
});

describe('report quality: the snapshot schema', () => {
  it('a forecast of the incomplete milk sample carries its quality and survives JSON unchanged', () => {
    expect(milk.quality).toMatchObject({
      rowCount: 155,
      missing: { count: 0, share: 0 },
      frequency: '1M',
      gaps: { count: 8, missingSteps: 13 },
      outliers: { count: 0, threshold: 3.5, median: 762, mad: 75 },
      duplicates: { count: 0, timestampsMs: [] },
      // 1975-12-01 is the newest month; the run was at 2025-01-01.
      freshness: { newestMs: Date.UTC(1975, 11, 1), ageMs: milkNow - Date.UTC(1975, 11, 1) },
    });
    // 155 rows + 13 absent months on the grid the model saw.
    expect(milk.data.values).toHaveLength(168);
    expect(parseForecastReport(JSON.parse(JSON.stringify(milk)))).toEqual(milk);
  });

  it('a report stored before quality existed (no key) still parses, and stays without it', () => {
    const old = structuredClone(milk) as Partial<ForecastReport>;
    delete old.quality;
    const parsed = parseForecastReport(JSON.parse(JSON.stringify(old)));
    expect('quality' in parsed).toBe(false);
    expect(JSON.stringify(parsed)).toBe(JSON.stringify(old));
    expect(parseForecastReport({ ...old, quality: null }).quality).toBeNull();
  });

  it('refuses a list over the limit, a list longer than its count, and unknown keys', () => {
    const long = structuredClone(milk);
    long.quality!.duplicates = { count: 30, timestampsMs: Array.from({ length: 21 }, (_, index) => index) };
    expect(refusal(long)).toContain('quality.duplicates.timestampsMs: ');
    const inconsistent = structuredClone(milk);
    inconsistent.quality!.gaps.count = 2;
    expect(refusal(inconsistent)).toContain('quality.gaps: lists 8 entries but counts 2');
    const extra = structuredClone(milk) as unknown as { quality: Record<string, unknown> };
    extra.quality.everything = true;
    expect(refusal(extra)).toContain('everything');
  });
});

describe('report quality: chart marks', () => {
  it('milk: one shaded span per gap, from the month before to the month after', () => {
    const marks = reportQualityMarks(milk);
    expect(marks.outliers).toEqual([]);
    expect(marks.gaps).toHaveLength(8);
    // The first gap: 1963-09 is absent, so the span runs from 1963-08 to 1963-10.
    expect(marks.gaps[0]).toEqual({ fromX: Date.UTC(1963, 7, 1), toX: Date.UTC(1963, 9, 1), missingSteps: 1 });
  });

  it('outliers sit at their timestamp and value; without timestamps at their position', () => {
    const timed = { ...milk, quality: reportQuality(assessQuality({ timestampsMs: days([0, 1, 2, 3, 5]), values: [1, 2, 3, 4, 100] })) };
    expect(reportQualityMarks(timed).outliers).toEqual([{ x: T0 + 5 * DAY, y: 100, score: expect.any(Number) }]);
    const untimed = { ...milk, data: { ...milk.data, timestampsMs: null }, quality: reportQuality(assessQuality({ timestampsMs: null, values: [1, 2, 3, 4, 100] })) };
    expect(reportQualityMarks(untimed)).toEqual({ outliers: [{ x: 4, y: 100, score: expect.any(Number) }], gaps: [] });
  });

  it('an old report has nothing to mark', () => {
    expect(reportQualityMarks({ ...milk, quality: undefined })).toEqual({ outliers: [], gaps: [] });
  });
});

describe('report quality: verdicts', () => {
  it('milk: gaps and a 49-year-old newest point are warnings; the rest is ok', () => {
    expect(qualityStatuses(milk.quality!)).toEqual({ missing: 'ok', gaps: 'warning', outliers: 'ok', duplicates: 'ok', freshness: 'warning' });
  });

  it('fresh within two steps of the frequency, stale after', () => {
    const at = (nowMs: number) => qualityStatuses(reportQuality(assessQuality({ timestampsMs: days([0, 1, 2]), values: [1, 2, 3], nowMs }))).freshness;
    expect(at(T0 + 4 * DAY)).toBe('ok');
    expect(at(T0 + 4 * DAY + 1)).toBe('warning');
  });

  it('without timestamps, gaps and freshness are not checked', () => {
    const statuses = qualityStatuses(reportQuality(assessQuality({ timestampsMs: null, values: [1, 2, 3], nowMs: T0 })));
    expect([statuses.gaps, statuses.freshness]).toEqual(['unknown', 'unknown']);
  });

  it('notes read as sentences', () => {
    expect(asSentence('13 time steps of 1M are absent in 8 gaps')).toBe('13 time steps of 1M are absent in 8 gaps.');
    expect(asSentence('no regular frequency could be inferred, so gaps are not checked')).toBe('No regular frequency could be inferred, so gaps are not checked.');
    expect(asSentence('Done.')).toBe('Done.');
  });
});

describe('formatAge', () => {
  it.each([
    [30_000, 'less than a minute old'],
    [5 * 60_000, '5 minutes old'],
    [3_600_000, '1 hour old'],
    [3 * DAY + 5 * 3_600_000, '3 days old'],
    [59 * DAY, '59 days old'],
    [90 * DAY, '2 months old'],
    [Date.UTC(2025, 0, 1) - Date.UTC(1975, 11, 1), '49 years old'],
    [-2 * 3_600_000, '2 hours in the future'],
  ])('%d ms: %s', (ageMs, text) => {
    expect(formatAge(ageMs)).toBe(text);
  });
});
