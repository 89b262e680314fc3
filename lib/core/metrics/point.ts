import { meanOverObserved } from './observed';
import { errorRatio } from './ratio';

/** Point-forecast errors. Missing (NaN) actuals are skipped; see observed.ts. */

/** Mean absolute error. */
export function mae(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return meanOverObserved('mae', actual, predicted, (y, p) => Math.abs(y - p));
}

/** Mean squared error. */
export function mse(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return meanOverObserved('mse', actual, predicted, (y, p) => (y - p) ** 2);
}

/** Root mean squared error. */
export function rmse(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return Math.sqrt(meanOverObserved('rmse', actual, predicted, (y, p) => (y - p) ** 2));
}

/**
 * Symmetric MAPE as defined for the M4 competition, in percent (0..200):
 * 200/h * sum |y - p| / (|y| + |p|). A step where y and p are both 0 counts as 0 and still
 * counts in h (GluonTS instead drops such steps by default, so its value can differ there).
 */
export function smape(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return meanOverObserved('smape', actual, predicted, (y, p) => 200 * errorRatio(Math.abs(y - p), Math.abs(y) + Math.abs(p)));
}

/**
 * Mean absolute percentage error, in percent: 100/h * sum |y - p| / |y|. An actual of 0 makes
 * the step 0 when predicted exactly and Infinity otherwise, so MAPE is Infinity for a series
 * with a zero actual that the forecast misses (MAPE is undefined there; use sMAPE or MASE).
 */
export function mape(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return meanOverObserved('mape', actual, predicted, (y, p) => 100 * errorRatio(Math.abs(y - p), Math.abs(y)));
}
