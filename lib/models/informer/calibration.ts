/**
 * Forecast intervals for a point-forecasting Informer, calibrated on the validation split: the
 * model is run over (up to `maxWindows`, evenly spaced) validation windows, and for each horizon
 * step the empirical quantiles of the residuals (target - prediction, scaled units, last output
 * channel) are kept on a grid of levels. A forecast's quantile at level q is its point forecast
 * plus the step's residual quantile at q (interpolated between grid levels), in original units.
 * This is split-conformal in spirit: the validation windows were not trained on.
 */
import { LookaheadError } from '@/lib/core/errors';
import type { InformerModel } from './model';
import { seededKeySampler } from './sampler';
import type { Tf } from './tf';
import { makeBatch, windowCount, type SeriesSplit } from './windows';

export interface ResidualCalibration {
  method: 'validation-residual-quantiles';
  /** Ascending grid of levels in (0, 1). */
  levels: number[];
  /** residuals[levelIndex][step]: the residual quantile in scaled units. */
  residuals: number[][];
  windows: number;
}

export const CALIBRATION_LEVELS: readonly number[] = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);

/** Quantile of sorted values at level q (linear interpolation between order statistics, R type 7). */
function sortedQuantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (position - low) * (sorted[high]! - sorted[low]!);
}

export async function calibrateResiduals(tf: Tf, model: InformerModel, split: SeriesSplit, { maxWindows = 2000, batchSize = 32, seed = 0 }: { maxWindows?: number; batchSize?: number; seed?: number } = {}): Promise<ResidualCalibration> {
  const { config } = model;
  const total = windowCount(split, config);
  if (total < 1) throw new LookaheadError('informer', 'bad_input', `calibration: the validation split has ${split.rows} rows; it needs at least contextLength + horizon = ${config.contextLength + config.horizon}`);
  const count = Math.min(total, maxWindows);
  const starts = Array.from({ length: count }, (_, i) => (count === total ? i : Math.floor((i * total) / count)));
  const H = config.horizon;
  const O = config.outputs;
  const residuals = Array.from({ length: H }, () => new Float64Array(count));
  const sampler = seededKeySampler(seed);
  for (let offset = 0; offset < count; offset += batchSize) {
    const slice = starts.slice(offset, offset + batchSize);
    const batch = makeBatch(tf, split, config, slice);
    const difference = tf.tidy(() => tf.sub(batch.target, model.forward(batch.inputs, { sampler })));
    const values = (await difference.data()) as Float32Array;
    difference.dispose();
    batch.dispose();
    for (let b = 0; b < slice.length; b++) for (let t = 0; t < H; t++) residuals[t]![offset + b] = values[(b * H + t) * O + O - 1]!;
  }
  for (const column of residuals) column.sort();
  return {
    method: 'validation-residual-quantiles',
    levels: [...CALIBRATION_LEVELS],
    residuals: CALIBRATION_LEVELS.map((level) => residuals.map((column) => sortedQuantile(column, level))),
    windows: count,
  };
}

/** The residual quantile at `level` for `step` (linear between grid levels, clamped to the grid's ends). */
export function residualAt(calibration: ResidualCalibration, level: number, step: number): number {
  const { levels, residuals } = calibration;
  if (level <= levels[0]!) return residuals[0]![step]!;
  if (level >= levels[levels.length - 1]!) return residuals[levels.length - 1]![step]!;
  let upper = levels.findIndex((candidate) => candidate >= level);
  if (Math.abs(levels[upper]! - level) < 1e-12) return residuals[upper]![step]!;
  const lower = upper - 1;
  const weight = (level - levels[lower]!) / (levels[upper]! - levels[lower]!);
  return residuals[lower]![step]! + weight * (residuals[upper]![step]! - residuals[lower]![step]!);
}
