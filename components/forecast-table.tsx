import type { CSSProperties, ReactNode } from 'react';
import type { ForecastReport } from '@/lib/report/schema';
import { reportMedian } from '@/lib/report/series';
import { formatLevel, formatValue, timeLabeler } from './number-format';

/**
 * The forecast's numbers, one row per step: time, then every quantile level (the median marked).
 * Each cell carries its exact value in `data-value` and its level in `data-level`. No hooks: it
 * renders on the server (shared page) and in the workbench alike; the workbench shows long
 * horizons through VirtualForecastTable, which renders only the rows in view with these parts.
 */
export function ForecastTable({ report }: { report: ForecastReport }) {
  const rows = forecastTableRows(report);
  return (
    <ForecastTableFrame report={report}>
      {Array.from({ length: rows.count }, (_, step) => (
        <ForecastTableRow key={step} rows={rows} step={step} />
      ))}
    </ForecastTableFrame>
  );
}

/** What every row needs: how to label a step, the median's column, the values. */
export interface ForecastTableRows {
  count: number;
  report: ForecastReport;
  label: (ms: number) => string;
  medianIndex: number;
}

export function forecastTableRows(report: ForecastReport): ForecastTableRows {
  return {
    count: reportMedian(report.forecast).length,
    report,
    label: timeLabeler(report.data.frequency, report.forecast.timestampsMs !== null),
    medianIndex: report.forecast.quantileLevels.findIndex((level) => Math.abs(level - 0.5) < 1e-9),
  };
}

/** The table and its header; `children` are the body's rows. */
export function ForecastTableFrame({ report, children, style }: { report: ForecastReport; children: ReactNode; style?: CSSProperties }) {
  const { quantileLevels } = report.forecast;
  const medianIndex = quantileLevels.findIndex((level) => Math.abs(level - 0.5) < 1e-9);
  return (
    <table className="numbers" data-testid="forecast-table" style={style}>
      <thead>
        <tr>
          <th>time</th>
          {quantileLevels.map((level, index) => (
            <th key={level}>{index === medianIndex ? 'median' : formatLevel(level)}</th>
          ))}
          {medianIndex < 0 && <th>mean</th>}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

export function ForecastTableRow({ rows, step, style }: { rows: ForecastTableRows; step: number; style?: CSSProperties }) {
  const { forecast } = rows.report;
  const { medianIndex } = rows;
  return (
    <tr style={style} data-step={step}>
      <td>{forecast.timestampsMs ? rows.label(forecast.timestampsMs[step]!) : `+${step + 1}`}</td>
      {forecast.quantileLevels.map((level, index) => {
        const value = forecast.quantiles[index]![step]!;
        return (
          <td key={level} data-level={level} data-value={value ?? ''} data-testid={index === medianIndex ? 'median' : undefined} className={index === medianIndex ? 'median' : undefined}>
            {formatValue(value)}
          </td>
        );
      })}
      {medianIndex < 0 && (
        <td data-level="mean" data-value={forecast.mean[step] ?? ''} data-testid="median">
          {formatValue(forecast.mean[step]!)}
        </td>
      )}
    </tr>
  );
}
