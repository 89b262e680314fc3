/**
 * The one shape every model's forecast takes: quantiles at ascending levels plus a mean
 * (for Chronos-Bolt, as in the reference, the mean is the 0.5 quantile).
 */
export interface Forecast {
  horizon: number;
  /** Ascending, each in (0, 1). */
  quantileLevels: number[];
  /** quantiles[levelIndex][step], length quantileLevels.length x horizon. */
  quantiles: number[][];
  /** mean[step], length horizon. */
  mean: number[];
  /** What the model did that the user should know (values imputed, season fallback...). */
  notes?: string[];
}

/** The levels every model answers by default: the Chronos-Bolt training grid. */
export const DEFAULT_QUANTILE_LEVELS: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** The quantile at `level` (must be one of `forecast.quantileLevels`). */
export function quantileAt(forecast: Forecast, level: number): number[] {
  const index = forecast.quantileLevels.findIndex((candidate) => Math.abs(candidate - level) < 1e-9);
  if (index < 0) {
    throw new Error(`forecast: level ${level} not among [${forecast.quantileLevels.join(', ')}]`);
  }
  return forecast.quantiles[index]!;
}

/** The median if present, else the mean. */
export function pointForecast(forecast: Forecast): number[] {
  const index = forecast.quantileLevels.findIndex((level) => Math.abs(level - 0.5) < 1e-9);
  return index >= 0 ? forecast.quantiles[index]! : forecast.mean;
}
