/**
 * Strict reading of the timestamp texts found in data files. Hand-written scanners
 * (no regular expressions) keep a 17k-row column in the low milliseconds. Naive timestamps (no
 * offset) are UTC; the result is UTC milliseconds.
 */
import { periodPattern, readPeriod, type PeriodFormat } from './periods';

export type TimestampFormat = 'iso' | 'year-month' | 'date' | 'datetime' | 'epoch-seconds' | 'epoch-millis' | PeriodFormat;

export type TimestampReading =
  | { ok: true; ms: number; format: TimestampFormat }
  /**
   * `format` is the shape the text has (2021-02-30 has the shape of a date) or null when it looks
   * like no timestamp at all; `invalid` says which part is wrong and `reason` why.
   */
  | { ok: false; format: TimestampFormat | null; invalid: 'date' | 'time' | 'timestamp'; reason: string };

export interface ReadTimestampOptions {
  /**
   * Also read bare integers as epoch seconds (1e8..1e10, i.e. 1973..2286) or epoch
   * milliseconds (1e11..1e13). Off by default: such integers are usually plain numbers.
   */
  epoch?: boolean;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const DIGIT_0 = 48;
const DIGIT_9 = 57;
const DASH = 45;
const COLON = 58;
const DOT = 46;
const PLUS = 43;
const SPACE = 32;
const UPPER_T = 84;
const LOWER_T = 116;
const UPPER_Z = 90;
const LOWER_Z = 122;

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The value of `count` decimal digits at `start`, or -1 when any of them is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  if (start + count > text.length) return -1;
  let value = 0;
  for (let index = start; index < start + count; index++) {
    const code = text.charCodeAt(index);
    if (code < DIGIT_0 || code > DIGIT_9) return -1;
    value = value * 10 + (code - DIGIT_0);
  }
  return value;
}

/** Two digits at `start` (or -1): the common case, without a loop. */
function twoDigitsAt(text: string, start: number): number {
  const tens = text.charCodeAt(start) - DIGIT_0;
  const ones = text.charCodeAt(start + 1) - DIGIT_0;
  // NaN (past the end) fails both comparisons, as it should.
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const monthLengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : monthLengths[month - 1]!;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const shiftedYear = month <= 2 ? year - 1 : year;
  const era = Math.floor(shiftedYear / 400);
  const yearOfEra = shiftedYear - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function invalid(format: TimestampFormat | null, part: 'date' | 'time' | 'timestamp', reason: string): TimestampReading {
  return { ok: false, format, invalid: part, reason };
}

const notATimestamp: TimestampReading = { ok: false, format: null, invalid: 'timestamp', reason: 'not a timestamp' };

/**
 * Reads one of: `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]` (naive, "datetime"), ISO 8601
 * `YYYY-MM-DDTHH:MM[:SS[.fff]]` with optional `Z`/`±HH[:MM]` (a space-separated time with an
 * offset is ISO too), with `options.epoch` bare epoch seconds or milliseconds, and period labels
 * (periods.ts: 1998 Q1, 2019-W05, 2020M03) read as the start of their period. Calendar and
 * clock values are checked: 2021-02-30, month 13, 25:00 and 12:60 are invalid, not rolled over.
 */
export function readTimestamp(text: string, options: ReadTimestampOptions = {}): TimestampReading {
  const reading = readDateLike(text, options);
  if (reading.ok || reading.format !== null) return reading;
  // Period labels (1998 Q1, 2019-W05, 2020M03) only when nothing else reads: rare, and slower.
  const period = readPeriod(text);
  if (period.ok) return period;
  return period.format === null ? reading : invalid(period.format, 'date', period.reason);
}

function readDateLike(text: string, options: ReadTimestampOptions): TimestampReading {
  const length = text.length;
  const year = digitsAt(text, 0, 4);
  if (year < 0 || length < 5 || text.charCodeAt(4) !== DASH) {
    return options.epoch ? readEpoch(text) : notATimestamp;
  }
  const month = twoDigitsAt(text, 5);
  if (month < 0) return notATimestamp;
  if (length === 7) {
    if (month < 1 || month > 12) return invalid('year-month', 'date', `there is no month ${text.slice(5, 7)}`);
    return { ok: true, ms: daysFromCivil(year, month, 1) * DAY, format: 'year-month' };
  }
  const day = twoDigitsAt(text, 8);
  if (text.charCodeAt(7) !== DASH || day < 0) return notATimestamp;
  const separator = text.charCodeAt(10);
  const format: TimestampFormat =
    length === 10 ? 'date' : separator === UPPER_T || separator === LOWER_T ? 'iso' : separator === SPACE ? 'datetime' : 'date';
  if (length > 10 && format === 'date') return invalid(format, 'timestamp', `unexpected "${text.slice(10)}" after the date`);
  if (month < 1 || month > 12) return invalid(format, 'date', `there is no month ${text.slice(5, 7)}`);
  const monthLength = daysInMonth(year, month);
  if (day < 1 || day > monthLength) {
    return invalid(format, 'date', day < 1 ? 'there is no day 00' : `${monthNames[month - 1]} ${year} has ${monthLength} days`);
  }
  const dayMs = daysFromCivil(year, month, day) * DAY;
  if (format === 'date') return { ok: true, ms: dayMs, format };
  return readTime(text, dayMs, format);
}

/** The clock part from index 11: `HH:MM[:SS[.fff]]` then an optional zone. */
function readTime(text: string, dayMs: number, naiveFormat: 'iso' | 'datetime'): TimestampReading {
  const length = text.length;
  const hour = twoDigitsAt(text, 11);
  const minute = twoDigitsAt(text, 14);
  if (hour < 0 || minute < 0 || text.charCodeAt(13) !== COLON) {
    return invalid(naiveFormat, 'time', `expected HH:MM after the date, found "${text.slice(11)}"`);
  }
  let position = 16;
  let second = 0;
  let fractionMs = 0;
  if (text.charCodeAt(position) === COLON) {
    second = twoDigitsAt(text, position + 1);
    if (second < 0) return invalid(naiveFormat, 'time', `expected two digits of seconds after "${text.slice(11, 17)}"`);
    position += 3;
    if (text.charCodeAt(position) === DOT) {
      const fractionStart = position + 1;
      let fraction = 0;
      let scale = 1;
      position = fractionStart;
      while (position < length) {
        const code = text.charCodeAt(position);
        if (code < DIGIT_0 || code > DIGIT_9) break;
        fraction = fraction * 10 + (code - DIGIT_0);
        scale *= 10;
        position++;
      }
      if (position === fractionStart) return invalid(naiveFormat, 'time', 'expected digits after the decimal point of the seconds');
      fractionMs = (fraction / scale) * 1000;
    }
  }
  if (hour > 23) return invalid(naiveFormat, 'time', 'hours run from 00 to 23');
  if (minute > 59) return invalid(naiveFormat, 'time', 'minutes run from 00 to 59');
  if (second > 59) return invalid(naiveFormat, 'time', 'seconds run from 00 to 59');
  const localMs = dayMs + hour * HOUR + minute * MINUTE + second * 1000 + fractionMs;
  if (position === length) return { ok: true, ms: localMs, format: naiveFormat };

  // A zone makes it ISO whatever the separator; one space before the zone is tolerated.
  let zoneStart = position;
  if (text.charCodeAt(zoneStart) === SPACE) zoneStart++;
  const zone = text.charCodeAt(zoneStart);
  if ((zone === UPPER_Z || zone === LOWER_Z) && zoneStart + 1 === length) return { ok: true, ms: localMs, format: 'iso' };
  if (text.slice(zoneStart) === 'UTC') return { ok: true, ms: localMs, format: 'iso' };
  if (zone === PLUS || zone === DASH) {
    const offsetHour = twoDigitsAt(text, zoneStart + 1);
    let offsetMinute = 0;
    let end = zoneStart + 3;
    if (offsetHour >= 0 && end < length) {
      if (text.charCodeAt(end) === COLON) end++;
      offsetMinute = twoDigitsAt(text, end);
      end += 2;
    }
    if (offsetHour >= 0 && offsetMinute >= 0 && end === length) {
      if (offsetHour > 23 || offsetMinute > 59) return invalid('iso', 'time', `the offset ${text.slice(zoneStart)} is out of range`);
      const offsetMs = (zone === PLUS ? 1 : -1) * (offsetHour * HOUR + offsetMinute * MINUTE);
      return { ok: true, ms: localMs - offsetMs, format: 'iso' };
    }
  }
  return invalid(naiveFormat, 'time', `unexpected "${text.slice(position)}" after the time`);
}

const EPOCH_SECONDS_MIN = 1e8;
const EPOCH_SECONDS_MAX = 1e10;
const EPOCH_MILLIS_MIN = 1e11;
const EPOCH_MILLIS_MAX = 1e13;

function readEpoch(text: string): TimestampReading {
  const length = text.length;
  if (length < 9 || length > 13) return notATimestamp;
  const value = digitsAt(text, 0, length);
  if (value >= EPOCH_SECONDS_MIN && value < EPOCH_SECONDS_MAX) return { ok: true, ms: value * 1000, format: 'epoch-seconds' };
  if (value >= EPOCH_MILLIS_MIN && value < EPOCH_MILLIS_MAX) return { ok: true, ms: value, format: 'epoch-millis' };
  return notATimestamp;
}

/** How to write a timestamp of `format`, for messages that say what would be valid. */
export function timestampPattern(format: TimestampFormat): string {
  switch (format) {
    case 'year-month':
      return 'YYYY-MM';
    case 'date':
      return 'YYYY-MM-DD';
    case 'datetime':
      return 'YYYY-MM-DD HH:MM:SS';
    case 'iso':
      return 'ISO 8601 such as 2016-07-01T02:00:00Z';
    case 'epoch-seconds':
      return `whole seconds since 1970-01-01 UTC (${EPOCH_SECONDS_MIN} to ${EPOCH_SECONDS_MAX - 1})`;
    case 'epoch-millis':
      return `whole milliseconds since 1970-01-01 UTC (${EPOCH_MILLIS_MIN} to ${EPOCH_MILLIS_MAX - 1})`;
    default:
      return periodPattern(format);
  }
}
