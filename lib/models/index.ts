export type { BatchForecaster, ForecastModel, FittedModel, ForecastRequest, ModelInfo, SeriesInput } from './model';
export * from './baselines';
export { BASELINE_MODELS, createBaselineModel, type ModelRuntimes } from './registry';
export { forecastSeries, type ForecastRun } from './run';
export { forecastBatch, seriesName, type BatchOptions, type BatchOutcome, type BatchSeries } from './batch';
