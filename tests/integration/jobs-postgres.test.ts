import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cancelJobById, describeJob, jobSettings, openJobQueue, submitJob, type JobQueue } from '@/lib/server/jobs';
import { listChunks, listResults, type DatabaseHandle } from '@/db';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';
import { createSeriesFixture, FIXTURE_APP_TABLES, expectedSeasonalNaive, FIXTURE_WINDOW, seriesName, waitFor } from '../support/jobs';
import { spawnWorker, startProxy, stopWorkerProcess, type WorkerProcess } from '../support/job-workers';

process.env.LOOKAHEAD_APP_TABLES = FIXTURE_APP_TABLES;

/**
 * Fault tests on real Postgres with workers as real child processes (`npm run worker`'s entry):
 * a worker SIGKILLed mid-chunk, connections cut under two workers, a poison series, two workers
 * racing, and cancellation. Every series must end with exactly one result row.
 */
const postgres = backends.find((backend) => backend.name === 'postgres')!;

const WORKER_ENV = {
  LOOKAHEAD_BATCH_SIZE: '4',
  LOOKAHEAD_HEARTBEAT_SECONDS: '1',
  // Lease and read timeout leave room for a loaded CI machine (a 5 s read timeout failed chunks
  // there under the full suite); a cut connection is still detected within one read timeout.
  LOOKAHEAD_CHUNK_LEASE_SECONDS: '10',
  LOOKAHEAD_CHUNK_RETRIES: '6',
  LOOKAHEAD_WORKER_GRACE_SECONDS: '2',
  LOOKAHEAD_QUEUE_MAINTENANCE_SECONDS: '5',
  LOOKAHEAD_JOB_READ_TIMEOUT_SECONDS: '20',
};

async function resultCounts(handle: DatabaseHandle, jobId: string): Promise<{ rows: number; distinct: number; duplicates: number }> {
  const [row] = await handle.query<{ rows: number; distinct: number; duplicates: number }>(
    `SELECT count(*)::int AS rows, count(DISTINCT series_id)::int AS distinct,
       (SELECT count(*)::int FROM (SELECT series_id FROM job_results WHERE job_id = $1 GROUP BY series_id HAVING count(*) > 1) d) AS duplicates
     FROM job_results WHERE job_id = $1`,
    [jobId],
  );
  return row!;
}

async function waitForTerminal(handle: DatabaseHandle, id: string, timeoutMs = 300_000) {
  return waitFor('the job to finish', async () => {
    const view = await describeJob({ handle, id });
    return view?.terminal ? view : null;
  }, { timeoutMs, intervalMs: 500 });
}

describe.skipIf(!postgres.available)('job queue faults on real Postgres', () => {
  let database: TestDatabase;
  let queue: JobQueue;
  const workers: WorkerProcess[] = [];
  const settings = { ...jobSettings({}), chunkRetries: 4 };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    await createSeriesFixture(database.handle, { series: 1200, length: 240, poison: [7] });
    queue = await openJobQueue({ handle: database.handle, url: database.url, settings, maintenance: false });
  }, 300_000);

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => stopWorkerProcess(worker, 'SIGKILL')));
  });

  afterAll(async () => {
    await queue?.stop();
    await database?.drop();
  });

  async function submit(series: number, chunkSize: number, model = 'seasonal-naive') {
    return submitJob({
      handle: database.handle,
      queue,
      settings,
      request: {
        kind: 'forecast-batch',
        chunkSize,
        params: { source: 'app', window: FIXTURE_WINDOW, model, horizon: 24, levels: [0.1, 0.5, 0.9], context: 240, series: Array.from({ length: series }, (_, index) => seriesName(index)) },
      },
    });
  }

  it('a worker SIGKILLed mid-chunk: the chunk is retried by the other worker after the lease, every series exactly once; the poison series fails alone', async () => {
    const job = await submit(400, 100, 'auto-ets');
    const first = spawnWorker({ ...WORKER_ENV, DATABASE_URL: database.url! });
    workers.push(first);
    const victim = await waitFor('the first worker to be mid-chunk', async () => {
      const rows = await database.handle.query<{ chunk_index: number; written: number; total: number }>(
        `SELECT c.chunk_index, jsonb_array_length(c.series) AS total,
           (SELECT count(*)::int FROM job_results r WHERE r.job_id = c.job_id AND r.chunk_index = c.chunk_index) AS written
         FROM job_chunks c WHERE c.job_id = $1 AND c.state = 'running' AND c.worker LIKE $2`,
        [job.id, `%:${first.pid}:%`],
      );
      return rows.find((row) => row.written > 0 && row.written < row.total) ?? null;
    }, { timeoutMs: 180_000, intervalMs: 50 });
    first.child.kill('SIGKILL');
    await first.exited;
    const second = spawnWorker({ ...WORKER_ENV, DATABASE_URL: database.url! });
    workers.push(second);
    const view = await waitForTerminal(database.handle, job.id);
    expect(view.state).toBe('completed_with_failures');
    expect(view.failures).toEqual([{ seriesId: seriesName(7), error: expect.stringMatching(/^model: /) }]);
    expect(await resultCounts(database.handle, job.id)).toEqual({ rows: 400, distinct: 400, duplicates: 0 });
    const chunk = (await listChunks({ handle: database.handle, jobId: job.id })).find((row) => row.chunkIndex === victim.chunk_index)!;
    expect(chunk.state).toBe('done');
    expect(chunk.attempts).toBeGreaterThanOrEqual(2);
    expect(chunk.worker).toContain(`:${second.pid}:`);
    // The rows the killed worker wrote were kept, not redone.
    const byWorker = await database.handle.query<{ worker: string; n: number }>(
      `SELECT worker, count(*)::int AS n FROM job_results WHERE job_id = $1 AND chunk_index = $2 GROUP BY worker`,
      [job.id, victim.chunk_index],
    );
    expect(byWorker.find((row) => row.worker.includes(`:${first.pid}:`))?.n).toBeGreaterThanOrEqual(victim.written);
  }, 400_000);

  it('connections cut under two racing workers: they reconnect and finish, no series written twice, values right', async () => {
    const url = new URL(database.url!);
    const proxy = await startProxy({ host: url.hostname, port: Number(url.port || 5432) });
    try {
      url.host = `127.0.0.1:${proxy.port}`;
      const job = await submit(1200, 40);
      workers.push(spawnWorker({ ...WORKER_ENV, DATABASE_URL: url.toString() }), spawnWorker({ ...WORKER_ENV, DATABASE_URL: url.toString() }));
      await waitFor('some progress', async () => ((await describeJob({ handle: database.handle, id: job.id }))!.seriesDone >= 80 ? true : null), { timeoutMs: 180_000 });
      await proxy.cut(3000);
      await waitFor('more progress', async () => ((await describeJob({ handle: database.handle, id: job.id }))!.seriesDone >= 400 ? true : null), { timeoutMs: 180_000 });
      await proxy.cut(1000);
      const view = await waitForTerminal(database.handle, job.id);
      expect(proxy.cuts).toBe(2);
      expect(view.state).toBe('completed_with_failures');
      expect(view.failures.map((failure) => failure.seriesId)).toEqual([seriesName(7)]);
      expect(await resultCounts(database.handle, job.id)).toEqual({ rows: 1200, distinct: 1200, duplicates: 0 });
      // Both workers took part, and both are still running: they reconnected rather than died.
      const writers = await database.handle.query<{ worker: string }>(`SELECT DISTINCT worker FROM job_results WHERE job_id = $1`, [job.id]);
      const alive = workers.filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null);
      if (writers.length < 2 || alive.length < 2) console.log(workers.map((worker) => worker.output.join('').slice(-3000)).join('\n----\n'));
      expect(writers.length).toBe(2);
      expect(alive).toHaveLength(2);
      let after = -1;
      for (;;) {
        const page = await listResults({ handle: database.handle, jobId: job.id, afterPosition: after, limit: 500, status: 'ok' });
        if (!page.length) break;
        after = page[page.length - 1]!.position;
        for (const row of page) {
          const index = Number(row.seriesId.slice(1));
          expect((row.payload as { quantiles: number[][] }).quantiles[1]).toEqual(Array.from({ length: 24 }, (_, step) => expectedSeasonalNaive(index, step + 1)));
        }
      }
    } finally {
      await proxy.close();
    }
  }, 400_000);

  it('cancellation stops new chunks within seconds and keeps the finished results', async () => {
    const job = await submit(1200, 20, 'auto-ets');
    workers.push(spawnWorker({ ...WORKER_ENV, DATABASE_URL: database.url! }), spawnWorker({ ...WORKER_ENV, DATABASE_URL: database.url! }));
    await waitFor('some progress', async () => ((await describeJob({ handle: database.handle, id: job.id }))!.seriesDone >= 40 ? true : null), { timeoutMs: 180_000 });
    const cancelledAt = Date.now();
    const cancelled = await cancelJobById({ handle: database.handle, queue, id: job.id });
    expect(cancelled.state).toBe('cancelled');
    await waitFor('running chunks to stop', async () => {
      const chunks = await listChunks({ handle: database.handle, jobId: job.id });
      return chunks.every((chunk) => chunk.state !== 'running' && chunk.state !== 'queued') ? true : null;
    }, { timeoutMs: 30_000 });
    const stoppedWithinMs = Date.now() - cancelledAt;
    const settled = await resultCounts(database.handle, job.id);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const later = await resultCounts(database.handle, job.id);
    expect(later).toEqual(settled);
    expect(settled.duplicates).toBe(0);
    expect(settled.rows).toBeGreaterThanOrEqual(40);
    expect(settled.rows).toBeLessThan(1200);
    expect(stoppedWithinMs).toBeLessThan(30_000);
    const view = await describeJob({ handle: database.handle, id: job.id });
    expect(view!.state).toBe('cancelled');
    expect(view!.seriesDone + view!.seriesFailed).toBe(settled.rows);
  }, 400_000);
});
