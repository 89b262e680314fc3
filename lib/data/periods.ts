/**
 * Period labels as statistics offices and fpp3/tsibble write them: quarters (`1998 Q1`, `1998Q1`,
 * `1998-Q1`, `Q1 1998`), ISO weeks (`2019-W05`, `2019 W05`, `2019W05`) and months (`2020M03`,
 * `2020-M03`, `2020 M03`, `2020 Mar`, `2020 March`). Each reads as the UTC start of its period:
 * the first day of the quarter or month, the Monday of the ISO week. The frequency follows from
 * the label's kind, so a column of them needs no inference.
 */

export type PeriodFormat = 'quarter' | 'iso-week' | 'month-label';

export type PeriodReading =
  | { ok: true; ms: number; format: PeriodFormat }
  /** `format` is the shape the text has (2019-W54 is shaped like a week) or null for no period at all. */
  | { ok: false; format: PeriodFormat | null; reason: string };

const DAY = 86_400_000;

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const LONG_MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

const notAPeriod: PeriodReading = { ok: false, format: null, reason: 'not a period label' };

function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** The Monday that starts ISO week 1 of `year`: the week holding January 4th. */
function isoWeekOneMonday(year: number): number {
  const january4 = Date.UTC(year, 0, 4);
  const weekday = (new Date(january4).getUTCDay() + 6) % 7; // Monday = 0
  return january4 - weekday * DAY;
}

function isoWeeksIn(year: number): number {
  return Math.round((isoWeekOneMonday(year + 1) - isoWeekOneMonday(year)) / (7 * DAY));
}

/** Splits "1998 Q1", "1998-Q1", "1998Q1" into ["1998", "Q1"]; "Q1 1998" into ["Q1", "1998"]. */
function splitLabel(text: string): [string, string] | null {
  const separated = text.split(/[\s\-/.]+/);
  if (separated.length === 2) return [separated[0]!, separated[1]!];
  if (separated.length !== 1) return null;
  // No separator: the year is the leading four digits.
  if (text.length > 4 && isDigits(text.slice(0, 4))) return [text.slice(0, 4), text.slice(4)];
  return null;
}

/** Reads a period label, or says why it is not one. Year range 1000..9999. */
export function readPeriod(raw: string): PeriodReading {
  const text = raw.trim();
  if (text.length < 6 || text.length > 16) return notAPeriod;
  const parts = splitLabel(text);
  if (!parts) return notAPeriod;
  let [first, second] = parts;
  // "Q1 1998", "W05 2019": the year comes second.
  if (!isDigits(first) && isDigits(second)) [first, second] = [second, first];
  if (first.length !== 4 || !isDigits(first)) return notAPeriod;
  const year = Number(first);
  const marker = second[0]!.toUpperCase();
  const number = second.slice(1);
  if (marker === 'Q' && isDigits(number) && number.length === 1) {
    const quarter = Number(number);
    if (quarter < 1 || quarter > 4) return { ok: false, format: 'quarter', reason: `there is no quarter ${quarter}; quarters run Q1 to Q4` };
    return { ok: true, ms: Date.UTC(year, (quarter - 1) * 3, 1), format: 'quarter' };
  }
  if (marker === 'W' && isDigits(number) && number.length === 2) {
    const week = Number(number);
    const weeks = isoWeeksIn(year);
    if (week < 1 || week > weeks) return { ok: false, format: 'iso-week', reason: `${year} has ISO weeks W01 to W${weeks}` };
    return { ok: true, ms: isoWeekOneMonday(year) + (week - 1) * 7 * DAY, format: 'iso-week' };
  }
  if (marker === 'M' && isDigits(number) && number.length === 2) {
    const month = Number(number);
    if (month < 1 || month > 12) return { ok: false, format: 'month-label', reason: `there is no month ${number}; months run M01 to M12` };
    return { ok: true, ms: Date.UTC(year, month - 1, 1), format: 'month-label' };
  }
  const name = second.toLowerCase();
  const month = MONTH_NAMES.indexOf(name) >= 0 ? MONTH_NAMES.indexOf(name) : LONG_MONTH_NAMES.indexOf(name);
  if (month >= 0) return { ok: true, ms: Date.UTC(year, month, 1), format: 'month-label' };
  return notAPeriod;
}

/** How to write a period of `format`, for messages that say what would be valid. */
export function periodPattern(format: PeriodFormat): string {
  switch (format) {
    case 'quarter':
      return 'a quarter such as 1998 Q1';
    case 'iso-week':
      return 'an ISO week such as 2019-W05';
    case 'month-label':
      return 'a month such as 2020M03 or 2020 Mar';
  }
}
