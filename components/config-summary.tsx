import type { ForecastConfig } from '@/lib/config';
import { formatLevel } from './number-format';

/** A configuration as a definition list, for people; the JSON sits next to it for programs. */
export function ConfigSummary({ config }: { config: ForecastConfig }) {
  const rows: [string, string][] = [
    ['Source', config.source + (config.series ? ` / ${config.series}` : '')],
    ['Target', config.target],
    ['Covariates', config.covariates.length ? config.covariates.join(', ') : 'none'],
    ['Data up to', config.window.end ?? 'newest at the time'],
    ['Model', config.model],
    ['Context', `${config.context} points`],
    ['Horizon', `${config.horizon} steps`],
    ['Quantile levels', config.quantileLevels.map(formatLevel).join(', ')],
    ['Backtest', `${config.backtest.windows} windows, cutoffs ${config.backtest.step} steps apart`],
    ['Compared models', config.backtest.models.length ? config.backtest.models.join(', ') : 'every available model'],
    ['Preset', config.preset ?? 'none'],
  ];
  return (
    <dl className="config-summary" data-testid="config-summary">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
