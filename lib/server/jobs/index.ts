import 'server-only';
/** Heavy jobs on the server: the queue (pg-boss), job kinds, workers, submission and results. */
export { jobSettings, type JobSettings } from './config';
export { openJobQueue, CHUNK_QUEUE, DEAD_CHUNK_QUEUE, QUEUE_SCHEMA, type JobQueue, type ChunkMessage } from './queue';
export { registerJobKind, getJobKind, listJobKinds, type JobKind, type ChunkContext, type ChunkFailure, type ChunkItem, type JobPlan, type PlanContext, type ExportRow } from './kinds';
export { startJobWorker, type JobWorker, type WorkerStats } from './worker';
export { submitJob, cancelJobById, submitSchema, type SubmitRequest } from './submit';
export { getJobSystem, inProcessWorkerWanted, type JobSystem } from './system';
export { describeJob, type JobView } from './view';
export { resultsCsvStream, resultsLongCsvStream, resultsParquetStream } from './export';
export { forecastBatchKind, type ForecastBatchParams, type ForecastPayload } from './forecast-batch';
export { backtestBatchKind, type BacktestBatchParams, type BacktestPayload } from './backtest-batch';
export { loadBatchForecaster, releaseJobSessions, jobModelIds } from './job-models';
export { recordChunkRun, provideQueueStats, workMonitorSchedule, runMonitorRound, MONITOR_SCHEDULE_QUEUE } from './monitoring';
export { detectAnomaliesKind, detectAnomaliesSchema, anomaliesOf, type DetectAnomaliesParams, type AnomalyPayload } from './detect-anomalies';
export { trainKind, trainSchema, trainedModelId, trainRunId, trainingSetup, type TrainParams, type TrainPayload } from './train';
