import { LookaheadError } from '../errors';
import type { Forecast } from '../forecast';
import { isMissing, requireSameLength } from './observed';

/** Prediction intervals: how often they hold the truth, and how wide they are. */

/** The central interval of nominal coverage `level`: between quantiles (1 - level)/2 and (1 + level)/2. */
export interface CentralInterval {
  level: number;
  lowerLevel: number;
  upperLevel: number;
  lower: number[];
  upper: number[];
}

/** Picks the central interval out of a forecast; null when the forecast lacks either bounding level. */
export function centralInterval(forecast: Forecast, level: number): CentralInterval | null {
  if (!(level > 0 && level < 1)) {
    throw new LookaheadError('metrics', 'bad_input', `interval level must be in (0, 1), got ${level}`, { details: { level } });
  }
  const lowerLevel = (1 - level) / 2;
  const upperLevel = (1 + level) / 2;
  // Same tolerance as quantileAt in forecast.ts: (1 - 0.8) / 2 is 0.09999999999999998.
  const find = (target: number) => forecast.quantileLevels.findIndex((candidate) => Math.abs(candidate - target) < 1e-9);
  const lowerIndex = find(lowerLevel);
  const upperIndex = find(upperLevel);
  if (lowerIndex < 0 || upperIndex < 0) return null;
  return {
    level,
    lowerLevel: forecast.quantileLevels[lowerIndex]!,
    upperLevel: forecast.quantileLevels[upperIndex]!,
    lower: forecast.quantiles[lowerIndex]!,
    upper: forecast.quantiles[upperIndex]!,
  };
}

/**
 * Share of observed steps with lower <= actual <= upper, in [0, 1]. Missing actuals are skipped
 * (NaN when none is observed); a NaN bound at an observed step makes the result NaN.
 */
export function coverage(actual: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): number {
  requireSameLength('coverage', 'actual', actual, 'lower', lower);
  requireSameLength('coverage', 'actual', actual, 'upper', upper);
  let inside = 0;
  let observed = 0;
  for (let step = 0; step < actual.length; step++) {
    const actualValue = actual[step]!;
    if (isMissing(actualValue)) continue;
    const low = lower[step]!;
    const high = upper[step]!;
    if (Number.isNaN(low) || Number.isNaN(high)) return Number.NaN;
    if (low <= actualValue && actualValue <= high) inside++;
    observed++;
  }
  return observed === 0 ? Number.NaN : inside / observed;
}

/**
 * Mean of upper - lower over every step (a property of the forecast alone, so no step is
 * skipped); NaN for an empty interval. Crossed quantiles give a negative width, left visible.
 */
export function intervalWidth(lower: ArrayLike<number>, upper: ArrayLike<number>): number {
  requireSameLength('intervalWidth', 'lower', lower, 'upper', upper);
  if (lower.length === 0) return Number.NaN;
  let sum = 0;
  for (let step = 0; step < lower.length; step++) {
    sum += upper[step]! - lower[step]!;
  }
  return sum / lower.length;
}
