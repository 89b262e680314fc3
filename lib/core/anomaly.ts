/**
 * Anomaly scores for any series. Pure: the same definition runs in the browser, in Node, and (for
 * database sources) as SQL with window functions in lib/server/sources/sql-anomalies.ts; tests
 * hold the two to agree.
 *
 * Rolling robust z-score of point i: the reference window is the `window` non-missing values
 * immediately before i (i itself excluded, so a spike cannot hide in its own reference);
 *   median m = the median of the window (mean of the two middle values for an even count),
 *   MAD = the median of |x - m| over the window,
 *   z = 0.6745 (x_i - m) / MAD,
 * and when MAD is 0 (more than half the window equal), z = (x_i - m) / (sqrt(pi/2) * mean |x - m|).
 * When that is 0 too (a constant window) z is null and the point is flagged when x_i differs from
 * m. Points with fewer than `window` values before them, and missing values, get no score.
 */

/** 0.6745 is the 0.75 quantile of the standard normal: it makes MAD comparable to a standard deviation. */
export const MAD_SCALE = 0.6745;
/** sqrt(pi/2): the mean absolute deviation of a normal sample times this estimates its standard deviation. */
export const MEAN_AD_SCALE = Math.sqrt(Math.PI / 2);

export interface RobustZPoint {
  index: number;
  value: number;
  median: number | null;
  mad: number | null;
  /** null: not scored (warm-up, missing value) or a constant window. */
  z: number | null;
  anomalous: boolean;
}

function medianOfSorted(sorted: Float64Array): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function rollingRobustZ(values: ArrayLike<number>, { window, threshold }: { window: number; threshold: number }): RobustZPoint[] {
  if (!Number.isInteger(window) || window < 3) throw new RangeError(`anomaly: window must be a whole number >= 3, got ${window}`);
  if (!(threshold > 0)) throw new RangeError(`anomaly: threshold must be > 0, got ${threshold}`);
  const points: RobustZPoint[] = [];
  const recent: number[] = [];
  const sorted = new Float64Array(window);
  const deviations = new Float64Array(window);
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index]!;
    if (Number.isNaN(value)) continue;
    if (recent.length < window) {
      points.push({ index, value, median: null, mad: null, z: null, anomalous: false });
    } else {
      sorted.set(recent);
      sorted.sort();
      const median = medianOfSorted(sorted);
      let meanAbsolute = 0;
      for (let k = 0; k < window; k += 1) {
        deviations[k] = Math.abs(recent[k]! - median);
        meanAbsolute += deviations[k]!;
      }
      meanAbsolute /= window;
      deviations.sort();
      const mad = medianOfSorted(deviations);
      let z: number | null = null;
      if (mad > 0) z = (MAD_SCALE * (value - median)) / mad;
      else if (meanAbsolute > 0) z = (value - median) / (MEAN_AD_SCALE * meanAbsolute);
      const anomalous = z === null ? value !== median : Math.abs(z) > threshold;
      points.push({ index, value, median, mad, z, anomalous });
    }
    recent.push(value);
    if (recent.length > window) recent.shift();
  }
  return points;
}

export interface IntervalPoint {
  index: number;
  value: number;
  lower: number;
  upper: number;
  /** How far outside, in units of the interval's width (0 inside). */
  excess: number;
  anomalous: boolean;
}

/**
 * Points outside a forecast's own central prediction interval: `lower` and `upper` are the
 * forecast's quantiles at (1 - level) / 2 and (1 + level) / 2 for the same steps as `actuals`.
 */
export function outsideInterval(actuals: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): IntervalPoint[] {
  if (actuals.length !== lower.length || actuals.length !== upper.length) {
    throw new RangeError(`anomaly: ${actuals.length} actuals for ${lower.length} lower and ${upper.length} upper bounds; give one bound pair per actual`);
  }
  const points: IntervalPoint[] = [];
  for (let index = 0; index < actuals.length; index += 1) {
    const value = actuals[index]!;
    if (Number.isNaN(value)) continue;
    const low = lower[index]!;
    const high = upper[index]!;
    const width = Math.max(high - low, Number.EPSILON);
    const excess = value < low ? (low - value) / width : value > high ? (value - high) / width : 0;
    points.push({ index, value, lower: low, upper: high, excess, anomalous: excess > 0 });
  }
  return points;
}

/** The quantile levels bounding a central interval of `level` (0.8 -> [0.1, 0.9]). */
export function intervalLevels(level: number): [number, number] {
  if (!(level > 0 && level < 1)) throw new RangeError(`anomaly: level must be between 0 and 1 (e.g. 0.8 for an 80% interval), got ${level}`);
  const tail = Math.round(((1 - level) / 2) * 1e9) / 1e9;
  return [tail, Math.round((1 - tail) * 1e9) / 1e9];
}
