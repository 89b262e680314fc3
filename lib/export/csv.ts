import type { ForecastReport } from '@/lib/report/schema';
import { forecastTable } from './forecast-table';

/**
 * The forecast as RFC 4180 CSV: header `timestamp,step,mean,q0.1,...`, one row per step, CRLF
 * line ends, ISO 8601 UTC timestamps (empty without timestamps), numbers as JavaScript prints
 * them (shortest round-trip form), empty cells for missing values.
 */
export function forecastCsv(report: ForecastReport): string {
  const table = forecastTable(report);
  const cell = (value: number | null) => (value === null ? '' : String(value));
  const lines = [['timestamp', 'step', 'mean', ...table.quantileColumns].join(',')];
  table.steps.forEach((step, index) => {
    const timestamp = table.timestampsMs ? new Date(table.timestampsMs[index]!).toISOString() : '';
    lines.push([timestamp, String(step), cell(table.mean[index]!), ...table.quantiles.map((row) => cell(row[index]!))].join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}
