/**
 * Time marks per row (utils/timefeatures.py), from UTC timestamps in milliseconds.
 * timeF ('h'): [hour/23 - 0.5, weekday/6 - 0.5, (day-1)/30 - 0.5, (dayofyear-1)/365 - 0.5], Monday = 0.
 * fixed/learned ('h'): [month, day, weekday, hour] as integers.
 * 't' (minutes) adds minute/59 - 0.5 first (timeF) or minute // 15 last (fixed); 'd' (daily, timeF)
 * keeps [weekday, day, dayofyear].
 */
import type { InformerConfig } from './config';
import { markColumns } from './config';

function dayOfYear(date: Date): number {
  const start = Date.UTC(date.getUTCFullYear(), 0, 1);
  return Math.floor((date.getTime() - start) / 86_400_000) + 1;
}

export function timeMarks(timestamps: ArrayLike<number>, config: Pick<InformerConfig, 'timeEmbedding' | 'frequency'>): Float32Array {
  const columns = markColumns(config.frequency);
  const out = new Float32Array(timestamps.length * columns);
  for (let row = 0; row < timestamps.length; row++) {
    const date = new Date(timestamps[row]!);
    const hour = date.getUTCHours();
    const weekday = (date.getUTCDay() + 6) % 7;
    const day = date.getUTCDate();
    const month = date.getUTCMonth() + 1;
    const minute = date.getUTCMinutes();
    const calendar = [weekday / 6 - 0.5, (day - 1) / 30 - 0.5, (dayOfYear(date) - 1) / 365 - 0.5];
    const values = config.timeEmbedding === 'timeF'
      ? config.frequency === 'd' ? calendar : [...(config.frequency === 't' ? [minute / 59 - 0.5] : []), hour / 23 - 0.5, ...calendar]
      : [month, day, weekday, hour, ...(config.frequency === 't' ? [Math.floor(minute / 15)] : [])];
    out.set(values, row * columns);
  }
  return out;
}
