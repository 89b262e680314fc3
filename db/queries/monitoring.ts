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
 * The endpoint value of the rollup rows that cover every endpoint of a model and runtime. Their
 * percentiles are computed from the events (GROUPING SETS), not merged from the per-endpoint rows
 * (percentiles do not add up), so the dashboard reads them with an index range scan and no
 * aggregation. No endpoint is named '*' ('/api/...', 'job:<kind>', 'browser:<kind>').
 */
export const ALL_ENDPOINTS = '*';

const REFRESH_CHUNK_MS = 86_400_000;

/**
 * Recomputes model_performance for `width` over [from, to) (both aligned down to the width) from
 * inference_events: one row per bucket, model, runtime and endpoint plus one per bucket, model and
 * runtime over all endpoints (endpoint ALL_ENDPOINTS). Rows of that span are replaced in one
 * transaction, so a refresh is idempotent and late events (a browser's delayed telemetry) are
 * picked up by the next refresh that covers their bucket. Buckets start at 2000-01-03 00:00 UTC,
 * TimescaleDB's origin. Resolves to the number of per-endpoint rows written.
 */
export async function refreshModelPerformance(handle: DatabaseHandle, { width, from, to }: { width: RollupWidth; from: Date; to: Date }): Promise<number> {
  const seconds = ROLLUP_WIDTHS[width];
  const align = (date: Date) => new Date(Math.floor(date.getTime() / (seconds * 1000)) * seconds * 1000).toISOString();
  const start = align(from);
  const end = new Date(Math.ceil(to.getTime() / (seconds * 1000)) * seconds * 1000).toISOString();
  return handle.transaction(async (query) => {
    // A batch job's sort memory (SET LOCAL ends with the transaction): a day of events sorts in memory instead of spilling to disk.
    await query(`SET LOCAL work_mem = '64MB'`);
    await query('DELETE FROM model_performance WHERE bucket_width = $1 AND bucket >= $2 AND bucket < $3', [width, start, end]);
    let written = 0;
    // A day at a time (days are whole buckets of either width): one sort per day, not one over the whole span (the first refresh covers the retention period).
    for (let chunkStart = Date.parse(start); chunkStart < Date.parse(end); chunkStart += REFRESH_CHUNK_MS) {
      const chunkEnd = new Date(Math.min(chunkStart + REFRESH_CHUNK_MS, Date.parse(end))).toISOString();
      const rows = await query<{ count: string }>(
        `WITH rollup AS (
           SELECT bucket, model, runtime, CASE WHEN grouping(endpoint) = 1 THEN $5 ELSE endpoint END AS endpoint,
                  count(*) AS request_count, count(*) FILTER (WHERE outcome = 'error') AS error_count, coalesce(sum(points), 0) AS points,
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY latency_ms) AS p90,
                  percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95, percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99,
                  max(latency_ms) AS latency_max, count(*)::float8 / $4 AS throughput,
                  count(*) FILTER (WHERE origin = 'server') AS server_requests, count(*) FILTER (WHERE origin = 'job') AS worker_requests
             FROM (SELECT date_bin(make_interval(secs => $4), "time", timestamptz '2000-01-03 00:00:00+00') AS bucket, model, runtime, endpoint, origin, outcome, points, latency_ms
                     FROM inference_events WHERE "time" >= $2 AND "time" < $3) AS events
            GROUP BY GROUPING SETS ((bucket, model, runtime, endpoint), (bucket, model, runtime))
         ),
         samples AS (
           -- A process that recorded both server and job events in the interval (the in-process worker) sampled as 'server+worker'.
           SELECT date_bin(make_interval(secs => $4), "time", timestamptz '2000-01-03 00:00:00+00') AS bucket,
                  avg(cpu_percent) FILTER (WHERE role <> 'worker') AS server_cpu, max(rss_mb) FILTER (WHERE role <> 'worker') AS server_rss,
                  avg(cpu_percent) FILTER (WHERE role <> 'server') AS worker_cpu, max(rss_mb) FILTER (WHERE role <> 'server') AS worker_rss
             FROM process_samples WHERE "time" >= $2 AND "time" < $3 GROUP BY 1
         ),
         inserted AS (
           INSERT INTO model_performance (bucket_width, bucket, model, runtime, endpoint, request_count, error_count, points,
             latency_p50_ms, latency_p90_ms, latency_p95_ms, latency_p99_ms, latency_max_ms, throughput_per_s, cpu_percent, memory_mb)
           SELECT $1, r.bucket, r.model, r.runtime, r.endpoint, r.request_count, r.error_count, r.points, r.p50, r.p90, r.p95, r.p99, r.latency_max, r.throughput,
                  -- CPU: the mean of the bucket's samples of the processes that served the requests (servers for origin server, job workers
                  -- for origin job), weighted by their requests; memory: the peak RSS among them. Browser runs have neither.
                  (coalesce(r.server_requests * s.server_cpu, 0) + coalesce(r.worker_requests * s.worker_cpu, 0))
                    / nullif(CASE WHEN s.server_cpu IS NULL THEN 0 ELSE r.server_requests END + CASE WHEN s.worker_cpu IS NULL THEN 0 ELSE r.worker_requests END, 0),
                  greatest(CASE WHEN r.server_requests > 0 THEN s.server_rss END, CASE WHEN r.worker_requests > 0 THEN s.worker_rss END)
             FROM rollup r LEFT JOIN samples s ON s.bucket = r.bucket
           RETURNING endpoint)
         SELECT count(*) FILTER (WHERE endpoint <> $5)::text AS count FROM inserted`,
        [width, new Date(chunkStart).toISOString(), chunkEnd, seconds, ALL_ENDPOINTS],
      );
      written += Number(rows[0]?.count ?? 0);
    }
    return written;
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
  /** Mean CPU (% of one core) and peak RSS (MB) of the processes that served the bucket's requests; null for browser runs and raw reads. */
  cpuPercent: number | null;
  memoryMb: number | null;
}

// Buckets travel as epoch milliseconds (float8): a third cheaper to send and parse than timestamptz text over the ~10^4 rows of a 30-day view.
const latencyPoint = (row: Record<string, unknown>): LatencyPoint => ({
  bucket: new Date(Number(row.bucket_ms)).toISOString(),
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
  cpuPercent: row.cpu_percent === null || row.cpu_percent === undefined ? null : Number(row.cpu_percent),
  memoryMb: row.memory_mb === null || row.memory_mb === undefined ? null : Number(row.memory_mb),
});

export interface SqlText {
  text: string;
  values: unknown[];
}

/** The statement of latencyFromEvents (the benchmark runs it under EXPLAIN ANALYZE). */
export function latencyFromEventsQuery({ from, to, bucketSeconds }: { from: Date; to: Date; bucketSeconds: number }): SqlText {
  return {
    text: `SELECT (extract(epoch FROM date_bin(make_interval(secs => $3), "time", timestamptz '2000-01-03 00:00:00+00')) * 1000)::float8 AS bucket_ms, model, runtime,
            count(*) AS requests, count(*) FILTER (WHERE outcome = 'error') AS errors, coalesce(sum(points), 0) AS points,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY latency_ms) AS p90,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95, percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99,
            count(*)::float8 / $3 AS throughput
       FROM inference_events WHERE "time" >= $1 AND "time" < $2
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    values: [from.toISOString(), to.toISOString(), bucketSeconds],
  };
}

/** Latency percentiles, throughput and errors per bucket, model and runtime, straight from inference_events. */
export async function latencyFromEvents(handle: DatabaseHandle, range: { from: Date; to: Date; bucketSeconds: number }): Promise<LatencyPoint[]> {
  const { text, values } = latencyFromEventsQuery(range);
  return (await handle.query(text, values)).map(latencyPoint);
}

/**
 * The same series from the rollups: the rows over all endpoints (ALL_ENDPOINTS) of `width`,
 * merged in SQL into buckets of `bucketSeconds` (a multiple of the width; default the width) and
 * aggregated into one row per model and runtime (its points as one text), so a 30-day view sends
 * 15 rows of 240 points (3-hour buckets), not 10,800 rows. Merging is honest about what it can and cannot know:
 * request, error and point counts are exact sums; throughput is their sum over the bucket; p50, p90
 * and p95 are the request-weighted means of the hourly percentiles (an estimate: percentiles do not
 * add up); p99 is the largest hourly p99 (an upper bound: a merged bucket's p99 is never above its
 * hours' largest); CPU is request-weighted, memory the peak; merged measures travel as float4 (7
 * significant digits). When bucketSeconds equals the width,
 * every point is one rollup row and its percentiles are exact (computed from the events).
 */
export async function latencyFromRollups(handle: DatabaseHandle, range: { from: Date; to: Date; width: RollupWidth; bucketSeconds?: number }): Promise<LatencyPoint[]> {
  const { text, values } = latencyFromRollupsQuery(range);
  const rows = await handle.query<{ model: string; runtime: string; points: string }>(text, values);
  const out: LatencyPoint[] = [];
  const numberOrNull = (field: string | undefined) => (field === undefined || field === '' ? null : Number(field));
  for (const row of rows) {
    for (const point of row.points.split(';')) {
      const f = point.split(',');
      out.push({
        bucket: new Date(Number(f[0]) * 1000).toISOString(), model: row.model, runtime: row.runtime, requests: Number(f[1]), errors: Number(f[2]), points: Number(f[3]),
        p50: numberOrNull(f[4]), p90: numberOrNull(f[5]), p95: numberOrNull(f[6]), p99: numberOrNull(f[7]), throughputPerS: Number(f[8]), cpuPercent: numberOrNull(f[9]), memoryMb: numberOrNull(f[10]),
      });
    }
  }
  return out.sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : a.model < b.model ? -1 : a.model > b.model ? 1 : a.runtime < b.runtime ? -1 : a.runtime > b.runtime ? 1 : 0));
}

/**
 * The statement of latencyFromRollups: one row per model and runtime whose `points` is text,
 * points separated by ';', fields by ',' (epoch seconds, requests, errors, points, p50, p90, p95,
 * p99, throughput, CPU, memory; empty = null). Measured the cheapest form to build and send
 * (bench/monitoring.ts): a JSON array of arrays cost about twice as much. Merged buckets send the
 * measures as float4 (7 significant digits); one-row buckets send them as stored (float8).
 */
export function latencyFromRollupsQuery({ from, to, width, bucketSeconds }: { from: Date; to: Date; width: RollupWidth; bucketSeconds?: number }): SqlText {
  const seconds = bucketSeconds ?? ROLLUP_WIDTHS[width];
  if (!Number.isInteger(seconds / ROLLUP_WIDTHS[width]) || seconds < ROLLUP_WIDTHS[width]) throw new Error(`latencyFromRollups: bucketSeconds ${seconds} is not a whole multiple of the ${width} rollups`);
  const cast = seconds > ROLLUP_WIDTHS[width] ? '::real' : '';
  const field = (name: string) => `${name}${cast}`;
  return {
    text: `WITH merged AS (
             SELECT model, runtime, date_bin(make_interval(secs => $5), bucket, timestamptz '2000-01-03 00:00:00+00') AS b,
                    sum(request_count) AS requests, sum(error_count) AS errors, sum(points) AS points,
                    CASE WHEN count(*) = 1 THEN max(latency_p50_ms) ELSE sum(latency_p50_ms * request_count) / nullif(sum(request_count) FILTER (WHERE latency_p50_ms IS NOT NULL), 0) END AS p50,
                    CASE WHEN count(*) = 1 THEN max(latency_p90_ms) ELSE sum(latency_p90_ms * request_count) / nullif(sum(request_count) FILTER (WHERE latency_p90_ms IS NOT NULL), 0) END AS p90,
                    CASE WHEN count(*) = 1 THEN max(latency_p95_ms) ELSE sum(latency_p95_ms * request_count) / nullif(sum(request_count) FILTER (WHERE latency_p95_ms IS NOT NULL), 0) END AS p95,
                    max(latency_p99_ms) AS p99, CASE WHEN count(*) = 1 THEN max(throughput_per_s) ELSE sum(request_count)::float8 / $5 END AS throughput,
                    CASE WHEN count(*) = 1 THEN max(cpu_percent) ELSE sum(cpu_percent * request_count) / nullif(sum(request_count) FILTER (WHERE cpu_percent IS NOT NULL), 0) END AS cpu,
                    max(memory_mb) AS memory
               FROM model_performance WHERE bucket_width = $3 AND bucket >= $1 AND bucket < $2 AND endpoint = $4
              GROUP BY 1, 2, 3)
         SELECT model, runtime,
                string_agg(concat(extract(epoch FROM b)::bigint, ',', requests, ',', errors, ',', points, ',', ${field('p50')}, ',', ${field('p90')}, ',', ${field('p95')}, ',', ${field('p99')}, ',',
                                  ${field('throughput')}, ',', ${field('cpu')}, ',', ${field('memory')}), ';' ORDER BY b) AS points
           FROM merged GROUP BY model, runtime ORDER BY model, runtime`,
    values: [from.toISOString(), to.toISOString(), width, ALL_ENDPOINTS, seconds],
  };
}

export interface TrainingCurvePoint {
  runId: string;
  model: string;
  status: string;
  /** Where the run trained: 'job', 'browser', 'server' ('unknown' without a training_runs row). */
  origin: string;
  epoch: number | null;
  step: number | null;
  trainLoss: number | null;
  valLoss: number | null;
  time: string;
}

/** Metrics of the runs that started in [from, to), oldest first, capped per query. */
export async function trainingCurves(handle: DatabaseHandle, { from, to, limit = 20_000 }: { from: Date; to: Date; limit?: number }): Promise<TrainingCurvePoint[]> {
  const rows = await handle.query<Record<string, unknown>>(
    `SELECT m.run_id, coalesce(r.model, m.model) AS model, coalesce(r.status, 'unknown') AS status, coalesce(r.origin, 'unknown') AS origin, m.epoch, m.step, m.train_loss, m.val_loss, m."time"
       FROM training_metrics m LEFT JOIN training_runs r ON r.id = m.run_id
      WHERE m."time" >= $1 AND m."time" < $2 ORDER BY m.run_id, m."time", m.epoch, m.step LIMIT $3`,
    [from.toISOString(), to.toISOString(), limit],
  );
  return rows.map((row) => ({
    runId: String(row.run_id),
    model: String(row.model),
    status: String(row.status),
    origin: String(row.origin),
    epoch: row.epoch === null ? null : Number(row.epoch),
    step: row.step === null ? null : Number(row.step),
    trainLoss: row.train_loss === null ? null : Number(row.train_loss),
    valLoss: row.val_loss === null ? null : Number(row.val_loss),
    time: new Date(row.time as string).toISOString(),
  }));
}

/** Training runs per status and origin, and epoch rows per origin (for /metrics). */
export async function trainingRunStats(handle: DatabaseHandle): Promise<{ runs: { status: string; origin: string; count: number }[]; epochs: { origin: string; count: number }[] }> {
  const runs = await handle.query<{ status: string; origin: string; count: string }>('SELECT status, origin, count(*)::text AS count FROM training_runs GROUP BY 1, 2 ORDER BY 1, 2');
  const epochs = await handle.query<{ origin: string; count: string }>(
    `SELECT coalesce(r.origin, 'unknown') AS origin, count(*)::text AS count FROM training_metrics m LEFT JOIN training_runs r ON r.id = m.run_id
      WHERE m.step IS NULL AND m.epoch IS NOT NULL GROUP BY 1 ORDER BY 1`,
  );
  return { runs: runs.map((row) => ({ status: row.status, origin: row.origin, count: Number(row.count) })), epochs: epochs.map((row) => ({ origin: row.origin, count: Number(row.count) })) };
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

/** What a sampled process did since its previous sample: served requests, ran job chunks, or both (an in-process worker). */
export type ProcessRole = 'server' | 'worker' | 'server+worker';

export interface ProcessSampleRow {
  time: string;
  processId: string;
  role: ProcessRole;
  host: string;
  pid: number;
  cpuPercent: number;
  rssMb: number;
  heapUsedMb: number;
}

export async function insertProcessSamples(handle: DatabaseHandle, rows: readonly ProcessSampleRow[]): Promise<void> {
  if (rows.length === 0) return;
  await handle.query(
    `INSERT INTO process_samples ("time", process_id, role, host, pid, cpu_percent, rss_mb, heap_used_mb)
     SELECT "time", "processId", role, host, pid, "cpuPercent", "rssMb", "heapUsedMb"
       FROM jsonb_to_recordset($1::text::jsonb) AS r("time" timestamptz, "processId" text, role text, host text, pid integer,
            "cpuPercent" double precision, "rssMb" double precision, "heapUsedMb" double precision)`,
    [JSON.stringify(rows)],
  );
}

export interface ProcessUsagePoint {
  bucket: string;
  role: string;
  /** Processes of that role that sampled in the bucket. */
  processes: number;
  cpuPercent: number;
  memoryMb: number;
}

/** CPU (mean of the samples) and memory (peak RSS) per bucket and role, from process_samples (dashboard ranges up to a day). */
export async function processUsage(handle: DatabaseHandle, { from, to, bucketSeconds }: { from: Date; to: Date; bucketSeconds: number }): Promise<ProcessUsagePoint[]> {
  const rows = await handle.query<Record<string, unknown>>(
    `SELECT date_bin(make_interval(secs => $3), "time", timestamptz '2000-01-03 00:00:00+00') AS bucket, role,
            count(DISTINCT process_id) AS processes, avg(cpu_percent) AS cpu_percent, max(rss_mb) AS rss_mb
       FROM process_samples WHERE "time" >= $1 AND "time" < $2 GROUP BY 1, 2 ORDER BY 1, 2`,
    [from.toISOString(), to.toISOString(), bucketSeconds],
  );
  return rows.map((row) => ({
    bucket: new Date(row.bucket as string).toISOString(),
    role: String(row.role),
    processes: Number(row.processes),
    cpuPercent: Number(row.cpu_percent),
    memoryMb: Number(row.rss_mb),
  }));
}

export interface DriftCheckRow {
  time: string;
  ruleId: string | null;
  source: string;
  series: string;
  model: string | null;
  referenceFrom: string;
  referenceTo: string;
  recentFrom: string;
  recentTo: string;
  referenceCount: number;
  recentCount: number;
  psi: number | null;
  ksStatistic: number | null;
  ksPValue: number | null;
  /** The model's rolling error on the recent window (and on the end of the reference for comparison), when a model was named. */
  rollingError: Record<string, unknown> | null;
  psiThreshold: number | null;
  ksThreshold: number | null;
  fired: boolean;
  error: string | null;
}

export async function insertDriftCheck(handle: DatabaseHandle, check: DriftCheckRow): Promise<void> {
  await handle.query(
    `INSERT INTO drift_checks ("time", rule_id, source, series, model, reference_from, reference_to, recent_from, recent_to, reference_count, recent_count,
       psi, ks_statistic, ks_p_value, rolling_error, psi_threshold, ks_threshold, fired, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::text::jsonb, $16, $17, $18, $19)`,
    [
      check.time, check.ruleId, check.source, check.series, check.model, check.referenceFrom, check.referenceTo, check.recentFrom, check.recentTo,
      check.referenceCount, check.recentCount, check.psi, check.ksStatistic, check.ksPValue, check.rollingError === null ? null : JSON.stringify(check.rollingError),
      check.psiThreshold, check.ksThreshold, check.fired, check.error,
    ],
  );
}

const DRIFT_COLUMNS = `"time", rule_id, source, series, model, reference_from, reference_to, recent_from, recent_to, reference_count, recent_count,
            psi, ks_statistic, ks_p_value, rolling_error, psi_threshold, ks_threshold, fired, error`;

/** The newest drift checks, newest first. */
export async function listDriftChecks(handle: DatabaseHandle, { limit = 50 }: { limit?: number } = {}): Promise<DriftCheckRow[]> {
  return driftRows(await handle.query<Record<string, unknown>>(`SELECT ${DRIFT_COLUMNS} FROM drift_checks ORDER BY id DESC LIMIT $1`, [limit]));
}

/**
 * The newest check of each (model, revision, rule) among `models` (trained model ids; the revision
 * is rolling_error's "revision"), newest first: what is shown beside each trained model.
 */
export async function latestModelDriftChecks(handle: DatabaseHandle, { models, revision }: { models: string[]; revision?: string }): Promise<DriftCheckRow[]> {
  if (models.length === 0) return [];
  return driftRows(
    await handle.query<Record<string, unknown>>(
      `SELECT ${DRIFT_COLUMNS} FROM (
         SELECT DISTINCT ON (model, rolling_error->>'revision', rule_id) * FROM drift_checks
          WHERE model = ANY($1::text[]) AND ($2::text IS NULL OR rolling_error->>'revision' = $2)
          ORDER BY model, rolling_error->>'revision', rule_id, id DESC) AS latest
        ORDER BY "time" DESC`,
      [models, revision ?? null],
    ),
  );
}

function driftRows(rows: Record<string, unknown>[]): DriftCheckRow[] {
  const iso = (value: unknown) => new Date(value as string).toISOString();
  const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return rows.map((row) => ({
    time: iso(row.time),
    ruleId: row.rule_id === null ? null : String(row.rule_id),
    source: String(row.source),
    series: String(row.series),
    model: row.model === null ? null : String(row.model),
    referenceFrom: iso(row.reference_from),
    referenceTo: iso(row.reference_to),
    recentFrom: iso(row.recent_from),
    recentTo: iso(row.recent_to),
    referenceCount: Number(row.reference_count),
    recentCount: Number(row.recent_count),
    psi: numberOrNull(row.psi),
    ksStatistic: numberOrNull(row.ks_statistic),
    ksPValue: numberOrNull(row.ks_p_value),
    rollingError: (typeof row.rolling_error === 'string' ? JSON.parse(row.rolling_error) : row.rolling_error) as Record<string, unknown> | null,
    psiThreshold: numberOrNull(row.psi_threshold),
    ksThreshold: numberOrNull(row.ks_threshold),
    fired: Boolean(row.fired),
    error: row.error === null ? null : String(row.error),
  }));
}
