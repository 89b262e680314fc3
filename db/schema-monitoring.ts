import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Monitoring tables (migration 0010_monitoring.sql, hand-written). inference_events and
 * training_metrics are range-partitioned by `time` on plain Postgres (daily partitions in the
 * schema lookahead_partitions, kept by lib/server/monitoring/storage.ts) or TimescaleDB
 * hypertables when the extension was present at migration time; drizzle sees them as plain tables.
 */

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** One row per model call: browser (POST /api/telemetry), server (POST /api/forecast) or job. */
export const inferenceEvents = pgTable(
  'inference_events',
  {
    time: at('time').notNull().defaultNow(),
    model: text('model').notNull(),
    revision: text('revision'),
    /** 'browser-webgpu' | 'browser-wasm' | 'server-cpu' | 'server-cuda' | ... */
    runtime: text('runtime').notNull(),
    device: text('device').notNull(),
    /** Where it ran: 'browser' | 'server' | 'job'. */
    origin: text('origin').notNull(),
    /** The route or job kind that asked for it, e.g. '/api/forecast'. */
    endpoint: text('endpoint').notNull(),
    seriesId: text('series_id'),
    seriesCount: integer('series_count').notNull().default(1),
    points: integer('points').notNull().default(0),
    horizon: integer('horizon').notNull().default(0),
    latencyMs: doublePrecision('latency_ms').notNull(),
    /** 'ok' | 'error' | 'cancelled'. */
    outcome: text('outcome').notNull(),
    errorKind: text('error_kind'),
  },
  (table) => [index('inference_events_model_time_idx').on(table.model, table.time)],
);

export const trainingRuns = pgTable(
  'training_runs',
  {
    id: text('id').primaryKey(),
    model: text('model').notNull(),
    revision: text('revision'),
    origin: text('origin').notNull(),
    device: text('device'),
    /** 'running' | 'succeeded' | 'failed' | 'cancelled'. */
    status: text('status').notNull(),
    jobId: text('job_id'),
    parameters: jsonb('parameters').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    error: text('error'),
    startedAt: at('started_at').notNull().defaultNow(),
    finishedAt: at('finished_at'),
  },
  (table) => [index('training_runs_status_idx').on(table.status, table.startedAt)],
);

export const trainingMetrics = pgTable(
  'training_metrics',
  {
    time: at('time').notNull().defaultNow(),
    runId: text('run_id').notNull(),
    model: text('model').notNull(),
    epoch: integer('epoch'),
    step: integer('step'),
    trainLoss: doublePrecision('train_loss'),
    valLoss: doublePrecision('val_loss'),
    learningRate: doublePrecision('learning_rate'),
    gradNorm: doublePrecision('grad_norm'),
    stepMs: doublePrecision('step_ms'),
    device: text('device'),
  },
  (table) => [index('training_metrics_run_time_idx').on(table.runId, table.time)],
);

/** Rollups of inference_events per bucket ('5m' | '1h'), refreshed on a schedule. */
export const modelPerformance = pgTable(
  'model_performance',
  {
    bucketWidth: text('bucket_width').notNull(),
    bucket: at('bucket').notNull(),
    model: text('model').notNull(),
    runtime: text('runtime').notNull(),
    endpoint: text('endpoint').notNull(),
    requestCount: integer('request_count').notNull(),
    errorCount: integer('error_count').notNull(),
    points: bigint('points', { mode: 'number' }).notNull(),
    latencyP50Ms: doublePrecision('latency_p50_ms'),
    latencyP90Ms: doublePrecision('latency_p90_ms'),
    latencyP95Ms: doublePrecision('latency_p95_ms'),
    latencyP99Ms: doublePrecision('latency_p99_ms'),
    latencyMaxMs: doublePrecision('latency_max_ms'),
    throughputPerS: doublePrecision('throughput_per_s').notNull(),
    cpuPercent: doublePrecision('cpu_percent'),
    memoryMb: doublePrecision('memory_mb'),
    refreshedAt: at('refreshed_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ name: 'model_performance_pk', columns: [table.bucketWidth, table.bucket, table.model, table.runtime, table.endpoint] })],
);

export const experiments = pgTable('experiments', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  parameters: jsonb('parameters').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  metrics: jsonb('metrics').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  status: text('status').notNull(),
  worker: text('worker'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/** Who/what/when for every forecast, job and share (append-only; BRIN on time). */
export const forecastAudit = pgTable(
  'forecast_audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    time: at('time').notNull().defaultNow(),
    /** 'forecast' | 'share' | 'share-delete' | 'job'. */
    action: text('action').notNull(),
    /** Who asked: a salted hash of the client address (never the address itself), or a worker id. */
    actor: text('actor').notNull(),
    tokenHash: text('token_hash'),
    model: text('model'),
    modelRevision: text('model_revision'),
    modelSha256: text('model_sha256'),
    source: text('source'),
    dataWindow: jsonb('data_window').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  },
  (table) => [index('forecast_audit_time_brin').using('brin', table.time)],
);

/** Every alert rule firing, delivered or not. */
export const alertFirings = pgTable(
  'alert_firings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    time: at('time').notNull().defaultNow(),
    ruleId: text('rule_id').notNull(),
    source: text('source').notNull(),
    series: text('series').notNull(),
    pointTime: at('point_time').notNull(),
    value: doublePrecision('value').notNull(),
    score: doublePrecision('score'),
    threshold: doublePrecision('threshold').notNull(),
    delivered: boolean('delivered').notNull(),
    httpStatus: integer('http_status'),
    error: text('error'),
  },
  (table) => [index('alert_firings_rule_point_idx').on(table.ruleId, table.pointTime)],
);

/** CPU and memory of the server and job-worker processes that record events (migration 0006). */
export const processSamples = pgTable(
  'process_samples',
  {
    time: at('time').notNull().defaultNow(),
    processId: text('process_id').notNull(),
    /** 'server' (records origin 'server' events) | 'worker' (origin 'job'). */
    role: text('role').notNull(),
    host: text('host').notNull(),
    pid: integer('pid').notNull(),
    /** Process CPU time over wall time since the process's previous sample, in percent of one core. */
    cpuPercent: doublePrecision('cpu_percent').notNull(),
    rssMb: doublePrecision('rss_mb').notNull(),
    heapUsedMb: doublePrecision('heap_used_mb').notNull(),
  },
  (table) => [index('process_samples_role_time_idx').on(table.role, table.time)],
);

/** One drift evaluation: reference window vs recent window of a series (migration 0006). */
export const driftChecks = pgTable(
  'drift_checks',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    time: at('time').notNull().defaultNow(),
    ruleId: text('rule_id'),
    source: text('source').notNull(),
    series: text('series').notNull(),
    model: text('model'),
    referenceFrom: at('reference_from').notNull(),
    referenceTo: at('reference_to').notNull(),
    recentFrom: at('recent_from').notNull(),
    recentTo: at('recent_to').notNull(),
    referenceCount: integer('reference_count').notNull(),
    recentCount: integer('recent_count').notNull(),
    psi: doublePrecision('psi'),
    ksStatistic: doublePrecision('ks_statistic'),
    ksPValue: doublePrecision('ks_p_value'),
    rollingError: jsonb('rolling_error'),
    psiThreshold: doublePrecision('psi_threshold'),
    ksThreshold: doublePrecision('ks_threshold'),
    fired: boolean('fired').notNull(),
    error: text('error'),
  },
  (table) => [index('drift_checks_rule_time_idx').on(table.ruleId, table.time)],
);
