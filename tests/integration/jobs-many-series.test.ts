import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobSettings, openJobQueue, submitJob, type JobQueue } from '@/lib/server/jobs';
import { LookaheadError } from '@/lib/core/errors';
import { MAX_LISTED_SERIES } from '@/lib/server/sources/sql-source';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { createSeriesFixture, FIXTURE_APP_TABLES, FIXTURE_WINDOW, seriesName } from '../support/jobs';

// The app source offers only the tables it is given (LOOKAHEAD_APP_TABLES/_SCHEMAS).
process.env.LOOKAHEAD_APP_TABLES = FIXTURE_APP_TABLES;

/**
 * "Every series of a table" is enumerated server-side up to the per-job limit
 * (LOOKAHEAD_JOB_MAX_SERIES), not the source listing's 10,000 (MAX_LISTED_SERIES, the UI's list):
 * a 10,001-series table submits as one job, and one series over the per-job limit is a 413 naming
 * it, with nothing stored. Real SQL source over the app database (PGlite); no worker runs.
 */
describe('jobs: a whole table of more than 10,000 series (PGlite)', () => {
  const total = MAX_LISTED_SERIES + 1;
  let database: TestDatabase;
  let queue: JobQueue;
  const settings = { ...jobSettings({}), chunkSize: 1000 };
  const request = { kind: 'forecast-batch', params: { source: 'app', window: FIXTURE_WINDOW, model: 'seasonal-naive', horizon: 2, context: 4 } };

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    await createSeriesFixture(database.handle, { series: total, length: 2 });
    queue = await openJobQueue({ handle: database.handle, settings });
  }, 300_000);

  afterAll(async () => {
    await queue?.stop();
    await database?.drop();
  });

  it(`submits all ${total.toLocaleString('en')} series (over the listing's ${MAX_LISTED_SERIES.toLocaleString('en')}) as one job, each once, in order`, async () => {
    const job = await submitJob({ handle: database.handle, queue, settings, request, submittedBy: 'local:local' });
    expect(job.totalSeries).toBe(total);
    const chunks = await database.handle.query<{ chunk_index: number; series: string[] }>(`SELECT chunk_index, series FROM job_chunks WHERE job_id = $1 ORDER BY chunk_index`, [job.id]);
    const ids = chunks.flatMap((chunk) => chunk.series);
    expect(chunks).toHaveLength(Math.ceil(total / 1000));
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    expect(ids[0]).toBe(seriesName(0));
    expect(ids.at(-1)).toBe(seriesName(total - 1));
  }, 300_000);

  it('one series over LOOKAHEAD_JOB_MAX_SERIES is a 413 naming the limit and the fix; nothing stored', async () => {
    const before = await database.handle.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs`);
    const limited = { ...settings, maxSeriesPerJob: total - 1 };
    const refused = await submitJob({ handle: database.handle, queue, settings: limited, request, submittedBy: 'local:local' }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(LookaheadError);
    expect((refused as LookaheadError).status).toBe(413);
    expect((refused as LookaheadError).message).toMatch(/more than 10000 series in this window, above this server's limit of 10000 per job \(LOOKAHEAD_JOB_MAX_SERIES\); narrow the window or list the series/);
    const after = await database.handle.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs`);
    expect(after[0]!.n).toBe(before[0]!.n);
  }, 300_000);
});
