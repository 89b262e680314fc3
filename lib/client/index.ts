export { ForecastClient, WorkerRequestError } from './forecast-client';
export type {
  BacktestJob,
  BacktestResult,
  CsvSummary,
  ForecastJob,
  ForecastResult,
  ModelEvaluation,
  ModelTimings,
  ProgressStage,
  SeriesArrays,
  SeriesSource,
  WorkerRequest,
  WorkerResponse,
} from './protocol';
