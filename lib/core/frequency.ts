/**
 * The sampling frequency of a time series: inferred from timestamps, turned into season lengths,
 * and used to step through time. Timestamps are UTC milliseconds; months, quarters and years are
 * calendar steps (in UTC), everything shorter is a fixed number of milliseconds.
 */
import { LookaheadError } from './errors';

export type FrequencyUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';

export interface Frequency {
  unit: FrequencyUnit;
  step: number;
  /** e.g. "1h", "10min", "1D", "1W", "1M", "1Q", "1Y", "15min" */
  label: string;
  /** human, e.g. "hourly", "every 10 minutes", "monthly" */
  description: string;
}

/** A run of missing steps between two observed timestamps. */
export interface Gap {
  /** Index of the observation just before the gap. */
  afterIndex: number;
  /** The observed timestamp before the gap (`timestamps[afterIndex]`). */
  fromMs: number;
  /** The observed timestamp after the gap (`timestamps[afterIndex + 1]`). */
  toMs: number;
  /** How many steps of the frequency are absent between the two. */
  missingSteps: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const fixedUnitMs: Record<'second' | 'minute' | 'hour' | 'day' | 'week', number> = {
  second: SECOND,
  minute: MINUTE,
  hour: HOUR,
  day: DAY,
  week: WEEK,
};

const monthsPerUnit: Record<'month' | 'quarter' | 'year', number> = { month: 1, quarter: 3, year: 12 };

const labelSuffix: Record<FrequencyUnit, string> = {
  second: 's',
  minute: 'min',
  hour: 'h',
  day: 'D',
  week: 'W',
  month: 'M',
  quarter: 'Q',
  year: 'Y',
};

const singleStepDescription: Record<FrequencyUnit, string> = {
  second: 'every second',
  minute: 'every minute',
  hour: 'hourly',
  day: 'daily',
  week: 'weekly',
  month: 'monthly',
  quarter: 'quarterly',
  year: 'yearly',
};

/** Label suffixes accepted by `frequencyFromLabel`: ours plus the common pandas aliases. */
const unitBySuffix = new Map<string, FrequencyUnit>([
  ['s', 'second'], ['S', 'second'], ['sec', 'second'],
  ['min', 'minute'], ['T', 'minute'],
  ['h', 'hour'], ['H', 'hour'],
  ['D', 'day'], ['d', 'day'],
  ['W', 'week'], ['w', 'week'],
  ['M', 'month'], ['MS', 'month'], ['ME', 'month'],
  ['Q', 'quarter'], ['QS', 'quarter'], ['QE', 'quarter'],
  ['Y', 'year'], ['YS', 'year'], ['YE', 'year'], ['A', 'year'], ['AS', 'year'],
]);

function isCalendarUnit(unit: FrequencyUnit): unit is 'month' | 'quarter' | 'year' {
  return unit === 'month' || unit === 'quarter' || unit === 'year';
}

/**
 * A frequency in its canonical form: the largest unit that divides the step evenly, so 60min is
 * "1h", 7D is "1W", 3M is "1Q" and 12M is "1Y" (and a label always parses back to the same value).
 */
export function makeFrequency(unit: FrequencyUnit, step: number): Frequency {
  if (!(step > 0) || !Number.isFinite(step) || (unit !== 'second' && !Number.isInteger(step))) {
    throw new LookaheadError('frequency', 'bad_input', `step must be a positive whole number of ${unit}s, got ${step}`);
  }
  const [canonicalUnit, canonicalStep] = isCalendarUnit(unit)
    ? canonicalCalendar(step * monthsPerUnit[unit])
    : canonicalFixed(step * fixedUnitMs[unit]);
  return describe(canonicalUnit, canonicalStep);
}

function describe(canonicalUnit: FrequencyUnit, canonicalStep: number): Frequency {
  return {
    unit: canonicalUnit,
    step: canonicalStep,
    label: `${canonicalStep}${labelSuffix[canonicalUnit]}`,
    description: canonicalStep === 1 ? singleStepDescription[canonicalUnit] : `every ${canonicalStep} ${canonicalUnit}s`,
  };
}

function canonicalCalendar(months: number): [FrequencyUnit, number] {
  if (months % 12 === 0) return ['year', months / 12];
  if (months % 3 === 0) return ['quarter', months / 3];
  return ['month', months];
}

function canonicalFixed(ms: number): [FrequencyUnit, number] {
  if (ms % WEEK === 0) return ['week', ms / WEEK];
  if (ms % DAY === 0) return ['day', ms / DAY];
  if (ms % HOUR === 0) return ['hour', ms / HOUR];
  if (ms % MINUTE === 0) return ['minute', ms / MINUTE];
  return ['second', ms / SECOND];
}

/** Inverse of `Frequency.label`; also takes pandas aliases such as "H", "T", "MS", "A". */
export function frequencyFromLabel(label: string): Frequency {
  const match = /^(\d+(?:\.\d+)?)?([A-Za-z]+)$/.exec(label.trim());
  const unit = match ? unitBySuffix.get(match[2]!) : undefined;
  const step = match?.[1] === undefined ? 1 : Number(match[1]);
  if (!match || unit === undefined || !(step > 0) || (unit !== 'second' && !Number.isInteger(step))) {
    throw new LookaheadError(
      'frequency',
      'bad_input',
      `unknown frequency "${label}"; use a step and a unit such as 1s, 10min, 1h, 1D, 1W, 1M, 1Q or 1Y`,
      { details: { label } },
    );
  }
  return makeFrequency(unit, step);
}

interface CivilTime {
  year: number;
  /** 0-based, as in Date. */
  month: number;
  day: number;
  msOfDay: number;
}

function toCivil(timestampMs: number): CivilTime {
  const date = new Date(timestampMs);
  const msOfDay = ((timestampMs % DAY) + DAY) % DAY;
  return { year: date.getUTCFullYear(), month: date.getUTCMonth(), day: date.getUTCDate(), msOfDay };
}

const monthLengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 1 && leap ? 29 : monthLengths[month]!;
}

function fromCivil(year: number, month: number, day: number, msOfDay: number): number {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 to 1900..1999.
  date.setUTCFullYear(year, month, day);
  return date.getTime() + msOfDay;
}

function monthIndex(civil: CivilTime): number {
  return civil.year * 12 + civil.month;
}

/**
 * Whether `b` is a whole number of calendar months after `a`: same time of day, and the same day
 * of the month, or a day clamped to the end of a shorter month (Jan 31 -> Feb 29 -> Mar 31).
 */
function calendarAligned(a: CivilTime, b: CivilTime): boolean {
  if (a.msOfDay !== b.msOfDay) return false;
  if (a.day === b.day) return true;
  const aMonthEnd = daysInMonth(a.year, a.month);
  const bMonthEnd = daysInMonth(b.year, b.month);
  return (b.day === bMonthEnd && a.day >= bMonthEnd) || (a.day === aMonthEnd && b.day >= aMonthEnd);
}

/** The most common value in `counts`, the smallest one on a tie (so irregular data reads finer). */
function modeOf(counts: Map<number, number>): number | null {
  let best: number | null = null;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== null && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

/**
 * The step between consecutive timestamps: the most common positive difference. When that is 28
 * days or more and most steps are whole calendar months (same day of month, or month ends), the
 * answer is in months, quarters or years. Null when there are fewer than 2 finite timestamps.
 */
export function inferFrequency(timestampsMs: ArrayLike<number>): Frequency | null {
  const differenceCounts = new Map<number, number>();
  let previous: number | null = null;
  for (let index = 0; index < timestampsMs.length; index++) {
    const timestamp = timestampsMs[index]!;
    if (!Number.isFinite(timestamp)) continue;
    if (previous !== null && timestamp > previous) {
      const difference = timestamp - previous;
      differenceCounts.set(difference, (differenceCounts.get(difference) ?? 0) + 1);
    }
    previous = timestamp;
  }
  const modeMs = modeOf(differenceCounts);
  if (modeMs === null) return null;
  if (modeMs >= 28 * DAY) {
    const monthStep = inferMonthStep(timestampsMs);
    if (monthStep !== null) return makeFrequency('month', monthStep);
  }
  return describe(...canonicalFixed(modeMs));
}

/** The most common step in months, when at least half the increasing steps are calendar-aligned. */
function inferMonthStep(timestampsMs: ArrayLike<number>): number | null {
  const monthCounts = new Map<number, number>();
  let pairs = 0;
  let aligned = 0;
  let previous: CivilTime | null = null;
  let previousMs = Number.NaN;
  for (let index = 0; index < timestampsMs.length; index++) {
    const timestamp = timestampsMs[index]!;
    if (!Number.isFinite(timestamp)) continue;
    const current = toCivil(timestamp);
    if (previous !== null && timestamp > previousMs) {
      pairs++;
      const months = monthIndex(current) - monthIndex(previous);
      if (months >= 1 && calendarAligned(previous, current)) {
        aligned++;
        monthCounts.set(months, (monthCounts.get(months) ?? 0) + 1);
      }
    }
    previous = current;
    previousMs = timestamp;
  }
  return aligned * 2 >= pairs ? modeOf(monthCounts) : null;
}

/**
 * `steps` steps of `frequency` after `timestampMs` (before, when negative). Months, quarters and
 * years move in the UTC calendar: the day of month is kept, clamped to shorter months, and a
 * month end stays a month end (Jan 31 + 1M = Feb 29 in 2024; Feb 29 + 1M = Mar 31). Each call
 * starts from its own timestamp, so adding 2M at once and 1M twice can differ after a clamp.
 */
export function addSteps(timestampMs: number, frequency: Frequency, steps: number): number {
  if (!isCalendarUnit(frequency.unit)) {
    return timestampMs + steps * frequency.step * fixedUnitMs[frequency.unit];
  }
  if (!Number.isInteger(steps)) {
    throw new LookaheadError('frequency', 'bad_input', `cannot add ${steps} ${frequency.unit}s; calendar steps must be whole numbers`);
  }
  const civil = toCivil(timestampMs);
  const target = monthIndex(civil) + steps * frequency.step * monthsPerUnit[frequency.unit];
  const year = Math.floor(target / 12);
  const month = target - year * 12;
  const targetMonthEnd = daysInMonth(year, month);
  const day = civil.day === daysInMonth(civil.year, civil.month) ? targetMonthEnd : Math.min(civil.day, targetMonthEnd);
  return fromCivil(year, month, day, civil.msOfDay);
}

/**
 * Gaps between consecutive timestamps longer than one step. Monthly, quarterly and yearly steps
 * are counted in calendar months (whatever the day of month); fixed steps are rounded to the
 * nearest whole step. Non-increasing pairs are skipped (ordering is the reader's job).
 */
export function findGaps(timestampsMs: ArrayLike<number>, frequency: Frequency): Gap[] {
  const gaps: Gap[] = [];
  const calendar = isCalendarUnit(frequency.unit);
  const stepMonths = calendar ? frequency.step * monthsPerUnit[frequency.unit as 'month' | 'quarter' | 'year'] : 0;
  const stepMs = calendar ? 0 : frequency.step * fixedUnitMs[frequency.unit as keyof typeof fixedUnitMs];
  for (let index = 1; index < timestampsMs.length; index++) {
    const fromMs = timestampsMs[index - 1]!;
    const toMs = timestampsMs[index]!;
    if (!(toMs > fromMs)) continue;
    const stepsBetween = calendar
      ? (monthIndex(toCivil(toMs)) - monthIndex(toCivil(fromMs))) / stepMonths
      : (toMs - fromMs) / stepMs;
    const missingSteps = Math.round(stepsBetween) - 1;
    if (missingSteps >= 1) gaps.push({ afterIndex: index - 1, fromMs, toMs, missingSteps });
  }
  return gaps;
}

/** Cycles a sub-daily series may repeat over, longest first. */
const subDailyCycles = [DAY, WEEK, HOUR, MINUTE];

/**
 * Seasonal models get slow and data-hungry with long seasons; 288 is one day of 5-minute data.
 */
const MAX_SUB_DAILY_PERIOD = 288;

function stepMs(frequency: Frequency): number {
  return frequency.step * fixedUnitMs[frequency.unit as keyof typeof fixedUnitMs];
}

/** Whole steps per cycle, or null when the step does not divide the cycle. */
function stepsPer(cycleMs: number, frequency: Frequency): number | null {
  const steps = cycleMs / stepMs(frequency);
  return Number.isInteger(steps) && steps >= 2 ? steps : null;
}

/**
 * The main season length in steps: hourly 24, daily 7, weekly 52, monthly 12, quarterly 4,
 * yearly 1. A sub-daily step takes the first of day, week, hour, minute that it divides into at
 * most 288 steps (10min 144, 5min 288, 1min 60, 1s 60). 1 when unknown or without a season.
 */
export function seasonalPeriod(frequency: Frequency | null | undefined): number {
  if (!frequency) return 1;
  switch (frequency.unit) {
    case 'year':
      return 1;
    case 'quarter':
      return wholeOrOne(4 / frequency.step);
    case 'month':
      return wholeOrOne(12 / frequency.step);
    case 'week':
      return Math.max(1, Math.round(52 / frequency.step));
    case 'day':
      return wholeOrOne(7 / frequency.step);
    default: {
      for (const cycleMs of subDailyCycles) {
        const steps = stepsPer(cycleMs, frequency);
        if (steps !== null && steps <= MAX_SUB_DAILY_PERIOD) return steps;
      }
      return 1;
    }
  }
}

function wholeOrOne(value: number): number {
  return Number.isInteger(value) && value >= 2 ? value : 1;
}

/**
 * Season lengths for multi-seasonal decomposition (MSTL), shortest first: the main season and,
 * for sub-daily data, the next longer cycle (hourly [24, 168], 10min [144, 1008], 1min [60, 1440]);
 * daily [7, 365] (weekly and yearly: callers drop seasons the series is too short for, e.g.
 * fewer than two full cycles); anything else [seasonalPeriod].
 */
export function seasonalPeriods(frequency: Frequency | null | undefined): number[] {
  const main = seasonalPeriod(frequency);
  if (!frequency) return [main];
  if (frequency.unit === 'day' && frequency.step === 1) return [7, 365];
  if (isCalendarUnit(frequency.unit) || frequency.unit === 'day' || frequency.unit === 'week' || main === 1) return [main];
  const mainCycleMs = main * stepMs(frequency);
  const longer = [MINUTE, HOUR, DAY, WEEK].find((cycleMs) => cycleMs > mainCycleMs && stepsPer(cycleMs, frequency) !== null);
  return longer === undefined ? [main] : [main, longer / stepMs(frequency)];
}
