export { ForecastClient, WorkerRequestError } from './forecast-client';
export type { CsvSummary, ForecastJob, ForecastResult, ProgressStage, SeriesSource, WorkerRequest, WorkerResponse } from './protocol';
