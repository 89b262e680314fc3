import type { ForecastReport } from '@/lib/report/schema';
import { forecastTable } from './forecast-table';

/** The forecast as JSON: what was forecast and how, then one object per step. */
export interface ForecastJson {
  format: 'lookahead-forecast';
  version: 1;
  title: string;
  source: string;
  target: string;
  frequency: string | null;
  model: ForecastReport['model'];
  quantileLevels: number[];
  steps: { step: number; timestamp: string | null; mean: number | null; quantiles: Record<string, number | null> }[];
}

export function forecastJson(report: ForecastReport): ForecastJson {
  const table = forecastTable(report);
  return {
    format: 'lookahead-forecast',
    version: 1,
    title: report.title,
    source: report.config.source,
    target: report.config.target,
    frequency: report.data.frequency,
    model: report.model,
    quantileLevels: table.quantileLevels,
    steps: table.steps.map((step, index) => ({
      step,
      timestamp: table.timestampsMs ? new Date(table.timestampsMs[index]!).toISOString() : null,
      mean: table.mean[index]!,
      // Keys are the levels as JavaScript prints them: "0.1", "0.5", "0.975".
      quantiles: Object.fromEntries(table.quantileLevels.map((level, row) => [String(level), table.quantiles[row]![index]!])),
    })),
  };
}

export function forecastJsonText(report: ForecastReport): string {
  return `${JSON.stringify(forecastJson(report), null, 2)}\n`;
}
