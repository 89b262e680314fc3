import { frequencyFromLabel } from '@/lib/core/frequency';
import { formatTimestamp } from '@/lib/core/time-format';

/** How the page writes numbers and times. The exact value always travels in `data-value`. */

/** 4 significant digits, no exponent for everyday magnitudes; "—" for missing. */
export function formatNumber(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e7 || magnitude < 1e-4)) return value.toExponential(3);
  if (magnitude >= 1000) return value.toFixed(0);
  return Number(value.toPrecision(4)).toString();
}

/** A forecast value: three decimals, as the forecast table always showed them. */
export function formatValue(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : value.toFixed(3);
}

export function formatPercent(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : `${(value * 100).toFixed(1)}%`;
}

export function formatMs(value: number): string {
  return `${value.toFixed(0)} ms`;
}

/** "10%", "2.5%" */
export function formatLevel(level: number): string {
  return `${Number((level * 100).toFixed(4))}%`;
}

/** A time axis label at the data's resolution, or "+n" / position without timestamps. */
export function timeLabeler(frequencyLabel: string | null, timeAxis: boolean): (x: number) => string {
  if (!timeAxis) return (x) => String(x);
  let frequency = null;
  try {
    frequency = frequencyLabel ? frequencyFromLabel(frequencyLabel) : null;
  } catch {
    frequency = null;
  }
  return (x) => formatTimestamp(x, frequency);
}

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Mean Gregorian month and year: an age in months or years is a reading aid, not a calendar fact. */
const MONTH_MS = 30.436875 * DAY_MS;
const YEAR_MS = 365.2425 * DAY_MS;

/** The first unit whose `below` exceeds the duration writes it. */
const DURATION_UNITS: readonly { below: number; size: number; name: string }[] = [
  { below: MINUTE_MS, size: SECOND_MS, name: 'second' },
  { below: HOUR_MS, size: MINUTE_MS, name: 'minute' },
  { below: DAY_MS, size: HOUR_MS, name: 'hour' },
  { below: 60 * DAY_MS, size: DAY_MS, name: 'day' },
  { below: 2 * YEAR_MS, size: MONTH_MS, name: 'month' },
  { below: Number.POSITIVE_INFINITY, size: YEAR_MS, name: 'year' },
];

/** A duration for people: "45 seconds", "3 days", "2 months", "49 years" (whole units, rounded down). */
export function formatDuration(ms: number): string {
  const magnitude = Math.abs(ms);
  const unit = DURATION_UNITS.find((candidate) => magnitude < candidate.below)!;
  const count = Math.floor(magnitude / unit.size);
  return `${count} ${unit.name}${count === 1 ? '' : 's'}`;
}

/** How old a point is: "3 days old", "less than a minute old", or "2 hours in the future" (clocks disagree). */
export function formatAge(ageMs: number): string {
  if (Math.abs(ageMs) < MINUTE_MS) return 'less than a minute old';
  return ageMs < 0 ? `${formatDuration(ageMs)} in the future` : `${formatDuration(ageMs)} old`;
}
