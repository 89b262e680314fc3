import { COMPARISON_COLUMNS } from '@/lib/evaluation/comparison';
import type { ReportBacktest } from '@/lib/report/schema';
import { formatLevel, formatNumber, formatPercent } from './number-format';

/**
 * Every compared model on the same backtest windows: metrics averaged over the windows, the
 * geometric mean relative to seasonal naive, runtime and time; the best per column is marked
 * (class `best`, `data-best`). No hooks: the shared page renders it on the server.
 */
export function ComparisonTable({ backtest, shownModelId }: { backtest: ReportBacktest; shownModelId: string }) {
  const { comparison } = backtest;
  const entries = new Map(backtest.models.map((entry) => [entry.model.id, entry]));
  const coverageLabel = comparison.coverageLevel === null ? 'Coverage' : `Coverage (${formatLevel(comparison.coverageLevel)})`;
  return (
    <div className="table-scroll">
      <table className="numbers comparison" data-testid="comparison-table">
        <thead>
          <tr>
            <th>Model</th>
            {COMPARISON_COLUMNS.map((column) => (
              <th key={column.metric} title={column.description} data-metric={column.metric}>
                {column.metric === 'coverage' ? coverageLabel : column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {comparison.rows.map((row) => {
            const entry = entries.get(row.modelId);
            return (
              <tr key={row.modelId} data-model={row.modelId} className={row.modelId === shownModelId ? 'shown' : undefined}>
                <td>
                  <span className="model-name">{entry?.model.label ?? row.modelId}</span>
                  {row.modelId === comparison.baselineId && <span className="tag">baseline</span>}
                  <br />
                  <span className="note" data-testid="model-runtime">
                    {entry?.runtime?.label ?? 'not run'}
                    {entry?.model.revision ? ` · rev ${entry.model.revision.slice(0, 12)}` : ''}
                  </span>
                  {entry?.error && (
                    <div className="error inline" data-testid="model-error">
                      {entry.error}
                    </div>
                  )}
                </td>
                {COMPARISON_COLUMNS.map((column) => {
                  const value = row.values[column.metric];
                  const best = row.best.includes(column.metric);
                  const text = column.metric === 'coverage' ? formatPercent(value) : column.metric === 'timeMs' && value !== null ? value.toFixed(0) : formatNumber(value);
                  return (
                    <td key={column.metric} data-metric={column.metric} data-value={value ?? ''} data-best={best ? 'true' : undefined} className={best ? 'best' : undefined}>
                      {text}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="note">
        {backtest.windows.length} backtest window{backtest.windows.length === 1 ? '' : 's'} of {backtest.windows[0]!.horizon} steps, cutoffs every{' '}
        {backtest.windows.length > 1 ? backtest.windows[1]!.cutoff - backtest.windows[0]!.cutoff : backtest.windows[0]!.horizon} steps; metrics are means over the
        windows; MASE uses season {backtest.seasonalPeriod}. “/ SN” columns: geometric mean over windows of the error relative to seasonal naive (lower is better, 1 =
        as good). Best per column in bold; for coverage, closest to nominal.
      </p>
    </div>
  );
}
