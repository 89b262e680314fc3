import 'server-only';
import type { DatabaseHandle } from '../client';
import { packPayload, unpackPayload } from './packed-payload';

/**
 * Named queries over the job record (db/schema-jobs.ts). Results are written with
 * ON CONFLICT DO NOTHING on (job, chunk, series), so a chunk retried after a crash, a lost lease or
 * a race between two workers never writes a series twice; state changes are guarded updates
 * (`WHERE state = ...`) so that of two workers only one wins each transition.
 */

export type JobState = 'queued' | 'running' | 'completed' | 'completed_with_failures' | 'failed' | 'cancelled';
export type ChunkState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export const TERMINAL_JOB_STATES: readonly JobState[] = ['completed', 'completed_with_failures', 'failed', 'cancelled'];

export interface JobRow {
  id: string;
  kind: string;
  state: JobState;
  params: Record<string, unknown>;
  title: string;
  totalSeries: number;
  totalChunks: number;
  /** The access principal that submitted the job ("token:alice"), null for jobs from before 0011. */
  submittedBy: string | null;
  summary: Record<string, unknown> | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  cancelledAt: Date | null;
}

export interface ChunkRow {
  jobId: string;
  chunkIndex: number;
  series: string[];
  firstPosition: number;
  state: ChunkState;
  attempts: number;
  worker: string | null;
  queueJobId: string | null;
  startedAt: Date | null;
  heartbeatAt: Date | null;
  finishedAt: Date | null;
  seriesDone: number;
  seriesFailed: number;
  error: string | null;
}

export interface ResultRow {
  seriesId: string;
  chunkIndex: number;
  position: number;
  status: 'ok' | 'failed';
  payload: Record<string, unknown> | null;
  error: string | null;
  attempt: number;
  worker: string;
}

export interface NewResult {
  seriesId: string;
  position: number;
  status: 'ok' | 'failed';
  payload: Record<string, unknown> | null;
  error: string | null;
}

const date = (value: unknown): Date | null => (value === null || value === undefined ? null : value instanceof Date ? value : new Date(String(value)));
const json = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

function jobFromRow(row: Record<string, unknown>): JobRow {
  return {
    id: String(row.id),
    kind: String(row.kind),
    state: row.state as JobState,
    params: json(row.params),
    title: String(row.title ?? ''),
    totalSeries: Number(row.total_series),
    totalChunks: Number(row.total_chunks),
    submittedBy: (row.submitted_by as string | null | undefined) ?? null,
    summary: row.summary === null || row.summary === undefined ? null : json(row.summary),
    error: (row.error as string | null) ?? null,
    createdAt: date(row.created_at)!,
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
    cancelledAt: date(row.cancelled_at),
  };
}

function resultFromRow(row: Record<string, unknown>): ResultRow {
  return {
    seriesId: String(row.series_id),
    chunkIndex: Number(row.chunk_index),
    position: Number(row.position),
    status: row.status as 'ok' | 'failed',
    payload: row.payload === null || row.payload === undefined ? null : unpackPayload(json(row.payload), (row.arrays as Uint8Array | null | undefined) ?? null),
    error: (row.error as string | null) ?? null,
    attempt: Number(row.attempt),
    worker: String(row.worker),
  };
}

function chunkFromRow(row: Record<string, unknown>): ChunkRow {
  return {
    jobId: String(row.job_id),
    chunkIndex: Number(row.chunk_index),
    series: json(row.series),
    firstPosition: Number(row.first_position),
    state: row.state as ChunkState,
    attempts: Number(row.attempts),
    worker: (row.worker as string | null) ?? null,
    queueJobId: (row.queue_job_id as string | null) ?? null,
    startedAt: date(row.started_at),
    heartbeatAt: date(row.heartbeat_at),
    finishedAt: date(row.finished_at),
    seriesDone: Number(row.series_done),
    seriesFailed: Number(row.series_failed),
    error: (row.error as string | null) ?? null,
  };
}

export async function insertJob({
  handle,
  job,
  chunks,
}: {
  handle: DatabaseHandle;
  job: { id: string; kind: string; params: Record<string, unknown>; title: string; totalSeries: number; submittedBy?: string | null };
  chunks: string[][];
}): Promise<void> {
  await handle.transaction(async (query) => {
    await query(`INSERT INTO jobs (id, kind, state, params, title, total_series, total_chunks, submitted_by) VALUES ($1, $2, 'queued', $3::jsonb, $4, $5, $6, $7)`, [
      job.id,
      job.kind,
      JSON.stringify(job.params),
      job.title,
      job.totalSeries,
      chunks.length,
      job.submittedBy ?? null,
    ]);
    const offsets: number[] = [];
    chunks.reduce((sum, chunk) => (offsets.push(sum), sum + chunk.length), 0);
    // Chunks go in pages so one statement never carries a 10,000-series job's every id.
    for (let start = 0; start < chunks.length; start += 64) {
      const page = chunks.slice(start, start + 64);
      const firstPositions = offsets.slice(start, start + 64);
      await query(
        `INSERT INTO job_chunks (job_id, chunk_index, series, first_position) SELECT $1, c.idx, c.series::jsonb, c.first FROM unnest($2::int[], $3::text[], $4::int[]) AS c(idx, series, first)`,
        [job.id, page.map((_, offset) => start + offset), page.map((series) => JSON.stringify(series)), firstPositions],
      );
    }
  });
}

/** Queued or running jobs a caller submitted (the per-caller limit counts these). */
export async function countActiveJobs({ handle, submittedBy }: { handle: DatabaseHandle; submittedBy: string }): Promise<number> {
  const rows = await handle.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE submitted_by = $1 AND state IN ('queued', 'running')`, [submittedBy]);
  return rows[0]?.n ?? 0;
}

export async function setChunkQueueIds({ handle, jobId, queueJobIds }: { handle: DatabaseHandle; jobId: string; queueJobIds: (string | null)[] }): Promise<void> {
  await handle.query(
    `UPDATE job_chunks AS c SET queue_job_id = q.id FROM unnest($2::int[], $3::text[]) AS q(idx, id) WHERE c.job_id = $1 AND c.chunk_index = q.idx AND c.queue_job_id IS NULL`,
    [jobId, queueJobIds.map((_, index) => index), queueJobIds],
  );
}

export async function getJob({ handle, id }: { handle: DatabaseHandle; id: string }): Promise<JobRow | null> {
  const rows = await handle.query(`SELECT * FROM jobs WHERE id = $1`, [id]);
  return rows[0] ? jobFromRow(rows[0]) : null;
}

export async function listJobs({ handle, limit = 50 }: { handle: DatabaseHandle; limit?: number }): Promise<JobRow[]> {
  const rows = await handle.query(`SELECT * FROM jobs ORDER BY created_at DESC, id LIMIT $1`, [limit]);
  return rows.map(jobFromRow);
}

export interface JobProgress {
  chunks: Record<ChunkState, number>;
  seriesDone: number;
  seriesFailed: number;
  attempts: number;
  workers: string[];
}

/**
 * A job's progress from its chunks alone: their counters grow as results are written
 * (writeResults), so this reads one row per chunk however many series the job has.
 */
export async function getJobProgress({ handle, id }: { handle: DatabaseHandle; id: string }): Promise<JobProgress> {
  const chunkRows = await handle.query<{ state: ChunkState; n: string | number; attempts: string | number; workers: string[] | string | null; done: string | number; failed: string | number }>(
    `SELECT state, count(*) AS n, sum(attempts) AS attempts, array_remove(array_agg(DISTINCT worker), NULL) AS workers, sum(series_done) AS done, sum(series_failed) AS failed
     FROM job_chunks WHERE job_id = $1 GROUP BY state`,
    [id],
  );
  const chunks: Record<ChunkState, number> = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
  const workers = new Set<string>();
  let attempts = 0;
  let seriesDone = 0;
  let seriesFailed = 0;
  for (const row of chunkRows) {
    chunks[row.state] = Number(row.n);
    attempts += Number(row.attempts);
    seriesDone += Number(row.done);
    seriesFailed += Number(row.failed);
    const list = typeof row.workers === 'string' ? row.workers.replace(/^\{|\}$/g, '').split(',').filter(Boolean) : (row.workers ?? []);
    for (const worker of list) workers.add(worker.replace(/^"|"$/g, ''));
  }
  return { chunks, seriesDone, seriesFailed, attempts, workers: [...workers].sort() };
}

export async function listChunks({ handle, jobId }: { handle: DatabaseHandle; jobId: string }): Promise<ChunkRow[]> {
  const rows = await handle.query(`SELECT * FROM job_chunks WHERE job_id = $1 ORDER BY chunk_index`, [jobId]);
  return rows.map(chunkFromRow);
}

/**
 * A worker takes a chunk it was handed by the queue: counts the attempt, records who and when.
 * Answers null when the chunk is finished or its job is over (cancelled), so the worker skips it.
 */
export async function claimChunk({
  handle,
  jobId,
  chunkIndex,
  worker,
  queueJobId,
}: {
  handle: DatabaseHandle;
  jobId: string;
  chunkIndex: number;
  worker: string;
  queueJobId: string;
}): Promise<{ job: JobRow; chunk: ChunkRow } | null> {
  return handle.transaction(async (query) => {
    const jobRows = await query(`SELECT * FROM jobs WHERE id = $1 FOR UPDATE`, [jobId]);
    if (!jobRows[0]) return null;
    const job = jobFromRow(jobRows[0]);
    if (job.state !== 'queued' && job.state !== 'running') return null;
    const chunkRows = await query(
      `UPDATE job_chunks SET state = 'running', attempts = attempts + 1, worker = $3, queue_job_id = $4, started_at = now(), heartbeat_at = now(), error = NULL
       WHERE job_id = $1 AND chunk_index = $2 AND state IN ('queued', 'running') RETURNING *`,
      [jobId, chunkIndex, worker, queueJobId],
    );
    if (!chunkRows[0]) return null;
    if (job.state === 'queued') {
      await query(`UPDATE jobs SET state = 'running', started_at = coalesce(started_at, now()) WHERE id = $1 AND state = 'queued'`, [jobId]);
      job.state = 'running';
    }
    return { job, chunk: chunkFromRow(chunkRows[0]) };
  });
}

/** Series of a chunk that already have a result (from an earlier attempt): not run again. */
export async function finishedSeries({ handle, jobId, chunkIndex }: { handle: DatabaseHandle; jobId: string; chunkIndex: number }): Promise<Set<string>> {
  const rows = await handle.query<{ series_id: string }>(`SELECT series_id FROM job_results WHERE job_id = $1 AND chunk_index = $2`, [jobId, chunkIndex]);
  return new Set(rows.map((row) => row.series_id));
}

/** Writes results idempotently: a series that already has a result keeps the first one. Answers how many were new. */
export async function writeResults({
  handle,
  jobId,
  chunkIndex,
  attempt,
  worker,
  results,
}: {
  handle: DatabaseHandle;
  jobId: string;
  chunkIndex: number;
  attempt: number;
  worker: string;
  results: readonly NewResult[];
}): Promise<number> {
  if (results.length === 0) return 0;
  // The whole batch as one jsonb parameter (one JSON.stringify here, one parse in Postgres) and
  // the rows' packed arrays as one base64 parameter that each row takes its slice of: a bytea
  // parameter would travel as hex, twice the bytes, which the driver copies and measures twice over.
  const rows: Record<string, unknown>[] = [];
  const arrays: Uint8Array[] = [];
  let arraysBytes = 0;
  for (const result of results) {
    const packed = result.payload ? packPayload(result.payload) : { json: null, bytes: null };
    rows.push({
      series_id: result.seriesId, position: result.position, status: result.status, payload: packed.json, error: result.error,
      ...(packed.bytes ? { arrays_from: arraysBytes + 1, arrays_length: packed.bytes.byteLength } : {}),
    });
    if (packed.bytes) {
      arrays.push(packed.bytes);
      arraysBytes += packed.bytes.byteLength;
    }
  }
  // MATERIALIZED: the decode runs once per batch, not once per row under a generic plan. The
  // chunk's counters grow by the rows this statement really inserted (a retried chunk's rows that
  // are already there count once), so a job's progress is a sum over its chunks, never a count of
  // its results (getJobProgress).
  const inserted = await handle.query(
    `WITH packed AS MATERIALIZED (SELECT decode($6::text, 'base64') AS bytes),
     inserted AS (
       INSERT INTO job_results (job_id, chunk_index, series_id, position, status, payload, arrays, error, attempt, worker)
       SELECT $1, $2, r.series_id, r.position, r.status, r.payload,
         CASE WHEN r.arrays_length IS NULL THEN NULL ELSE substring(packed.bytes FROM r.arrays_from FOR r.arrays_length) END, r.error, $3, $4
       FROM jsonb_to_recordset($5::text::jsonb) AS r(series_id text, position int, status text, payload jsonb, error text, arrays_from int, arrays_length int), packed
       ON CONFLICT (job_id, chunk_index, series_id) DO NOTHING RETURNING series_id, status
     ),
     counted AS (
       UPDATE job_chunks SET series_done = series_done + (SELECT count(*) FROM inserted WHERE status = 'ok'),
         series_failed = series_failed + (SELECT count(*) FROM inserted WHERE status = 'failed')
       WHERE job_id = $1 AND chunk_index = $2 AND EXISTS (SELECT 1 FROM inserted)
     )
     SELECT series_id FROM inserted`,
    [jobId, chunkIndex, attempt, worker, JSON.stringify(rows), Buffer.concat(arrays, arraysBytes).toString('base64')],
  );
  return inserted.length;
}

/**
 * Ends a chunk the worker holds; `state` done, failed or cancelled. Its counts are the ones its
 * result writes kept (writeResults: rows really inserted, whatever attempt wrote them). False
 * when the worker no longer held it.
 */
export async function finishChunk({
  handle,
  jobId,
  chunkIndex,
  worker,
  state,
  error = null,
}: {
  handle: DatabaseHandle;
  jobId: string;
  chunkIndex: number;
  worker: string | null;
  state: 'done' | 'failed' | 'cancelled';
  error?: string | null;
}): Promise<boolean> {
  const rows = await handle.query(
    // No recount of series_done/series_failed: it could not see a write still in flight (a chunk
    // being cancelled) and would overwrite that write's increment.
    `UPDATE job_chunks AS c SET state = $3, finished_at = now(), error = $5
     WHERE job_id = $1 AND chunk_index = $2 AND state NOT IN ('done', 'failed', 'cancelled') AND ($4::text IS NULL OR worker = $4::text)
     RETURNING chunk_index`,
    [jobId, chunkIndex, state, worker, error],
  );
  return rows.length > 0;
}

/** Puts a chunk the worker gave up (shutdown, retryable failure) back to queued. */
export async function releaseChunk({ handle, jobId, chunkIndex, worker, error }: { handle: DatabaseHandle; jobId: string; chunkIndex: number; worker: string; error: string }): Promise<void> {
  await handle.query(`UPDATE job_chunks SET state = 'queued', error = $4 WHERE job_id = $1 AND chunk_index = $2 AND worker = $3 AND state = 'running'`, [jobId, chunkIndex, worker, error]);
}

/**
 * Heartbeat of the chunks a worker holds; answers, per chunk, whether it still holds it and
 * whether its job was cancelled (the worker then stops that chunk).
 */
export async function heartbeatChunks({
  handle,
  worker,
  chunks,
}: {
  handle: DatabaseHandle;
  worker: string;
  chunks: readonly { jobId: string; chunkIndex: number }[];
}): Promise<{ jobId: string; chunkIndex: number; held: boolean; jobState: JobState | null }[]> {
  await handle.query(`UPDATE job_workers SET heartbeat_at = now() WHERE id = $1`, [worker]);
  if (chunks.length === 0) return [];
  const rows = await handle.query<{ job_id: string; chunk_index: number; held: boolean; job_state: JobState | null }>(
    `WITH touched AS (
       UPDATE job_chunks AS c SET heartbeat_at = now() FROM unnest($2::text[], $3::int[]) AS h(job_id, chunk_index)
       WHERE c.job_id = h.job_id AND c.chunk_index = h.chunk_index AND c.worker = $1 AND c.state = 'running'
       RETURNING c.job_id, c.chunk_index)
     SELECT h.job_id, h.chunk_index, (t.job_id IS NOT NULL) AS held, j.state AS job_state
     FROM unnest($2::text[], $3::int[]) AS h(job_id, chunk_index)
     LEFT JOIN touched t ON t.job_id = h.job_id AND t.chunk_index = h.chunk_index
     LEFT JOIN jobs j ON j.id = h.job_id`,
    [worker, chunks.map((chunk) => chunk.jobId), chunks.map((chunk) => chunk.chunkIndex)],
  );
  return rows.map((row) => ({ jobId: row.job_id, chunkIndex: Number(row.chunk_index), held: Boolean(row.held), jobState: row.job_state }));
}

/**
 * Chunks whose worker stopped heartbeating for `leaseSeconds` (killed, partitioned): put back to
 * queued, answered so the caller fails their queue job and the queue retries them elsewhere.
 * The guarded update lets only one of several reaping workers win each chunk.
 */
export async function reapExpiredChunks({ handle, leaseSeconds }: { handle: DatabaseHandle; leaseSeconds: number }): Promise<{ jobId: string; chunkIndex: number; queueJobId: string | null; worker: string | null }[]> {
  const rows = await handle.query<{ job_id: string; chunk_index: number; queue_job_id: string | null; worker: string | null }>(
    `WITH expired AS (
       SELECT job_id, chunk_index, worker AS old_worker FROM job_chunks
       WHERE state = 'running' AND heartbeat_at < now() - make_interval(secs => $1) FOR UPDATE SKIP LOCKED)
     UPDATE job_chunks AS c SET state = 'queued', error = 'lease expired: worker ' || coalesce(e.old_worker, '?') || ' stopped heartbeating'
     FROM expired e WHERE c.job_id = e.job_id AND c.chunk_index = e.chunk_index
     RETURNING c.job_id, c.chunk_index, c.queue_job_id, e.old_worker AS worker`,
    [leaseSeconds],
  );
  return rows.map((row) => ({ jobId: row.job_id, chunkIndex: Number(row.chunk_index), queueJobId: row.queue_job_id, worker: row.worker }));
}

/**
 * Queue messages a worker took but never claimed (the database went away between fetch and
 * claim): active in pg-boss for `leaseSeconds` while the chunk is still queued. Answered so the
 * caller fails them and the queue retries. Reads pg-boss's own job table (schema `queueSchema`).
 */
export async function findOrphanedQueueJobs({ handle, leaseSeconds, queueSchema }: { handle: DatabaseHandle; leaseSeconds: number; queueSchema: string }): Promise<string[]> {
  if (!/^[a-z_][a-z0-9_]*$/.test(queueSchema)) throw new Error(`jobs: queue schema "${queueSchema}" is not a plain identifier`);
  const rows = await handle.query<{ id: string }>(
    `SELECT j.id::text AS id FROM job_chunks c JOIN ${queueSchema}.job j ON j.id::text = c.queue_job_id
     WHERE c.state = 'queued' AND j.state = 'active' AND j.started_on < now() - make_interval(secs => $1)`,
    [leaseSeconds],
  );
  return rows.map((row) => row.id);
}

/**
 * Ends a running job when no chunk is left: completed, or completed_with_failures when any series
 * failed. Only one caller wins (guarded update); it gets the row to attach the kind's summary.
 */
export async function completeJobIfFinished({ handle, jobId }: { handle: DatabaseHandle; jobId: string }): Promise<JobRow | null> {
  const rows = await handle.query(
    `UPDATE jobs SET finished_at = now(),
       state = CASE WHEN EXISTS (SELECT 1 FROM job_results WHERE job_id = $1 AND status = 'failed')
                      OR EXISTS (SELECT 1 FROM job_chunks WHERE job_id = $1 AND state = 'failed')
                    THEN 'completed_with_failures' ELSE 'completed' END
     WHERE id = $1 AND state = 'running'
       AND NOT EXISTS (SELECT 1 FROM job_chunks WHERE job_id = $1 AND state NOT IN ('done', 'failed', 'cancelled'))
     RETURNING *`,
    [jobId],
  );
  return rows[0] ? jobFromRow(rows[0]) : null;
}

export async function setJobSummary({ handle, jobId, summary }: { handle: DatabaseHandle; jobId: string; summary: Record<string, unknown> }): Promise<void> {
  await handle.query(`UPDATE jobs SET summary = $2::jsonb WHERE id = $1`, [jobId, JSON.stringify(summary)]);
}

export async function failJob({ handle, jobId, error }: { handle: DatabaseHandle; jobId: string; error: string }): Promise<void> {
  await handle.query(`UPDATE jobs SET state = 'failed', error = $2, finished_at = now() WHERE id = $1 AND state IN ('queued', 'running')`, [jobId, error]);
}

/** Cancels a queued or running job; answers the queue ids of chunks that had not started (to cancel in the queue), or null when the job was already over. */
export async function cancelJob({ handle, jobId }: { handle: DatabaseHandle; jobId: string }): Promise<{ queueJobIds: string[] } | null> {
  return handle.transaction(async (query) => {
    const updated = await query(`UPDATE jobs SET state = 'cancelled', cancelled_at = now(), finished_at = now() WHERE id = $1 AND state IN ('queued', 'running') RETURNING id`, [jobId]);
    if (updated.length === 0) return null;
    const chunks = await query<{ queue_job_id: string | null }>(
      `UPDATE job_chunks SET state = 'cancelled', finished_at = now() WHERE job_id = $1 AND state = 'queued' RETURNING queue_job_id`,
      [jobId],
    );
    return { queueJobIds: chunks.map((chunk) => chunk.queue_job_id).filter((id): id is string => id !== null) };
  });
}

/** One page of results in job order, after `afterPosition` (keyset paging keeps memory flat for downloads). */
export async function listResults({
  handle,
  jobId,
  afterPosition = -1,
  limit = 200,
  status,
  search,
}: {
  handle: DatabaseHandle;
  jobId: string;
  afterPosition?: number;
  limit?: number;
  status?: 'ok' | 'failed';
  search?: string;
}): Promise<ResultRow[]> {
  const rows = await handle.query<Record<string, unknown>>(
    `SELECT series_id, chunk_index, position, status, payload, arrays, error, attempt, worker FROM job_results
     WHERE job_id = $1 AND position > $2 AND ($3::text IS NULL OR status = $3::text) AND ($4::text IS NULL OR strpos(lower(series_id), lower($4::text)) > 0)
     ORDER BY position LIMIT $5`,
    [jobId, afterPosition, status ?? null, search ?? null, limit],
  );
  return rows.map(resultFromRow);
}

export async function getResult({ handle, jobId, seriesId }: { handle: DatabaseHandle; jobId: string; seriesId: string }): Promise<ResultRow | null> {
  const rows = await handle.query<Record<string, unknown>>(
    `SELECT series_id, chunk_index, position, status, payload, arrays, error, attempt, worker FROM job_results WHERE job_id = $1 AND series_id = $2 ORDER BY position LIMIT 1`,
    [jobId, seriesId],
  );
  const row = rows[0];
  if (!row) return null;
  return resultFromRow(row);
}

export async function registerWorker({ handle, id, host, pid, concurrency, providers }: { handle: DatabaseHandle; id: string; host: string; pid: number; concurrency: number; providers: string }): Promise<void> {
  await handle.query(
    `INSERT INTO job_workers (id, host, pid, concurrency, providers) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL`,
    [id, host, pid, concurrency, providers],
  );
}

export async function stopWorker({ handle, id }: { handle: DatabaseHandle; id: string }): Promise<void> {
  await handle.query(`UPDATE job_workers SET stopped_at = now() WHERE id = $1`, [id]);
}

export async function listLiveWorkers({ handle, withinSeconds = 30 }: { handle: DatabaseHandle; withinSeconds?: number }): Promise<{ id: string; host: string; pid: number; concurrency: number; providers: string; heartbeatAt: Date }[]> {
  const rows = await handle.query<Record<string, unknown>>(
    `SELECT id, host, pid, concurrency, providers, heartbeat_at FROM job_workers WHERE stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => $1) ORDER BY id`,
    [withinSeconds],
  );
  return rows.map((row) => ({ id: String(row.id), host: String(row.host), pid: Number(row.pid), concurrency: Number(row.concurrency), providers: String(row.providers), heartbeatAt: date(row.heartbeat_at)! }));
}

/** What /metrics reports of the queue: chunks waiting per job kind, live workers (recent heartbeat), jobs running. */
export async function jobQueueStats({ handle, liveSeconds }: { handle: DatabaseHandle; liveSeconds: number }): Promise<{ depth: Record<string, number>; workers: number; active: number }> {
  const depthRows = await handle.query<{ kind: string; n: number }>(
    `SELECT j.kind, count(*)::int AS n FROM job_chunks AS c JOIN jobs AS j ON j.id = c.job_id WHERE c.state = 'queued' AND j.state IN ('queued', 'running') GROUP BY j.kind ORDER BY j.kind`,
  );
  const [workers] = await handle.query<{ n: number }>(`SELECT count(*)::int AS n FROM job_workers WHERE stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => $1)`, [liveSeconds]);
  const [active] = await handle.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE state = 'running'`);
  return { depth: Object.fromEntries(depthRows.map((row) => [row.kind, row.n])), workers: workers?.n ?? 0, active: active?.n ?? 0 };
}
