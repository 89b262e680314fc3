import { LookaheadError } from '../errors';
import { pointForecast, type Forecast } from '../forecast';
import { centralInterval, coverage, intervalWidth } from './interval';
import { mae, mse, smape } from './point';
import { crps, wql } from './quantile';
import { insampleScaler, mase, maeScaled, mseScaled, type ScaleStats } from './scaled';

/** Every metric Lookahead reports for one forecast of one series (one backtest window). */
export interface MetricSet {
  mase: number;
  wql: number;
  crps: number;
  /** Percent, 0..200. */
  smape: number;
  mse: number;
  mae: number;
  mseScaled: number;
  maeScaled: number;
  /** Share of observed steps inside the central interval; null when the forecast lacks its levels. */
  coverage: number | null;
  intervalWidth: number | null;
  /** Nominal coverage of that interval (e.g. 0.8); null when coverage is null. */
  coverageLevel: number | null;
}

export interface EvaluateForecastArgs {
  /** Actuals for the forecast's steps; NaN marks a missing value (skipped). */
  actual: ArrayLike<number>;
  forecast: Forecast;
  /** The context the forecast was made from: MASE's scale and the default scaler come from it. */
  insample: ArrayLike<number>;
  seasonalPeriod: number;
  /** For mseScaled / maeScaled; default insampleScaler(insample). */
  scaler?: ScaleStats;
  /** Nominal coverage of the central interval scored; default 0.8 (levels 0.1 and 0.9). */
  intervalLevel?: number;
}

/**
 * Scores one forecast. Absolute errors (MAE, MASE, sMAPE, maeScaled) use the median (or the mean
 * when the forecast has no 0.5 level), which minimises them; squared errors (MSE, mseScaled) use
 * the mean, which minimises those. For Chronos-Bolt the two are the same series.
 */
export function evaluateForecast(args: EvaluateForecastArgs): MetricSet {
  const { actual, forecast, insample, seasonalPeriod } = args;
  if (actual.length !== forecast.horizon) {
    throw new LookaheadError(
      'metrics',
      'bad_input',
      `evaluateForecast needs one actual per forecast step, got ${actual.length} actuals for horizon ${forecast.horizon}`,
      { details: { actualLength: actual.length, horizon: forecast.horizon } },
    );
  }
  const median = pointForecast(forecast);
  const scaler = args.scaler ?? insampleScaler(insample);
  const interval = centralInterval(forecast, args.intervalLevel ?? 0.8);
  return {
    mase: mase(actual, median, insample, seasonalPeriod),
    wql: wql(actual, forecast),
    crps: crps(actual, forecast),
    smape: smape(actual, median),
    mse: mse(actual, forecast.mean),
    mae: mae(actual, median),
    mseScaled: mseScaled(actual, forecast.mean, scaler),
    maeScaled: maeScaled(actual, median, scaler),
    coverage: interval === null ? null : coverage(actual, interval.lower, interval.upper),
    intervalWidth: interval === null ? null : intervalWidth(interval.lower, interval.upper),
    coverageLevel: interval === null ? null : interval.level,
  };
}
