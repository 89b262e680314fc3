/**
 * Forecasts of many series as one long CSV, the layout statsforecast and AutoGluon read back:
 * `unique_id,ds,mean,<level>...` (levels as 0.1, 0.5, 0.9), one row per series and step, series in
 * the given order, ISO 8601 UTC timestamps (step numbers 1..h when a series has none), CRLF line
 * ends, empty cells for missing values.
 */

export interface SeriesForecastRows {
  seriesId: string;
  /** One per step; null when the series has no timestamps. */
  timestampsMs: number[] | null;
  quantileLevels: number[];
  /** quantiles[levelIndex][step] */
  quantiles: number[][];
  mean: number[];
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function manySeriesForecastCsv(series: readonly SeriesForecastRows[]): string {
  const levels = series[0]?.quantileLevels ?? [];
  for (const entry of series) {
    if (entry.quantileLevels.length !== levels.length || entry.quantileLevels.some((level, index) => level !== levels[index])) {
      throw new Error(`export: series "${entry.seriesId}" has levels ${entry.quantileLevels.join(', ')}, the others ${levels.join(', ')}; export forecasts made with the same levels`);
    }
  }
  const number = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '' : String(value));
  const lines = [['unique_id', 'ds', 'mean', ...levels.map((level) => String(level))].join(',')];
  for (const entry of series) {
    entry.mean.forEach((mean, step) => {
      const ds = entry.timestampsMs ? new Date(entry.timestampsMs[step]!).toISOString() : String(step + 1);
      lines.push([csvCell(entry.seriesId), ds, number(mean), ...entry.quantiles.map((row) => number(row[step]))].join(','));
    });
  }
  return `${lines.join('\r\n')}\r\n`;
}
