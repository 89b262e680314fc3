import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelJobById, jobSettings, openJobQueue, submitJob, type JobQueue } from '@/lib/server/jobs';
import { LookaheadError } from '@/lib/core/errors';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { createSeriesFixture, FIXTURE_APP_TABLES, FIXTURE_WINDOW } from '../support/jobs';

process.env.LOOKAHEAD_APP_TABLES = FIXTURE_APP_TABLES;

/**
 * Per-caller job limits: each token or session may hold LOOKAHEAD_JOB_MAX_ACTIVE_PER_CALLER queued
 * or running jobs; one more is a 429 that names the limit, other callers and the local owner are
 * not affected, and a cancelled job frees its place. No worker runs, so submitted jobs stay queued.
 */
describe('jobs: per-caller limits (PGlite)', () => {
  let database: TestDatabase;
  let queue: JobQueue;
  const settings = { ...jobSettings({ LOOKAHEAD_JOB_MAX_ACTIVE_PER_CALLER: '2' }), chunkSize: 8 };
  const request = { kind: 'forecast-batch', params: { source: 'app', window: FIXTURE_WINDOW, model: 'seasonal-naive', horizon: 4, context: 48 } };

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    await createSeriesFixture(database.handle, { series: 4, length: 48 });
    queue = await openJobQueue({ handle: database.handle, settings });
  }, 300_000);

  afterAll(async () => {
    await queue?.stop();
    await database?.drop();
  });

  it('reads the limit from the environment (default 4, 0 = none) and refuses a bad value', () => {
    expect(jobSettings({}).maxActiveJobsPerCaller).toBe(4);
    expect(jobSettings({ LOOKAHEAD_JOB_MAX_ACTIVE_PER_CALLER: '0' }).maxActiveJobsPerCaller).toBe(0);
    expect(() => jobSettings({ LOOKAHEAD_JOB_MAX_ACTIVE_PER_CALLER: 'many' })).toThrow(/LOOKAHEAD_JOB_MAX_ACTIVE_PER_CALLER/);
  });

  it('a third active job of one token is a 429 naming the limit; others and the local owner still submit; a cancel frees a place', async () => {
    const submit = (submittedBy: string) => submitJob({ handle: database.handle, queue, settings, request, submittedBy });
    const first = await submit('token:alice');
    await submit('token:alice');
    const refused = await submit('token:alice').then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(LookaheadError);
    expect((refused as LookaheadError).status).toBe(429);
    expect((refused as LookaheadError).message).toContain('alice already has 2 queued or running jobs; the limit per caller is 2 (LOOKAHEAD_JOB_MAX_ACTIVE_PER_CALLER)');
    const stored = await database.handle.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE submitted_by = 'token:alice'`);
    expect(stored[0]!.n).toBe(2);

    expect((await submit('token:bob')).submittedBy).toBe('token:bob');
    for (let index = 0; index < 3; index++) await submit('local:local');

    await cancelJobById({ handle: database.handle, queue, id: first.id });
    expect((await submit('token:alice')).state).toBe('queued');
  }, 300_000);
});
