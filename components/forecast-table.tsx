import type { ForecastReport } from '@/lib/report/schema';
import { reportMedian } from '@/lib/report/series';
import { formatLevel, formatValue, timeLabeler } from './number-format';

/**
 * The forecast's numbers, one row per step: time, then every quantile level (the median marked).
 * Each cell carries its exact value in `data-value` and its level in `data-level`. No hooks: it
 * renders on the server (shared page) and in the workbench alike.
 */
export function ForecastTable({ report }: { report: ForecastReport }) {
  const { forecast } = report;
  const label = timeLabeler(report.data.frequency, forecast.timestampsMs !== null);
  const median = reportMedian(forecast);
  const medianIndex = forecast.quantileLevels.findIndex((level) => Math.abs(level - 0.5) < 1e-9);
  return (
    <table className="numbers" data-testid="forecast-table">
      <thead>
        <tr>
          <th>time</th>
          {forecast.quantileLevels.map((level, index) => (
            <th key={level}>{index === medianIndex ? 'median' : formatLevel(level)}</th>
          ))}
          {medianIndex < 0 && <th>mean</th>}
        </tr>
      </thead>
      <tbody>
        {median.map((_, step) => (
          <tr key={step}>
            <td>{forecast.timestampsMs ? label(forecast.timestampsMs[step]!) : `+${step + 1}`}</td>
            {forecast.quantileLevels.map((level, index) => {
              const value = forecast.quantiles[index]![step]!;
              return (
                <td
                  key={level}
                  data-level={level}
                  data-value={value ?? ''}
                  data-testid={index === medianIndex ? 'median' : undefined}
                  className={index === medianIndex ? 'median' : undefined}
                >
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
        ))}
      </tbody>
    </table>
  );
}
