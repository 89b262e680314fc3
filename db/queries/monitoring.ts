import 'server-only';
import type { DatabaseHandle } from '../client';

/**
 * Named queries of the monitoring tables. Batches travel as one JSON parameter expanded by
 * jsonb_to_recordset: one round trip per batch, the same text on PGlite and postgres.js, and no
 * SQL built from values.
 */

export interface InferenceEventRow {
  time: string;
  model: string;
  revision: string | null;
  runtime: string;
  device: string;
  origin: 'browser' | 'server' | 'job';
  endpoint: string;
  seriesId: string | null;
  seriesCount: number;
  points: number;
  horizon: number;
  latencyMs: number;
  outcome: 'ok' | 'error' | 'cancelled';
  errorKind: string | null;
}

export interface TrainingMetricRow {
  time: string;
  runId: string;
  model: string;
  epoch: number | null;
  step: number | null;
  trainLoss: number | null;
  valLoss: number | null;
  learningRate: number | null;
  gradNorm: number | null;
  stepMs: number | null;
  device: string | null;
}

export interface ForecastAuditRow {
  time: string;
  action: 'forecast' | 'share' | 'share-delete' | 'job';
  actor: string;
  tokenHash: string | null;
  model: string | null;
  modelRevision: string | null;
  modelSha256: string | null;
  source: string | null;
  dataWindow: Record<string, unknown>;
  details: Record<string, unknown>;
}

export async function insertInferenceEvents(handle: DatabaseHandle, rows: readonly InferenceEventRow[]): Promise<void> {
  if (rows.length === 0) return;
  await handle.query(
    `INSERT INTO inference_events ("time", model, revision, runtime, device, origin, endpoint, series_id, series_count, points, horizon, latency_ms, outcome, error_kind)
     SELECT "time", model, revision, runtime, device, origin, endpoint, "seriesId", "seriesCount", points, horizon, "latencyMs", outcome, "errorKind"
       FROM jsonb_to_recordset($1::text::jsonb) AS r("time" timestamptz, model text, revision text, runtime text, device text, origin text, endpoint text,
            "seriesId" text, "seriesCount" integer, points integer, horizon integer, "latencyMs" double precision, outcome text, "errorKind" text)`,
    [JSON.stringify(rows)],
  );
}

export async function insertTrainingMetrics(handle: DatabaseHandle, rows: readonly TrainingMetricRow[]): Promise<void> {
  if (rows.length === 0) return;
  await handle.query(
    `INSERT INTO training_metrics ("time", run_id, model, epoch, step, train_loss, val_loss, learning_rate, grad_norm, step_ms, device)
     SELECT "time", "runId", model, epoch, step, "trainLoss", "valLoss", "learningRate", "gradNorm", "stepMs", device
       FROM jsonb_to_recordset($1::text::jsonb) AS r("time" timestamptz, "runId" text, model text, epoch integer, step integer, "trainLoss" double precision,
            "valLoss" double precision, "learningRate" double precision, "gradNorm" double precision, "stepMs" double precision, device text)`,
    [JSON.stringify(rows)],
  );
}

export async function insertForecastAudit(handle: DatabaseHandle, rows: readonly ForecastAuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  await handle.query(
    `INSERT INTO forecast_audit ("time", action, actor, token_hash, model, model_revision, model_sha256, source, data_window, details)
     SELECT "time", action, actor, "tokenHash", model, "modelRevision", "modelSha256", source, coalesce("dataWindow", '{}'), coalesce(details, '{}')
       FROM jsonb_to_recordset($1::text::jsonb) AS r("time" timestamptz, action text, actor text, "tokenHash" text, model text, "modelRevision" text,
            "modelSha256" text, source text, "dataWindow" jsonb, details jsonb)`,
    [JSON.stringify(rows)],
  );
}

export interface TrainingRunRow {
  id: string;
  model: string;
  revision?: string | null;
  origin: 'browser' | 'server' | 'job';
  device?: string | null;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  jobId?: string | null;
  parameters?: Record<string, unknown>;
  error?: string | null;
  startedAt?: string;
  finishedAt?: string | null;
}

/** Inserts a run or updates its status, device, error and end (a run's identity never changes). */
export async function upsertTrainingRun(handle: DatabaseHandle, run: TrainingRunRow): Promise<void> {
  await handle.query(
    `INSERT INTO training_runs (id, model, revision, origin, device, status, job_id, parameters, error, started_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9, coalesce($10::timestamptz, now()), $11::timestamptz)
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, device = coalesce(excluded.device, training_runs.device),
       error = excluded.error, finished_at = excluded.finished_at, revision = coalesce(excluded.revision, training_runs.revision)`,
    [run.id, run.model, run.revision ?? null, run.origin, run.device ?? null, run.status, run.jobId ?? null, JSON.stringify(run.parameters ?? {}), run.error ?? null, run.startedAt ?? null, run.finishedAt ?? null],
  );
}

export const ROLLUP_WIDTHS = { '5m': 300, '1h': 3600 } as const;
export type RollupWidth = keyof typeof ROLLUP_WIDTHS;

/**
 * Recomputes model_performance for `width` over [from, to) (both aligned down to the width) from
 * inference_events: rows of that span are replaced in one transaction, so a refresh is
 * idempotent and late events (a browser's delayed telemetry) are picked up by the next refresh
 * that covers their bucket. Buckets start at 2000-01-03 00:00 UTC, TimescaleDB's origin.
 */
export async function refreshModelPerformance(handle: DatabaseHandle, { width, from, to }: { width: RollupWidth; from: Date; to: Date }): Promise<number> {
  const seconds = ROLLUP_WIDTHS[width];
  const align = (date: Date) => new Date(Math.floor(date.getTime() / (seconds * 1000)) * seconds * 1000).toISOString();
  const start = align(from);
  const end = new Date(Math.ceil(to.getTime() / (seconds * 1000)) * seconds * 1000).toISOString();
  return handle.transaction(async (query) => {
    await query('DELETE FROM model_performance WHERE bucket_width = $1 AND bucket >= $2 AND bucket < $3', [width, start, end]);
    const rows = await query<{ count: string }>(
      `WITH inserted AS (
         INSERT INTO model_performance (bucket_width, bucket, model, runtime, endpoint, request_count, error_count, points,
           latency_p50_ms, latency_p90_ms, latency_p95_ms, latency_p99_ms, latency_max_ms, throughput_per_s)
         SELECT $1, date_bin(make_interval(secs => $4), "time", timestamptz '2000-01-03 00:00:00+00') AS bucket, model, runtime, endpoint,
                count(*), count(*) FILTER (WHERE outcome = 'error'), coalesce(sum(points), 0),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms), percentile_cont(0.9) WITHIN GROUP (ORDER BY latency_ms),
                percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms), percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms),
                max(latency_ms), count(*)::float8 / $4
           FROM inference_events WHERE "time" >= $2 AND "time" < $3
          GROUP BY 2, 3, 4, 5
         RETURNING 1)
       SELECT count(*)::text AS count FROM inserted`,
      [width, start, end, seconds],
    );
    return Number(rows[0]?.count ?? 0);
  });
}

export interface LatencyPoint {
  bucket: string;
  model: string;
  runtime: string;
  requests: number;
  errors: number;
  points: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  throughputPerS: number;
}

const latencyPoint = (row: Record<string, unknown>): LatencyPoint => ({
  bucket: new Date(row.bucket as string | Date).toISOString(),
  model: String(row.model),
  runtime: String(row.runtime),
  requests: Number(row.requests),
  errors: Number(row.errors),
  points: Number(row.points),
  p50: row.p50 === null ? null : Number(row.p50),
  p90: row.p90 === null ? null : Number(row.p90),
  p95: row.p95 === null ? null : Number(row.p95),
  p99: row.p99 === null ? null : Number(row.p99),
  throughputPerS: Number(row.throughput),
});

/** Latency percentiles, throughput and errors per bucket, model and runtime, straight from inference_events. */
export async function latencyFromEvents(handle: DatabaseHandle, { from, to, bucketSeconds }: { from: Date; to: Date; bucketSeconds: number }): Promise<LatencyPoint[]> {
  const rows = await handle.query(
    `SELECT date_bin(make_interval(secs => $3), "time", timestamptz '2000-01-03 00:00:00+00') AS bucket, model, runtime,
            count(*) AS requests, count(*) FILTER (WHERE outcome = 'error') AS errors, coalesce(sum(points), 0) AS points,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY latency_ms) AS p90,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95, percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99,
            count(*)::float8 / $3 AS throughput
       FROM inference_events WHERE "time" >= $1 AND "time" < $2
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    [from.toISOString(), to.toISOString(), bucketSeconds],
  );
  return rows.map(latencyPoint);
}

/**
 * The same series from the rollups. Within a bucket the rollup's endpoints are merged: counts add
 * up and each percentile is the request-weighted mean of the endpoints' percentiles (exact when a
 * model and runtime are served by one endpoint, as they are today).
 */
export async function latencyFromRollups(handle: DatabaseHandle, { from, to, width }: { from: Date; to: Date; width: RollupWidth }): Promise<LatencyPoint[]> {
  const rows = await handle.query(
    `SELECT bucket, model, runtime, sum(request_count) AS requests, sum(error_count) AS errors, sum(points) AS points,
            sum(latency_p50_ms * request_count) / sum(request_count) AS p50, sum(latency_p90_ms * request_count) / sum(request_count) AS p90,
            sum(latency_p95_ms * request_count) / sum(request_count) AS p95, sum(latency_p99_ms * request_count) / sum(request_count) AS p99,
            sum(throughput_per_s) AS throughput
       FROM model_performance WHERE bucket_width = $3 AND bucket >= $1 AND bucket < $2
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    [from.toISOString(), to.toISOString(), width],
  );
  return rows.map(latencyPoint);
}

export interface TrainingCurvePoint {
  runId: string;
  model: string;
  status: string;
  epoch: number | null;
  step: number | null;
  trainLoss: number | null;
  valLoss: number | null;
  time: string;
}

/** Metrics of the runs that started in [from, to), oldest first, capped per query. */
export async function trainingCurves(handle: DatabaseHandle, { from, to, limit = 20_000 }: { from: Date; to: Date; limit?: number }): Promise<TrainingCurvePoint[]> {
  const rows = await handle.query<Record<string, unknown>>(
    `SELECT m.run_id, coalesce(r.model, m.model) AS model, coalesce(r.status, 'unknown') AS status, m.epoch, m.step, m.train_loss, m.val_loss, m."time"
       FROM training_metrics m LEFT JOIN training_runs r ON r.id = m.run_id
      WHERE m."time" >= $1 AND m."time" < $2 ORDER BY m.run_id, m."time", m.epoch, m.step LIMIT $3`,
    [from.toISOString(), to.toISOString(), limit],
  );
  return rows.map((row) => ({
    runId: String(row.run_id),
    model: String(row.model),
    status: String(row.status),
    epoch: row.epoch === null ? null : Number(row.epoch),
    step: row.step === null ? null : Number(row.step),
    trainLoss: row.train_loss === null ? null : Number(row.train_loss),
    valLoss: row.val_loss === null ? null : Number(row.val_loss),
    time: new Date(row.time as string).toISOString(),
  }));
}

export async function countTrainingRuns(handle: DatabaseHandle, status: string): Promise<number> {
  const [row] = await handle.query<{ count: string }>('SELECT count(*)::text AS count FROM training_runs WHERE status = $1', [status]);
  return Number(row?.count ?? 0);
}

export interface AlertFiringRow {
  ruleId: string;
  source: string;
  series: string;
  pointTime: string;
  value: number;
  score: number | null;
  threshold: number;
  delivered: boolean;
  httpStatus: number | null;
  error: string | null;
}

export async function insertAlertFiring(handle: DatabaseHandle, firing: AlertFiringRow): Promise<void> {
  await handle.query(
    `INSERT INTO alert_firings (rule_id, source, series, point_time, value, score, threshold, delivered, http_status, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [firing.ruleId, firing.source, firing.series, firing.pointTime, firing.value, firing.score, firing.threshold, firing.delivered, firing.httpStatus, firing.error],
  );
}

/** The newest point a rule has already fired for (delivered or not), so that a point fires once. */
export async function lastFiredPoint(handle: DatabaseHandle, ruleId: string): Promise<Date | null> {
  const [row] = await handle.query<{ last: string | Date | null }>('SELECT max(point_time) AS last FROM alert_firings WHERE rule_id = $1', [ruleId]);
  return row?.last ? new Date(row.last) : null;
}

export async function listAlertFirings(handle: DatabaseHandle, { limit = 100 }: { limit?: number } = {}): Promise<AlertFiringRow[]> {
  const rows = await handle.query<Record<string, unknown>>(
    'SELECT rule_id, source, series, point_time, value, score, threshold, delivered, http_status, error FROM alert_firings ORDER BY id DESC LIMIT $1',
    [limit],
  );
  return rows.map((row) => ({
    ruleId: String(row.rule_id),
    source: String(row.source),
    series: String(row.series),
    pointTime: new Date(row.point_time as string).toISOString(),
    value: Number(row.value),
    score: row.score === null ? null : Number(row.score),
    threshold: Number(row.threshold),
    delivered: Boolean(row.delivered),
    httpStatus: row.http_status === null ? null : Number(row.http_status),
    error: row.error === null ? null : String(row.error),
  }));
}

export interface FreshnessRow {
  source: string;
  kind: 'sample' | 'upload' | 'ingested-table' | 'inference';
  newest: string | null;
  updatedAt: string | null;
}

/**
 * How current each source's data is, from what the app already records (no scans of users'
 * tables): samples' and uploads' newest timestamps, the newest file ingested into each table,
 * and the newest recorded model run.
 */
export async function dataFreshness(handle: DatabaseHandle): Promise<FreshnessRow[]> {
  const date = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string).toISOString());
  const datasets = await handle.query<Record<string, unknown>>(`SELECT id, origin, end_ts, created_at FROM datasets ORDER BY id`);
  const uploads = await handle.query<Record<string, unknown>>(`SELECT id, end_ts, created_at FROM uploaded_sources ORDER BY id`);
  const ingested = await handle.query<Record<string, unknown>>(
    `SELECT target_table, max(updated_at) AS updated_at FROM lookahead_ingested_files WHERE status = 'loaded' GROUP BY 1 ORDER BY 1`,
  );
  const [inference] = await handle.query<Record<string, unknown>>(`SELECT max("time") AS newest FROM inference_events WHERE "time" > now() - interval '30 days'`);
  return [
    ...datasets.map((row) => ({ source: String(row.id), kind: (row.origin === 'upload' ? 'upload' : 'sample') as FreshnessRow['kind'], newest: date(row.end_ts), updatedAt: date(row.created_at) })),
    ...uploads.map((row) => ({ source: String(row.id), kind: 'upload' as const, newest: date(row.end_ts), updatedAt: date(row.created_at) })),
    ...ingested.map((row) => ({ source: `app:${String(row.target_table)}`, kind: 'ingested-table' as const, newest: null, updatedAt: date(row.updated_at) })),
    { source: 'inference_events', kind: 'inference' as const, newest: date(inference?.newest), updatedAt: null },
  ];
}
