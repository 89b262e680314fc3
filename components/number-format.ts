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
