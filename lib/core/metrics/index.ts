/**
 * Forecast metrics. Shared conventions: actual and predicted arrays are aligned step by step and
 * must have equal lengths (else LookaheadError 'metrics' bad_input); a NaN actual is a missing
 * value and its step is skipped; a NaN prediction makes the metric NaN; a metric with nothing
 * observed is NaN; error / scale divides with 0/0 = 0 and x/0 = Infinity.
 */
export { mae, mse, rmse, smape, mape } from './point';
export { mase, seasonalScale, mseScaled, maeScaled, insampleScaler, type ScaleStats } from './scaled';
export { pinballLoss, wql, crps } from './quantile';
export { coverage, intervalWidth, centralInterval, type CentralInterval } from './interval';
export { relativeGeometricMean, DEFAULT_RELATIVE_CLIP, type RelativeScoreOptions } from './aggregate';
export { evaluateForecast, type MetricSet, type EvaluateForecastArgs } from './evaluate';
