import { LookaheadError } from '../errors';
import { isMissing } from './observed';
import { mae, mse } from './point';
import { errorRatio } from './ratio';

/** Errors on a scale taken from the series itself, so they compare across series. */

/** Mean and standard deviation that standardise a series: z = (y - mean) / std. */
export interface ScaleStats {
  mean: number;
  std: number;
}

function requireSeasonalPeriod(seasonalPeriod: number): void {
  if (!Number.isInteger(seasonalPeriod) || seasonalPeriod < 1) {
    throw new LookaheadError('metrics', 'bad_input', `seasonal period must be an integer >= 1, got ${seasonalPeriod}`, {
      details: { seasonalPeriod },
    });
  }
}

/**
 * MASE's scale: mean |y_t - y_{t-m}| over the in-sample values, skipping pairs with a missing
 * value. When the in-sample part has m values or fewer it falls back to m = 1, as GluonTS's
 * `calculate_seasonal_error` does. NaN when no pair is observed (fewer than 2 usable values).
 */
export function seasonalScale(insample: ArrayLike<number>, seasonalPeriod: number): number {
  requireSeasonalPeriod(seasonalPeriod);
  const lag = insample.length > seasonalPeriod ? seasonalPeriod : 1;
  let sum = 0;
  let count = 0;
  for (let t = lag; t < insample.length; t++) {
    const current = insample[t]!;
    const lagged = insample[t - lag]!;
    if (isMissing(current) || isMissing(lagged)) continue;
    sum += Math.abs(current - lagged);
    count++;
  }
  return count === 0 ? Number.NaN : sum / count;
}

/**
 * Mean absolute scaled error (Hyndman & Koehler 2006): MAE / seasonalScale(insample, m).
 * A flat in-sample part (scale 0) gives 0 for a perfect forecast and Infinity otherwise (see
 * ratio.ts): the series is unscaleable, and aggregate.ts decides how such scores combine.
 * NaN when the scale is undefined (no observed in-sample pair) or no actual is observed.
 */
export function mase(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  insample: ArrayLike<number>,
  seasonalPeriod: number,
): number {
  const error = mae(actual, predicted);
  return errorRatio(error, seasonalScale(insample, seasonalPeriod));
}

function requireScaleStats(scaler: ScaleStats): void {
  if (!Number.isFinite(scaler.mean) || !Number.isFinite(scaler.std) || scaler.std <= 0) {
    throw new LookaheadError(
      'metrics',
      'bad_input',
      `scaler needs a finite mean and a finite std > 0, got mean ${scaler.mean} and std ${scaler.std}`,
      { details: { mean: scaler.mean, std: scaler.std } },
    );
  }
}

/**
 * MSE after standardising actual and predicted with `scaler` (the convention of the Informer
 * family of long-horizon benchmarks). The mean cancels in the difference, so this is mse / std^2.
 */
export function mseScaled(actual: ArrayLike<number>, predicted: ArrayLike<number>, scaler: ScaleStats): number {
  requireScaleStats(scaler);
  return mse(actual, predicted) / scaler.std ** 2;
}

/** MAE after standardising with `scaler`: mae / std. */
export function maeScaled(actual: ArrayLike<number>, predicted: ArrayLike<number>, scaler: ScaleStats): number {
  requireScaleStats(scaler);
  return mae(actual, predicted) / scaler.std;
}

/**
 * The scaler evaluateForecast uses when given none: mean and population std (ddof 0) of the
 * observed in-sample values, like scikit-learn's StandardScaler, which also replaces a std of 0
 * by 1 so a flat series stays on its own scale. No observed value gives { mean: 0, std: 1 }.
 */
export function insampleScaler(insample: ArrayLike<number>): ScaleStats {
  let sum = 0;
  let count = 0;
  for (let t = 0; t < insample.length; t++) {
    const value = insample[t]!;
    if (isMissing(value)) continue;
    sum += value;
    count++;
  }
  if (count === 0) return { mean: 0, std: 1 };
  const mean = sum / count;
  let squares = 0;
  for (let t = 0; t < insample.length; t++) {
    const value = insample[t]!;
    if (isMissing(value)) continue;
    squares += (value - mean) ** 2;
  }
  const std = Math.sqrt(squares / count);
  return { mean, std: std > 0 && Number.isFinite(std) ? std : 1 };
}
