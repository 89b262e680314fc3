import { relativeGeometricMean, type MetricSet } from '@/lib/core/metrics';
import { compareModels, COMPARISON_COLUMNS, type Comparison, type ModelScores } from './comparison';

/**
 * The model comparison over many series: every model's windows of every series pooled, each
 * column averaged over all of them, and the Chronos-benchmark aggregate (each window's MASE and
 * WQL relative to seasonal naive's on the same series and window, combined by geometric mean).
 * A model that failed on a series is left out there only; the pairs it has still count.
 */

export interface SeriesModelScores {
  seriesId: string;
  models: readonly ModelScores[];
}

export interface ManySeriesComparison extends Comparison {
  /** How many series each model was scored on. */
  seriesCount: Record<string, number>;
}

export function compareAcrossSeries({ series, baselineId = 'seasonal-naive' }: { series: readonly SeriesModelScores[]; baselineId?: string }): ManySeriesComparison {
  const modelIds = [...new Set(series.flatMap((entry) => entry.models.map((model) => model.modelId)))];
  const pooled: ModelScores[] = modelIds.map((modelId) => {
    const windows: MetricSet[] = [];
    let timeMs = 0;
    for (const entry of series) {
      const model = entry.models.find((candidate) => candidate.modelId === modelId);
      if (!model) continue;
      windows.push(...model.windows);
      timeMs += model.timeMs;
    }
    return { modelId, windows, timeMs };
  });
  const comparison = compareModels({ models: pooled, baselineId });
  const seriesCount: Record<string, number> = {};
  for (const row of comparison.rows) {
    const modelScores: Record<'mase' | 'wql', number[]> = { mase: [], wql: [] };
    const baselineScores: Record<'mase' | 'wql', number[]> = { mase: [], wql: [] };
    let scored = 0;
    for (const entry of series) {
      const model = entry.models.find((candidate) => candidate.modelId === row.modelId);
      const baseline = entry.models.find((candidate) => candidate.modelId === baselineId);
      if (!model || model.windows.length === 0) continue;
      scored++;
      if (!baseline || baseline.windows.length !== model.windows.length) continue;
      model.windows.forEach((scores, index) => {
        for (const metric of ['mase', 'wql'] as const) {
          const reference = baseline.windows[index]![metric];
          if (Number.isNaN(reference) || Number.isNaN(scores[metric])) continue;
          modelScores[metric].push(scores[metric]);
          baselineScores[metric].push(reference);
        }
      });
    }
    seriesCount[row.modelId] = scored;
    const relative = (metric: 'mase' | 'wql') => {
      if (modelScores[metric].length === 0) return null;
      const value = relativeGeometricMean(modelScores[metric], baselineScores[metric]);
      return Number.isFinite(value) ? value : null;
    };
    row.values.relativeMase = relative('mase');
    row.values.relativeWql = relative('wql');
  }
  // The relative columns changed: mark their best again.
  for (const metric of ['relativeMase', 'relativeWql'] as const) {
    for (const row of comparison.rows) row.best = row.best.filter((entry) => entry !== metric);
    const scored = comparison.rows.filter((row) => row.values[metric] !== null);
    if (scored.length < 2 || !COMPARISON_COLUMNS.some((column) => column.metric === metric)) continue;
    const best = Math.min(...scored.map((row) => row.values[metric]!));
    for (const row of scored) if (row.values[metric]! - best <= 1e-12 * Math.max(1, Math.abs(best))) row.best.push(metric);
  }
  return { ...comparison, seriesCount };
}
