import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeJob, jobSettings, openJobQueue, submitJob, type JobQueue } from '@/lib/server/jobs';
import { listChunks, type DatabaseHandle } from '@/db';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';
import { createSeriesFixture, FIXTURE_APP_TABLES, FIXTURE_WINDOW, seriesName, waitFor } from '../support/jobs';
import { spawnWorker, stopWorkerProcess, type WorkerProcess } from '../support/job-workers';

// The app source offers only the tables it is given (LOOKAHEAD_APP_TABLES/_SCHEMAS); workers inherit it.
process.env.LOOKAHEAD_APP_TABLES = FIXTURE_APP_TABLES;

/**
 * SIGTERM on real Postgres with workers as real child processes (`npm run worker`'s entry): a
 * worker told to stop mid-chunk either finishes that chunk within its grace period
 * (LOOKAHEAD_WORKER_GRACE_SECONDS) or hands it back to the queue when the grace runs out, takes
 * no new chunk, and exits 0; a second worker then completes the job with every series forecast
 * exactly once. The lease is far longer than the test, so a chunk left "running" by the stopped
 * worker (not handed back) would stall the job instead of being rescued by the lease.
 */
const postgres = backends.find((backend) => backend.name === 'postgres')!;

const WORKER_ENV = {
  LOOKAHEAD_BATCH_SIZE: '4',
  LOOKAHEAD_HEARTBEAT_SECONDS: '1',
  LOOKAHEAD_CHUNK_LEASE_SECONDS: '3600',
  LOOKAHEAD_CHUNK_RETRIES: '2',
  LOOKAHEAD_QUEUE_MAINTENANCE_SECONDS: '5',
  LOOKAHEAD_JOB_READ_TIMEOUT_SECONDS: '60',
};

async function resultCounts(handle: DatabaseHandle, jobId: string): Promise<{ rows: number; distinct: number; ok: number }> {
  const [row] = await handle.query<{ rows: number; distinct: number; ok: number }>(
    `SELECT count(*)::int AS rows, count(DISTINCT series_id)::int AS distinct, count(*) FILTER (WHERE status = 'ok')::int AS ok FROM job_results WHERE job_id = $1`,
    [jobId],
  );
  return row!;
}

function workerTag(worker: WorkerProcess): string {
  return `%:${worker.pid}:%`;
}

describe.skipIf(!postgres.available)('SIGTERM of a worker on real Postgres', () => {
  let database: TestDatabase;
  let queue: JobQueue;
  const workers: WorkerProcess[] = [];
  const settings = { ...jobSettings({}), chunkRetries: 2 };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    await createSeriesFixture(database.handle, { series: 60, length: 240 });
    queue = await openJobQueue({ handle: database.handle, url: database.url, settings, maintenance: false });
  }, 300_000);

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => stopWorkerProcess(worker, 'SIGKILL')));
  });

  afterAll(async () => {
    await queue?.stop();
    await database?.drop();
  });

  async function submit(series: number, chunkSize: number) {
    return submitJob({
      handle: database.handle,
      queue,
      settings,
      request: {
        kind: 'forecast-batch',
        chunkSize,
        // auto-ets is slow enough per batch of 4 that a chunk of 20 is mid-way for seconds.
        params: { source: 'app', window: FIXTURE_WINDOW, model: 'auto-ets', horizon: 24, levels: [0.1, 0.5, 0.9], context: 240, series: Array.from({ length: series }, (_, index) => seriesName(index)) },
      },
    });
  }

  /** The chunk `worker` is running with some but at most `maxWritten` of its series written. */
  async function midChunk(jobId: string, worker: WorkerProcess, maxWritten = Number.POSITIVE_INFINITY) {
    return waitFor('the worker to be mid-chunk', async () => {
      const rows = await database.handle.query<{ chunk_index: number; written: number; total: number }>(
        `SELECT c.chunk_index, jsonb_array_length(c.series) AS total,
           (SELECT count(*)::int FROM job_results r WHERE r.job_id = c.job_id AND r.chunk_index = c.chunk_index) AS written
         FROM job_chunks c WHERE c.job_id = $1 AND c.state = 'running' AND c.worker LIKE $2`,
        [jobId, workerTag(worker)],
      );
      return rows.find((row) => row.written > 0 && row.written < row.total && row.written <= maxWritten) ?? null;
    }, { timeoutMs: 240_000, intervalMs: 50 });
  }

  async function waitForTerminal(id: string) {
    return waitFor('the job to finish', async () => {
      const view = await describeJob({ handle: database.handle, id });
      return view?.terminal ? view : null;
    }, { timeoutMs: 400_000, intervalMs: 500 });
  }

  it('no grace (0 s): the chunk is handed back at once, the worker exits 0, a second worker completes the job exactly once', async () => {
    const job = await submit(40, 20);
    const first = spawnWorker({ ...WORKER_ENV, LOOKAHEAD_WORKER_GRACE_SECONDS: '0', DATABASE_URL: database.url! });
    workers.push(first);
    // At most two of its five batches written: the batch in flight when the signal lands may still finish, the rest may not.
    const victim = await midChunk(job.id, first, 8);
    const signalledAt = Date.now();
    first.child.kill('SIGTERM');
    // Within the grace (0 s, plus the time a loaded machine needs to act on it) the chunk is no longer held by the stopping worker.
    const handedBack = await waitFor('the chunk to be handed back', async () => {
      const chunk = (await listChunks({ handle: database.handle, jobId: job.id })).find((row) => row.chunkIndex === victim.chunk_index)!;
      return chunk.state !== 'running' ? { chunk, afterMs: Date.now() - signalledAt } : null;
    }, { timeoutMs: 60_000, intervalMs: 50 });
    const code = await first.exited;
    const output = first.output.join('');
    expect(code, output.slice(-3000)).toBe(0);
    expect(handedBack.chunk.state).toBe('queued');
    // No grace: only what a loaded machine needs to act on the signal; a chunk left to its (1 h) lease would never get here.
    expect(handedBack.afterMs).toBeLessThan(30_000);
    expect(handedBack.chunk.error).toMatch(/handed back: worker shut down/);
    expect(output).toContain(`chunk ${victim.chunk_index} of job ${job.id} handed back (shutdown)`);
    expect(output).toMatch(/jobs: SIGTERM: finishing running chunks \(grace 0 s\)/);
    // The chunk was not finished: some of its series are still missing.
    const partial = await database.handle.query<{ n: number }>(`SELECT count(*)::int AS n FROM job_results WHERE job_id = $1 AND chunk_index = $2`, [job.id, victim.chunk_index]);
    expect(partial[0]!.n).toBeLessThan(20);
    // The stopped worker took no chunk after the signal.
    const heldByFirst = await database.handle.query<{ n: number }>(`SELECT count(*)::int AS n FROM job_chunks WHERE job_id = $1 AND worker LIKE $2 AND state = 'running'`, [job.id, workerTag(first)]);
    expect(heldByFirst[0]!.n).toBe(0);

    const second = spawnWorker({ ...WORKER_ENV, LOOKAHEAD_WORKER_GRACE_SECONDS: '1', DATABASE_URL: database.url! });
    workers.push(second);
    const view = await waitForTerminal(job.id);
    expect(view.state, second.output.join('').slice(-3000)).toBe('completed');
    expect(await resultCounts(database.handle, job.id)).toEqual({ rows: 40, distinct: 40, ok: 40 });
    const chunk = (await listChunks({ handle: database.handle, jobId: job.id })).find((row) => row.chunkIndex === victim.chunk_index)!;
    expect(chunk.state).toBe('done');
    expect(chunk.worker).toContain(`:${second.pid}:`);
    // What the stopped worker wrote before the hand-back was kept, not redone.
    const byWorker = await database.handle.query<{ worker: string; n: number }>(`SELECT worker, count(*)::int AS n FROM job_results WHERE job_id = $1 AND chunk_index = $2 GROUP BY worker`, [job.id, victim.chunk_index]);
    expect(byWorker.find((row) => row.worker.includes(`:${first.pid}:`))?.n).toBeGreaterThanOrEqual(victim.written);
    expect(byWorker.reduce((sum, row) => sum + row.n, 0)).toBe(20);
  }, 600_000);

  it('grace longer than the chunk: the worker finishes the chunk in hand, takes no other, exits 0; a second worker completes the job exactly once', async () => {
    const job = await submit(60, 20);
    const first = spawnWorker({ ...WORKER_ENV, LOOKAHEAD_WORKER_GRACE_SECONDS: '300', DATABASE_URL: database.url! });
    workers.push(first);
    const victim = await midChunk(job.id, first);
    first.child.kill('SIGTERM');
    const code = await first.exited;
    const output = first.output.join('');
    expect(code, output.slice(-3000)).toBe(0);
    expect(output).toMatch(/jobs: SIGTERM: finishing running chunks \(grace 300 s\)/);
    expect(output).not.toContain('handed back');
    const chunks = await listChunks({ handle: database.handle, jobId: job.id });
    const finished = chunks.find((row) => row.chunkIndex === victim.chunk_index)!;
    expect(finished.state).toBe('done');
    expect(finished.worker).toContain(`:${first.pid}:`);
    // Only the chunk in hand (and any before it) were done by the first worker; the rest wait for another.
    const byFirst = chunks.filter((row) => row.worker?.includes(`:${first.pid}:`));
    expect(byFirst.every((row) => row.state === 'done')).toBe(true);
    expect(byFirst.every((row) => row.chunkIndex <= victim.chunk_index)).toBe(true);
    expect(chunks.filter((row) => row.state === 'queued').length).toBeGreaterThan(0);
    const partial = await resultCounts(database.handle, job.id);
    expect(partial.rows).toBe(byFirst.length * 20);

    const second = spawnWorker({ ...WORKER_ENV, LOOKAHEAD_WORKER_GRACE_SECONDS: '1', DATABASE_URL: database.url! });
    workers.push(second);
    const view = await waitForTerminal(job.id);
    expect(view.state, second.output.join('').slice(-3000)).toBe('completed');
    expect(await resultCounts(database.handle, job.id)).toEqual({ rows: 60, distinct: 60, ok: 60 });
    // Series counted per series: exactly one row each.
    const duplicates = await database.handle.query(`SELECT series_id FROM job_results WHERE job_id = $1 GROUP BY series_id HAVING count(*) > 1`, [job.id]);
    expect(duplicates).toEqual([]);
  }, 600_000);
});
