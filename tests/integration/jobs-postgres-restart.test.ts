import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeJob, jobSettings, openJobQueue, submitJob, type JobQueue } from '@/lib/server/jobs';
import { listResults, migrateDatabase, openDatabase, type DatabaseHandle } from '@/db';
import { createSeriesFixture, FIXTURE_APP_TABLES, expectedSeasonalNaive, FIXTURE_WINDOW, seriesName } from '../support/jobs';
import { spawnWorker, stopWorkerProcess, type WorkerProcess } from '../support/job-workers';
import { startThrowawayCluster, type ThrowawayCluster } from '../support/pg-cluster';

process.env.LOOKAHEAD_APP_TABLES = FIXTURE_APP_TABLES;

/**
 * Issue 9's fault "Postgres restarted while two workers run", with a real restart: the queue,
 * the job tables and the series live on a throwaway Postgres server of the test's own
 * (tests/support/pg-cluster.ts), which is restarted twice under two `npm run worker` child
 * processes: once `pg_ctl restart -m fast` (every session ended with 57P01) and once
 * `-m immediate` with 3 s down (sockets dropped, crash recovery at start). Both workers must
 * reconnect and stay up, and the job must complete with every series forecast exactly once.
 * (`jobs-postgres.test.ts` covers connections cut by the network, through a proxy.)
 */
const available = Boolean(process.env.DATABASE_URL);

const WORKER_ENV = {
  LOOKAHEAD_BATCH_SIZE: '4',
  LOOKAHEAD_HEARTBEAT_SECONDS: '1',
  LOOKAHEAD_CHUNK_LEASE_SECONDS: '10',
  LOOKAHEAD_CHUNK_RETRIES: '6',
  LOOKAHEAD_WORKER_GRACE_SECONDS: '2',
  LOOKAHEAD_QUEUE_MAINTENANCE_SECONDS: '5',
  LOOKAHEAD_JOB_READ_TIMEOUT_SECONDS: '20',
};
const SERIES = 1200;

/** Polls through restarts: a probe that meets the server down (or a connection it ended) just tries again. */
async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe.skipIf(!available)('job queue on a Postgres server that really restarts', () => {
  let cluster: ThrowawayCluster;
  let handle: DatabaseHandle;
  let queue: JobQueue;
  let url: string;
  const workers: WorkerProcess[] = [];
  const settings = { ...jobSettings({}), chunkRetries: 4 };

  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    const admin = postgres(cluster.url(), { max: 1, onnotice: () => {} });
    await admin.unsafe('CREATE DATABASE lookahead');
    await admin.end();
    url = cluster.url('lookahead');
    handle = await openDatabase({ url });
    await migrateDatabase(handle);
    await createSeriesFixture(handle, { series: SERIES, length: 240, poison: [7] });
    queue = await openJobQueue({ handle, url, settings, maintenance: false });
  }, 300_000);

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => stopWorkerProcess(worker, 'SIGKILL')));
  });

  afterAll(async () => {
    try {
      await queue?.stop().catch(() => undefined);
      await handle?.close().catch(() => undefined);
    } finally {
      await cluster?.drop();
    }
  });

  it('two workers through a fast and an immediate restart: both reconnect, the job completes, every series forecast exactly once', async () => {
    const job = await submitJob({
      handle,
      queue,
      settings,
      request: {
        kind: 'forecast-batch',
        chunkSize: 40,
        params: { source: 'app', window: FIXTURE_WINDOW, model: 'seasonal-naive', horizon: 24, levels: [0.1, 0.5, 0.9], context: 240, series: Array.from({ length: SERIES }, (_, index) => seriesName(index)) },
      },
    });
    workers.push(spawnWorker({ ...WORKER_ENV, DATABASE_URL: url }), spawnWorker({ ...WORKER_ENV, DATABASE_URL: url }));
    const progress = async () => (await describeJob({ handle, id: job.id }))!;

    await until('some progress', async () => ((await progress()).seriesDone >= 80 ? true : null));
    await cluster.restart({ mode: 'fast' });
    const afterFirst = await until('progress after the fast restart', async () => {
      const view = await progress();
      return view.seriesDone >= 400 ? view : null;
    });
    expect(afterFirst.terminal).toBe(false);
    await cluster.restart({ mode: 'immediate', downMs: 3_000 });
    const view = await until('the job to finish', async () => {
      const current = await progress();
      return current.terminal ? current : null;
    }, 300_000);

    const log = cluster.log();
    expect(log).toMatch(/received fast shutdown request/);
    expect(log).toMatch(/received immediate shutdown request/);
    expect(log.match(/database system is ready to accept connections/g)?.length).toBe(3);
    if (view.state !== 'completed_with_failures') console.log(workers.map((worker) => worker.output.join('').slice(-3000)).join('\n----\n'));
    expect(view.state).toBe('completed_with_failures');
    expect(view.failures.map((failure) => failure.seriesId)).toEqual([seriesName(7)]);
    const [counts] = await handle.query<{ rows: number; distinct: number; duplicates: number }>(
      `SELECT count(*)::int AS rows, count(DISTINCT series_id)::int AS distinct,
         (SELECT count(*)::int FROM (SELECT series_id FROM job_results WHERE job_id = $1 GROUP BY series_id HAVING count(*) > 1) d) AS duplicates
       FROM job_results WHERE job_id = $1`,
      [job.id],
    );
    expect(counts).toEqual({ rows: SERIES, distinct: SERIES, duplicates: 0 });
    // Both workers took part and are still running: they reconnected rather than died.
    const writers = await handle.query<{ worker: string }>(`SELECT DISTINCT worker FROM job_results WHERE job_id = $1`, [job.id]);
    const alive = workers.filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null);
    if (writers.length < 2 || alive.length < 2) console.log(workers.map((worker) => worker.output.join('').slice(-3000)).join('\n----\n'));
    expect(writers.length).toBe(2);
    expect(alive).toHaveLength(2);
    // Every stored forecast is the right one (a chunk retried across a restart wrote its series once, correctly).
    let after = -1;
    let checked = 0;
    for (;;) {
      const page = await listResults({ handle, jobId: job.id, afterPosition: after, limit: 500, status: 'ok' });
      if (!page.length) break;
      after = page[page.length - 1]!.position;
      for (const row of page) {
        const index = Number(row.seriesId.slice(1));
        expect((row.payload as { quantiles: number[][] }).quantiles[1]).toEqual(Array.from({ length: 24 }, (_, step) => expectedSeasonalNaive(index, step + 1)));
        checked++;
      }
    }
    expect(checked).toBe(SERIES - 1);
  }, 600_000);
});
