import type { ForecastReport } from '@/lib/report/schema';

/**
 * A report's forecast as a table, one row per step: the shape every export format writes.
 * Columns: timestamp (UTC, null without timestamps), step (1-based), mean, then one column per
 * quantile level named `q<level>` ("q0.1", "q0.5", "q0.975").
 */
export interface ForecastTable {
  model: string;
  quantileLevels: number[];
  /** Column names of the quantiles, in level order. */
  quantileColumns: string[];
  timestampsMs: number[] | null;
  steps: number[];
  mean: (number | null)[];
  quantiles: (number | null)[][];
}

/** `q` + the level as JavaScript prints it: 0.1 -> "q0.1", 0.025 -> "q0.025". */
export function quantileColumn(level: number): string {
  return `q${level}`;
}

export function forecastTable(report: ForecastReport): ForecastTable {
  const { forecast } = report;
  return {
    model: report.model.id,
    quantileLevels: forecast.quantileLevels,
    quantileColumns: forecast.quantileLevels.map(quantileColumn),
    timestampsMs: forecast.timestampsMs,
    steps: forecast.mean.map((_, step) => step + 1),
    mean: forecast.mean,
    quantiles: forecast.quantiles,
  };
}

/** A stem for downloaded files: "etth1-ot-seasonal-naive". */
export function exportFileStem(report: ForecastReport): string {
  const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return [slug(report.data.name), slug(report.data.column), slug(report.model.id)].filter(Boolean).join('-') || 'forecast';
}
