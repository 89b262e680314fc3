import 'server-only';
/**
 * Monitoring: record model runs, training metrics, jobs and audit rows in batches (never blocking
 * a request), expose /metrics, keep rollups and partitions on a schedule, detect anomalies and
 * fire alerts. Other parts call the record* functions; see README "Monitoring".
 */
export {
  Monitor,
  getMonitor,
  setMonitor,
  recordInference,
  recordTrainingMetric,
  recordTrainingRun,
  recordJobEvent,
  recordAudit,
  type InferenceEvent,
  type TrainingMetric,
  type JobEvent,
  type AuditEntry,
  type ScheduleReport,
  type ScheduledTask,
} from './monitor';
export { BatchWriter, type BatchWriterStats } from './batch-writer';
export { monitoringConfig, type MonitoringConfig } from './config';
export { metrics, observeHttpRequest, withRequestMetrics, labelRequestModel, setQueueStatsProvider, type QueueStats } from './metrics';
export { PROMETHEUS_CONTENT_TYPE } from './prometheus';
export { RateLimiter } from './rate-limit';
export { acceptTelemetry, telemetrySchema, type TelemetryReport } from './telemetry';
export { acceptTrainingTelemetry, trainingTelemetrySchema, type TrainingTelemetryReport } from './training-telemetry';
export { recordServerForecast, recordShare, recordShareDelete } from './forecast-recording';
export { serverRuntimeKind, browserRuntimeKind, type RuntimeKind } from './runtime-kind';
export { clientActor } from './actor';
export { dashboardData, parseDashboardRange, DASHBOARD_RANGES, type DashboardData, type DashboardRange } from './dashboard';
