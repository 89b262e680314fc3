import { relativeGeometricMean, type MetricSet } from '@/lib/core/metrics';

/**
 * The model comparison table: every model scored on the same backtest windows, each metric
 * averaged over the windows, the Chronos-benchmark aggregate (each window's error relative to
 * seasonal naive, combined by geometric mean), and the best model per column.
 */

export type ComparisonMetric =
  | 'mase'
  | 'wql'
  | 'crps'
  | 'smape'
  | 'mae'
  | 'mse'
  | 'maeScaled'
  | 'mseScaled'
  | 'coverage'
  | 'intervalWidth'
  | 'relativeMase'
  | 'relativeWql'
  | 'timeMs';

/** How a column is ranked: smaller wins, or closest to the interval's nominal coverage wins. */
export type Ranking = 'lower' | 'nominal';

export interface ComparisonColumn {
  metric: ComparisonMetric;
  label: string;
  ranking: Ranking;
  /** One line for the column header's title. */
  description: string;
}

export const COMPARISON_COLUMNS: readonly ComparisonColumn[] = [
  { metric: 'mase', label: 'MASE', ranking: 'lower', description: 'mean absolute scaled error (seasonal naive in-sample scale)' },
  { metric: 'wql', label: 'WQL', ranking: 'lower', description: 'weighted quantile loss at the forecast levels' },
  { metric: 'crps', label: 'CRPS', ranking: 'lower', description: 'continuous ranked probability score, approximated from the quantiles' },
  { metric: 'smape', label: 'sMAPE %', ranking: 'lower', description: 'symmetric mean absolute percentage error, 0-200' },
  { metric: 'mae', label: 'MAE', ranking: 'lower', description: 'mean absolute error of the median' },
  { metric: 'mse', label: 'MSE', ranking: 'lower', description: 'mean squared error of the mean' },
  { metric: 'maeScaled', label: 'MAE (std.)', ranking: 'lower', description: 'MAE on the standardised scale of the context' },
  { metric: 'mseScaled', label: 'MSE (std.)', ranking: 'lower', description: 'MSE on the standardised scale of the context' },
  { metric: 'coverage', label: 'Coverage', ranking: 'nominal', description: 'share of actuals inside the central interval; best = closest to nominal' },
  { metric: 'intervalWidth', label: 'Width', ranking: 'lower', description: 'mean width of the central interval; narrower is better only at equal coverage' },
  { metric: 'relativeMase', label: 'MASE / SN', ranking: 'lower', description: 'geometric mean over windows of MASE relative to seasonal naive' },
  { metric: 'relativeWql', label: 'WQL / SN', ranking: 'lower', description: 'geometric mean over windows of WQL relative to seasonal naive' },
  { metric: 'timeMs', label: 'Time ms', ranking: 'lower', description: 'load, fit and forecast over all windows' },
];

export interface ModelScores {
  modelId: string;
  /** One metric set per backtest window, in window order; empty when the model failed. */
  windows: readonly MetricSet[];
  timeMs: number;
}

export interface ComparisonRow {
  modelId: string;
  /** null: not finite or not available (failed model, no interval at the forecast levels). */
  values: Record<ComparisonMetric, number | null>;
  /** Columns where this model is best (ties share the mark). */
  best: ComparisonMetric[];
}

export interface Comparison {
  baselineId: string | null;
  /** Nominal coverage of the scored interval (0.8 for the 10%-90% interval), null if none. */
  coverageLevel: number | null;
  rows: ComparisonRow[];
}

function finiteOrNull(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}

/** Mean over windows, skipping NaN (nothing observed); an Infinity stays (an unscaleable window). */
function meanOverWindows(values: readonly (number | null)[]): number | null {
  let sum = 0;
  let count = 0;
  for (const value of values) {
    if (value === null || Number.isNaN(value)) continue;
    sum += value;
    count++;
  }
  return count === 0 ? null : finiteOrNull(sum / count);
}

function relativeToBaseline(model: readonly MetricSet[], baseline: readonly MetricSet[] | null, metric: 'mase' | 'wql'): number | null {
  if (!baseline || model.length === 0 || model.length !== baseline.length) return null;
  const modelScores: number[] = [];
  const baselineScores: number[] = [];
  model.forEach((scores, index) => {
    const baselineScore = baseline[index]![metric];
    // relativeGeometricMean needs a baseline score for every window it averages.
    if (Number.isNaN(baselineScore)) return;
    modelScores.push(scores[metric]);
    baselineScores.push(baselineScore);
  });
  return finiteOrNull(relativeGeometricMean(modelScores, baselineScores));
}

export function compareModels({ models, baselineId = 'seasonal-naive' }: { models: readonly ModelScores[]; baselineId?: string }): Comparison {
  const baseline = models.find((model) => model.modelId === baselineId && model.windows.length > 0) ?? null;
  const coverageLevel = models.flatMap((model) => model.windows).find((scores) => scores.coverageLevel !== null)?.coverageLevel ?? null;
  const rows: ComparisonRow[] = models.map((model) => {
    const mean = (metric: keyof MetricSet) => meanOverWindows(model.windows.map((scores) => scores[metric]));
    return {
      modelId: model.modelId,
      values: {
        mase: mean('mase'),
        wql: mean('wql'),
        crps: mean('crps'),
        smape: mean('smape'),
        mae: mean('mae'),
        mse: mean('mse'),
        maeScaled: mean('maeScaled'),
        mseScaled: mean('mseScaled'),
        coverage: mean('coverage'),
        intervalWidth: mean('intervalWidth'),
        relativeMase: relativeToBaseline(model.windows, baseline?.windows ?? null, 'mase'),
        relativeWql: relativeToBaseline(model.windows, baseline?.windows ?? null, 'wql'),
        timeMs: finiteOrNull(model.timeMs),
      },
      best: [],
    };
  });
  for (const column of COMPARISON_COLUMNS) {
    const distance = (value: number) => (column.ranking === 'nominal' ? Math.abs(value - (coverageLevel ?? value)) : value);
    const scored = rows.filter((row) => row.values[column.metric] !== null);
    if (scored.length < 2) continue;
    const bestDistance = Math.min(...scored.map((row) => distance(row.values[column.metric]!)));
    // Equal up to float noise counts as a tie: ties share the highlight.
    const tolerance = 1e-12 * Math.max(1, Math.abs(bestDistance));
    for (const row of scored) if (distance(row.values[column.metric]!) - bestDistance <= tolerance) row.best.push(column.metric);
  }
  return { baselineId: baseline?.modelId ?? null, coverageLevel, rows };
}
