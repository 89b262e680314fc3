import type { ForecastConfig } from '@/lib/config';
import { formatLevel } from './number-format';

/** A configuration as a definition list, for people; the JSON sits next to it for programs. */
export function ConfigSummary({ config }: { config: ForecastConfig }) {
  const { filters, downsample } = config;
  const filterText = [
    filters.min !== null ? `values ≥ ${filters.min}` : null,
    filters.max !== null ? `values ≤ ${filters.max}` : null,
    filters.excludeNulls ? 'rows without a value dropped' : null,
  ].filter(Boolean);
  const rows: [string, string][] = [
    ['Source', [config.source, config.table, config.series].filter(Boolean).join(' / ')],
    ...(config.time || config.entity ? [['Columns', [config.time && `time ${config.time}`, config.entity && `series id ${config.entity}`].filter(Boolean).join(', ')] as [string, string]] : []),
    ['Target', config.target],
    ['Covariates', config.covariates.length ? config.covariates.join(', ') : 'none'],
    ['Data from', config.window.start ?? 'as far back as needed'],
    ['Data up to', config.window.end ?? 'newest at the time'],
    ['Filters', filterText.length ? filterText.join(', ') : 'none'],
    ['Downsampling', downsample ? `${downsample.agg} per ${downsample.bucket}` : 'none (raw rows)'],
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
