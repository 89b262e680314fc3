export { backtestModel, type BacktestModelArgs, type ModelBacktest, type WindowForecast } from './backtest-model';
export {
  COMPARISON_COLUMNS,
  compareModels,
  type Comparison,
  type ComparisonColumn,
  type ComparisonMetric,
  type ComparisonRow,
  type ModelScores,
  type Ranking,
} from './comparison';
export {
  runComparison,
  type ComparisonProgress,
  type ComparisonRun,
  type ComparisonSettings,
  type ModelEvaluation,
  type ModelTimings,
} from './run-comparison';
export { compareAcrossSeries, type ManySeriesComparison, type SeriesModelScores } from './many-series';
