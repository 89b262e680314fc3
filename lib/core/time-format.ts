import type { Frequency } from './frequency';

const pad = (value: number) => String(value).padStart(2, '0');

/** A UTC timestamp written at the resolution the data has: "1960-12", "2016-07-01", "2016-07-01 13:00". */
export function formatTimestamp(timestampMs: number, frequency: Frequency | null | undefined): string {
  const date = new Date(timestampMs);
  const ymd = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  switch (frequency?.unit) {
    case 'year':
      return String(date.getUTCFullYear());
    case 'quarter':
    case 'month':
      return ymd.slice(0, 7);
    case 'week':
    case 'day':
      return ymd;
    case 'second':
      return `${ymd} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
    default:
      return `${ymd} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
  }
}
