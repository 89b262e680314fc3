import { describe, it, expect } from 'vitest';
import { LookaheadError } from '@/lib/core/errors';
import {
  addSteps,
  findGaps,
  frequencyFromLabel,
  inferFrequency,
  makeFrequency,
  seasonalPeriod,
  seasonalPeriods,
  type Frequency,
} from '@/lib/core/frequency';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `count` timestamps `stepMs` apart from 2021-01-01. */
function evenlySpaced(count: number, stepMs: number, startMs = Date.UTC(2021, 0, 1)): number[] {
  return Array.from({ length: count }, (_, index) => startMs + index * stepMs);
}

/** UTC ms of each [year, month (1-based), day]. */
function dates(...days: [number, number, number][]): number[] {
  return days.map(([year, month, day]) => Date.UTC(year, month - 1, day));
}

const hourly = frequencyFromLabel('1h');
const monthly = frequencyFromLabel('1M');

describe('inferFrequency', () => {
  it('hourly', () => {
    expect(inferFrequency(evenlySpaced(48, HOUR))).toEqual({ unit: 'hour', step: 1, label: '1h', description: 'hourly' });
  });

  it('every 10 minutes', () => {
    expect(inferFrequency(evenlySpaced(30, 10 * MINUTE))).toEqual({ unit: 'minute', step: 10, label: '10min', description: 'every 10 minutes' });
  });

  it('every 15 minutes, from a Float64Array', () => {
    expect(inferFrequency(new Float64Array(evenlySpaced(10, 15 * MINUTE)))?.label).toBe('15min');
  });

  it('every second', () => {
    expect(inferFrequency(evenlySpaced(10, 1000))).toEqual({ unit: 'second', step: 1, label: '1s', description: 'every second' });
  });

  it('daily', () => {
    expect(inferFrequency(evenlySpaced(20, DAY))).toEqual({ unit: 'day', step: 1, label: '1D', description: 'daily' });
  });

  it('weekly', () => {
    expect(inferFrequency(evenlySpaced(20, 7 * DAY))).toEqual({ unit: 'week', step: 1, label: '1W', description: 'weekly' });
  });

  it('every 90 minutes stays in minutes; every 2 days in days', () => {
    expect(inferFrequency(evenlySpaced(10, 90 * MINUTE))?.label).toBe('90min');
    expect(inferFrequency(evenlySpaced(10, 2 * DAY))).toMatchObject({ label: '2D', description: 'every 2 days' });
  });

  it('monthly on the first of the month, across February and a leap year', () => {
    const starts = Array.from({ length: 30 }, (_, index) => Date.UTC(2023, index, 1));
    expect(inferFrequency(starts)).toEqual({ unit: 'month', step: 1, label: '1M', description: 'monthly' });
  });

  it('monthly on month ends (31, 29, 31, 30, ...)', () => {
    const ends = Array.from({ length: 14 }, (_, index) => Date.UTC(2024, index + 1, 0));
    expect(new Date(ends[1]!).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(inferFrequency(ends)?.label).toBe('1M');
  });

  it('monthly on the 31st, clamped to shorter months', () => {
    expect(inferFrequency(dates([2023, 1, 31], [2023, 2, 28], [2023, 3, 31], [2023, 4, 30], [2023, 5, 31]))?.label).toBe('1M');
  });

  it('monthly on the 15th at noon', () => {
    const fifteenths = Array.from({ length: 12 }, (_, index) => Date.UTC(2021, index, 15, 12));
    expect(inferFrequency(fifteenths)?.label).toBe('1M');
  });

  it('monthly with missing months is still monthly', () => {
    expect(inferFrequency(dates([2021, 1, 1], [2021, 2, 1], [2021, 3, 1], [2021, 6, 1], [2021, 7, 1], [2021, 10, 1]))?.label).toBe('1M');
  });

  it('quarterly, on quarter starts and on quarter ends', () => {
    const starts = Array.from({ length: 12 }, (_, index) => Date.UTC(2020, index * 3, 1));
    expect(inferFrequency(starts)).toEqual({ unit: 'quarter', step: 1, label: '1Q', description: 'quarterly' });
    expect(inferFrequency(dates([2020, 3, 31], [2020, 6, 30], [2020, 9, 30], [2020, 12, 31], [2021, 3, 31]))?.label).toBe('1Q');
  });

  it('yearly, across leap years', () => {
    const years = Array.from({ length: 10 }, (_, index) => Date.UTC(2015 + index, 0, 1));
    expect(inferFrequency(years)).toEqual({ unit: 'year', step: 1, label: '1Y', description: 'yearly' });
  });

  it('every 30 days is not monthly', () => {
    expect(inferFrequency(evenlySpaced(12, 30 * DAY))?.label).toBe('30D');
  });

  it('irregular with gaps: the most common step wins', () => {
    const timestamps = [...evenlySpaced(10, HOUR), ...evenlySpaced(5, HOUR, Date.UTC(2021, 0, 1, 15)), Date.UTC(2021, 0, 2)];
    expect(inferFrequency(timestamps)?.label).toBe('1h');
  });

  it('a tie goes to the shorter step', () => {
    expect(inferFrequency([0, HOUR, 3 * HOUR])?.label).toBe('1h');
  });

  it('fewer than 2 points: null', () => {
    expect(inferFrequency([])).toBeNull();
    expect(inferFrequency([Date.UTC(2021, 0, 1)])).toBeNull();
  });

  it('no increasing step (all equal, or NaN): null', () => {
    expect(inferFrequency([5, 5, 5])).toBeNull();
    expect(inferFrequency([Number.NaN, 5, Number.NaN])).toBeNull();
  });
});

describe('frequency labels', () => {
  it('every label parses back to the same frequency', () => {
    for (const label of ['1s', '30s', '1min', '10min', '15min', '90min', '1h', '6h', '1D', '2D', '1W', '2W', '1M', '2M', '1Q', '2Q', '1Y', '0.5s']) {
      const frequency = frequencyFromLabel(label);
      expect(frequency.label).toBe(label);
      expect(frequencyFromLabel(frequency.label)).toEqual(frequency);
    }
  });

  it('pandas aliases and a missing step', () => {
    expect(frequencyFromLabel('H')).toEqual(hourly);
    expect(frequencyFromLabel('15T').label).toBe('15min');
    expect(frequencyFromLabel('MS')).toEqual(monthly);
    expect(frequencyFromLabel('A').label).toBe('1Y');
    expect(frequencyFromLabel('D').description).toBe('daily');
  });

  it('labels are canonical: the largest unit that divides the step', () => {
    expect(frequencyFromLabel('60min').label).toBe('1h');
    expect(frequencyFromLabel('24h').label).toBe('1D');
    expect(frequencyFromLabel('14D').label).toBe('2W');
    expect(frequencyFromLabel('3M').label).toBe('1Q');
    expect(frequencyFromLabel('12M').label).toBe('1Y');
    expect(frequencyFromLabel('6M')).toMatchObject({ label: '2Q', description: 'every 2 quarters' });
    expect(makeFrequency('second', 3600).label).toBe('1h');
  });

  it('unknown labels throw a frequency error', () => {
    for (const label of ['fortnightly', '1m', '0h', '1.5h', 'constructor', '']) {
      expect(() => frequencyFromLabel(label)).toThrow(LookaheadError);
    }
    expect(() => frequencyFromLabel('fortnightly')).toThrow(
      'frequency: unknown frequency "fortnightly"; use a step and a unit such as 1s, 10min, 1h, 1D, 1W, 1M, 1Q or 1Y',
    );
  });

  it('makeFrequency rejects a non-positive or fractional step', () => {
    expect(() => makeFrequency('month', 1.5)).toThrow('frequency: step must be a positive whole number of months, got 1.5');
    expect(() => makeFrequency('hour', 0)).toThrow('frequency: step must be a positive whole number of hours, got 0');
  });
});

describe('seasonalPeriod', () => {
  const expected: [string, number][] = [
    ['1h', 24],
    ['1D', 7],
    ['1W', 52],
    ['1M', 12],
    ['1Q', 4],
    ['1Y', 1],
    ['10min', 144],
    ['15min', 96],
    ['30min', 48],
    ['1min', 60],
    ['5min', 288],
    ['1s', 60],
    ['2h', 12],
    ['2M', 6],
  ];
  for (const [label, period] of expected) {
    it(`${label} -> ${period}`, () => {
      expect(seasonalPeriod(frequencyFromLabel(label))).toBe(period);
    });
  }

  it('unknown frequency -> 1', () => {
    expect(seasonalPeriod(null)).toBe(1);
    expect(seasonalPeriod(undefined)).toBe(1);
  });
});

describe('seasonalPeriods', () => {
  it('hourly [24, 168], sub-daily [per day, per week], daily [7, 365]', () => {
    expect(seasonalPeriods(hourly)).toEqual([24, 168]);
    expect(seasonalPeriods(frequencyFromLabel('10min'))).toEqual([144, 1008]);
    expect(seasonalPeriods(frequencyFromLabel('30min'))).toEqual([48, 336]);
    expect(seasonalPeriods(frequencyFromLabel('1D'))).toEqual([7, 365]);
  });

  it('1-minute data: an hour, then a day (a week of minutes is too long to fit)', () => {
    expect(seasonalPeriods(frequencyFromLabel('1min'))).toEqual([60, 1440]);
  });

  it('weekly [52], monthly [12], quarterly [4], yearly [1], unknown [1]', () => {
    expect(seasonalPeriods(frequencyFromLabel('1W'))).toEqual([52]);
    expect(seasonalPeriods(monthly)).toEqual([12]);
    expect(seasonalPeriods(frequencyFromLabel('1Q'))).toEqual([4]);
    expect(seasonalPeriods(frequencyFromLabel('1Y'))).toEqual([1]);
    expect(seasonalPeriods(null)).toEqual([1]);
  });
});

describe('addSteps', () => {
  const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

  it('fixed steps add milliseconds, forwards and backwards', () => {
    const start = Date.UTC(2021, 0, 1);
    expect(addSteps(start, hourly, 3)).toBe(start + 3 * HOUR);
    expect(addSteps(start, frequencyFromLabel('10min'), -2)).toBe(start - 20 * MINUTE);
    expect(addSteps(start, frequencyFromLabel('1W'), 1)).toBe(Date.UTC(2021, 0, 8));
  });

  it('a month end stays a month end', () => {
    expect(iso(addSteps(Date.UTC(2024, 0, 31), monthly, 1))).toBe('2024-02-29T00:00:00');
    expect(iso(addSteps(Date.UTC(2024, 1, 29), monthly, 1))).toBe('2024-03-31T00:00:00');
    expect(iso(addSteps(Date.UTC(2023, 1, 28), monthly, 1))).toBe('2023-03-31T00:00:00');
    expect(iso(addSteps(Date.UTC(2024, 3, 30), monthly, 1))).toBe('2024-05-31T00:00:00');
    expect(iso(addSteps(Date.UTC(2024, 2, 31), monthly, -1))).toBe('2024-02-29T00:00:00');
  });

  it('other days keep their day of month, clamped to shorter months', () => {
    expect(iso(addSteps(Date.UTC(2023, 0, 30), monthly, 1))).toBe('2023-02-28T00:00:00');
    expect(iso(addSteps(Date.UTC(2023, 0, 30), monthly, 2))).toBe('2023-03-30T00:00:00');
    expect(iso(addSteps(Date.UTC(2021, 2, 15, 10, 30), monthly, 10))).toBe('2022-01-15T10:30:00');
  });

  it('quarters and years are 3 and 12 calendar months', () => {
    expect(iso(addSteps(Date.UTC(2023, 10, 30), frequencyFromLabel('1Q'), 1))).toBe('2024-02-29T00:00:00');
    expect(iso(addSteps(Date.UTC(2024, 1, 29), frequencyFromLabel('1Y'), 1))).toBe('2025-02-28T00:00:00');
    expect(iso(addSteps(Date.UTC(1949, 0, 1), frequencyFromLabel('1Y'), -2))).toBe('1947-01-01T00:00:00');
  });

  it('a fractional number of calendar steps throws', () => {
    expect(() => addSteps(0, monthly, 0.5)).toThrow('frequency: cannot add 0.5 months; calendar steps must be whole numbers');
  });
});

describe('findGaps', () => {
  it('counts missing hours', () => {
    const start = Date.UTC(2021, 0, 1);
    const timestamps = [0, 1, 4, 5, 7].map((hour) => start + hour * HOUR);
    expect(findGaps(timestamps, hourly)).toEqual([
      { afterIndex: 1, fromMs: start + HOUR, toMs: start + 4 * HOUR, missingSteps: 2 },
      { afterIndex: 3, fromMs: start + 5 * HOUR, toMs: start + 7 * HOUR, missingSteps: 1 },
    ]);
  });

  it('no gaps in regular data', () => {
    expect(findGaps(evenlySpaced(100, DAY), frequencyFromLabel('1D'))).toEqual([]);
  });

  it('monthly gaps count calendar months, whatever the month lengths', () => {
    const firsts = dates([2021, 1, 1], [2021, 2, 1], [2021, 3, 1], [2021, 6, 1]);
    expect(findGaps(firsts, monthly)).toEqual([{ afterIndex: 2, fromMs: firsts[2], toMs: firsts[3], missingSteps: 2 }]);
    const ends = dates([2021, 1, 31], [2021, 2, 28], [2021, 5, 31]);
    expect(findGaps(ends, monthly).map((gap) => gap.missingSteps)).toEqual([2]);
  });

  it('quarterly and yearly gaps', () => {
    expect(findGaps(dates([2020, 1, 1], [2020, 4, 1], [2021, 1, 1]), frequencyFromLabel('1Q'))[0]?.missingSteps).toBe(2);
    expect(findGaps(dates([2000, 1, 1], [2001, 1, 1], [2005, 1, 1]), frequencyFromLabel('1Y'))[0]?.missingSteps).toBe(3);
  });

  it('10-minute gaps', () => {
    const frequency: Frequency = frequencyFromLabel('10min');
    expect(findGaps([0, 10 * MINUTE, 60 * MINUTE], frequency)[0]?.missingSteps).toBe(4);
  });

  it('repeated and backward pairs are skipped', () => {
    expect(findGaps([0, HOUR, HOUR, 0, HOUR], hourly)).toEqual([]);
  });
});
