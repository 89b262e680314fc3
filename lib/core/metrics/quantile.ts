import { LookaheadError } from '../errors';
import type { Forecast } from '../forecast';
import { isMissing, meanOverObserved } from './observed';
import { errorRatio } from './ratio';

/** Losses of quantile forecasts. Missing (NaN) actuals are skipped; see observed.ts. */

function requireLevel(metric: string, level: number): void {
  if (!(level > 0 && level < 1)) {
    throw new LookaheadError('metrics', 'bad_input', `${metric} needs a quantile level in (0, 1), got ${level}`, {
      details: { level },
    });
  }
}

/** rho_level(y - q): level * (y - q) when y >= q, else (1 - level) * (q - y). */
function pinball(actualValue: number, quantile: number, level: number): number {
  return actualValue >= quantile ? level * (actualValue - quantile) : (1 - level) * (quantile - actualValue);
}

/**
 * Mean pinball (quantile) loss of `predicted` as the `level` quantile. GluonTS's `quantile_loss`
 * is 2 * the sum of the same terms: 2 * count * pinballLoss.
 */
export function pinballLoss(actual: ArrayLike<number>, predicted: ArrayLike<number>, level: number): number {
  requireLevel('pinballLoss', level);
  return meanOverObserved('pinballLoss', actual, predicted, (y, q) => pinball(y, q, level));
}

function requireForecastFor(metric: string, actual: ArrayLike<number>, forecast: Forecast): void {
  const levels = forecast.quantileLevels;
  if (levels.length === 0) {
    throw new LookaheadError('metrics', 'bad_input', `${metric} needs a forecast with at least one quantile level`);
  }
  if (forecast.quantiles.length !== levels.length) {
    throw new LookaheadError(
      'metrics',
      'bad_input',
      `${metric} needs one quantile row per level, got ${forecast.quantiles.length} rows for ${levels.length} levels`,
    );
  }
  levels.forEach((level) => requireLevel(metric, level));
  forecast.quantiles.forEach((row, index) => {
    if (row.length !== actual.length) {
      throw new LookaheadError(
        'metrics',
        'bad_input',
        `${metric} needs ${actual.length} steps in every quantile row (the actual's length), got ${row.length} at level ${levels[index]}`,
        { details: { actualLength: actual.length, rowLength: row.length, level: levels[index] } },
      );
    }
  });
}

/**
 * Weighted quantile loss as GluonTS's `mean_wQuantileLoss` and the Chronos paper compute it:
 * for each level q, 2 * sum_t rho_q(y_t - q_t) / sum_t |y_t|, averaged over the forecast's
 * levels. A zero denominator follows ratio.ts (0 for a perfect forecast, else Infinity).
 */
export function wql(actual: ArrayLike<number>, forecast: Forecast): number {
  requireForecastFor('wql', actual, forecast);
  let absoluteActualSum = 0;
  let observed = 0;
  for (let step = 0; step < actual.length; step++) {
    const actualValue = actual[step]!;
    if (isMissing(actualValue)) continue;
    absoluteActualSum += Math.abs(actualValue);
    observed++;
  }
  if (observed === 0) return Number.NaN;
  let total = 0;
  forecast.quantileLevels.forEach((level, index) => {
    const row = forecast.quantiles[index]!;
    let loss = 0;
    for (let step = 0; step < actual.length; step++) {
      const actualValue = actual[step]!;
      if (isMissing(actualValue)) continue;
      loss += 2 * pinball(actualValue, row[step]!, level);
    }
    total += errorRatio(loss, absoluteActualSum);
  });
  return total / forecast.quantileLevels.length;
}

/**
 * CRPS approximated from quantiles: CRPS(F, y) = integral over tau in (0, 1) of 2 * rho_tau(y - F^-1(tau))
 * (Gneiting & Raftery 2007; Laio & Tamea 2007), replaced by the plain mean over the forecast's
 * levels and then averaged over observed steps. In the units of y; never negative. With the grid
 * 0.1..0.9 the tails beyond are not scored, so it underestimates the CRPS of wide distributions.
 * Without missing actuals, wql = crps / mean|y| (same terms, another normaliser).
 */
export function crps(actual: ArrayLike<number>, forecast: Forecast): number {
  requireForecastFor('crps', actual, forecast);
  const levels = forecast.quantileLevels;
  let sum = 0;
  let observed = 0;
  for (let step = 0; step < actual.length; step++) {
    const actualValue = actual[step]!;
    if (isMissing(actualValue)) continue;
    let stepLoss = 0;
    levels.forEach((level, index) => {
      stepLoss += 2 * pinball(actualValue, forecast.quantiles[index]![step]!, level);
    });
    sum += stepLoss / levels.length;
    observed++;
  }
  return observed === 0 ? Number.NaN : sum / observed;
}
