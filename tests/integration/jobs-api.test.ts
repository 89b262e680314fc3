import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/data-plane';
import { createSeriesFixture, FIXTURE_APP_TABLES, FIXTURE_WINDOW, waitFor } from '../support/jobs';

process.env.LOOKAHEAD_APP_TABLES = FIXTURE_APP_TABLES;

/**
 * The job routes called as Next.js calls them, on the embedded database with the in-process
 * worker: 4xx with the reason for bad input (nothing stored), 201 and a job that finishes,
 * its SSE stream, results as CSV and parquet, cancel answering 409 once the job is over.
 */
type Routes = {
  jobs: typeof import('@/app/api/jobs/route');
  job: typeof import('@/app/api/jobs/[id]/route');
  events: typeof import('@/app/api/jobs/[id]/events/route');
  cancel: typeof import('@/app/api/jobs/[id]/cancel/route');
  results: typeof import('@/app/api/jobs/[id]/results/route');
};

describe('job routes (embedded PGlite, in-process worker)', () => {
  let routes: Routes;

  beforeAll(async () => {
    Object.assign(process.env, { DATABASE_URL: '', LOOKAHEAD_SOURCES: '', LOOKAHEAD_PARQUET_DIR: '', LOOKAHEAD_INPROCESS_WORKER: 'on', LOOKAHEAD_HEARTBEAT_SECONDS: '1', LOOKAHEAD_JOB_MAX_SERIES: '50' });
    const { getDatabase, migrateDatabase, openDatabase } = await import('@/db');
    (globalThis as { lookaheadDatabase?: Promise<unknown> }).lookaheadDatabase = openDatabase({ dataDir: 'memory://' });
    const handle = await getDatabase();
    await migrateDatabase(handle);
    await createSeriesFixture(handle, { series: 12, length: 48 });
    routes = {
      jobs: await import('@/app/api/jobs/route'),
      job: await import('@/app/api/jobs/[id]/route'),
      events: await import('@/app/api/jobs/[id]/events/route'),
      cancel: await import('@/app/api/jobs/[id]/cancel/route'),
      results: await import('@/app/api/jobs/[id]/results/route'),
    };
  }, 400_000);

  afterAll(async () => {
    const { getJobSystem } = await import('@/lib/server/jobs');
    const system = await getJobSystem();
    await system.worker?.stop({ graceMs: 0 });
    await system.queue.stop();
    await system.handle.close();
  });

  const post = (body: unknown) => routes.jobs.POST(new Request('http://lookahead.test/api/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
  const params = { source: 'app', window: FIXTURE_WINDOW, model: 'seasonal-naive', horizon: 12, context: 48 };

  it.each([
    ['an unknown kind', { kind: 'paint', params }, 400, /unknown job kind "paint"; available: forecast-batch, backtest-batch/],
    ['an unknown source', { kind: 'forecast-batch', params: { ...params, source: 'nope' } }, 404, /no source "nope"/],
    ['an unknown model', { kind: 'forecast-batch', params: { ...params, model: 'gpt-9' } }, 400, /unknown model "gpt-9"; available: seasonal-naive/],
    ['an absurd horizon', { kind: 'forecast-batch', params: { ...params, horizon: 10_000_000 } }, 400, /params\.horizon: horizon must be at most 1024/],
    ['too many series', { kind: 'forecast-batch', params: { ...params, series: Array.from({ length: 51 }, (_, index) => `x${index}`) } }, 413, /51 series is above this server's limit of 50/],
    ['a column that is not in the table', { kind: 'forecast-batch', params: { ...params, window: { ...FIXTURE_WINDOW, columns: 'nope' } } }, 400, /nope/],
    ['an unknown field', { kind: 'forecast-batch', params: { ...params, colour: 'red' } }, 400, /colour/],
  ])('refuses %s with a 4xx that says why, storing nothing', async (_name, body, status, message) => {
    const response = await post(body);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    const list = (await (await routes.jobs.GET(new Request('http://lookahead.test/api/jobs'))).json()) as { jobs: unknown[] };
    expect(list.jobs).toHaveLength(0);
  });

  it('runs a job: 201, SSE progress then done, results as CSV and parquet, cancel after the end is 409', async () => {
    const response = await post({ kind: 'forecast-batch', params: { ...params, levels: [0.1, 0.5, 0.9] }, chunkSize: 5 });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; totalSeries: number; totalChunks: number };
    expect(created).toMatchObject({ totalSeries: 12, totalChunks: 3 });
    const context = { params: Promise.resolve({ id: created.id }) };

    const events = await routes.events.GET(new Request(`http://lookahead.test/api/jobs/${created.id}/events`), context);
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const text = await new Response(events.body).text();
    expect(text).toMatch(/^event: progress\n/m);
    expect(text).toMatch(/event: done\ndata: \{[^\n]*"state":"completed"/);

    const view = (await (await routes.job.GET(new Request('http://lookahead.test'), context)).json()) as { state: string; seriesDone: number; workers: string[] };
    expect(view).toMatchObject({ state: 'completed', seriesDone: 12 });
    expect(view.workers.length).toBe(1);

    const csv = await (await routes.results.GET(new Request(`http://lookahead.test/api/jobs/${created.id}/results?format=csv`), context)).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('series_id,status,error,step,timestamp,mean,q0.1,q0.5,q0.9');
    expect(lines).toHaveLength(1 + 12 * 12);
    expect(lines[1]).toMatch(/^s00000,ok,,1,2024-01-03T00:00:00.000Z,0,/);

    const parquetResponse = await routes.results.GET(new Request(`http://lookahead.test/api/jobs/${created.id}/results?format=parquet`), context);
    const bytes = new Uint8Array(await parquetResponse.arrayBuffer());
    const { parquetReadObjects } = await import('hyparquet');
    const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
    expect(rows).toHaveLength(12 * 12);
    expect(rows[13]).toMatchObject({ series_id: 's00001', step: 2, 'q0.5': 11 });

    const one = (await (await routes.results.GET(new Request(`http://lookahead.test/api/jobs/${created.id}/results?series=s00003`), context)).json()) as { payload: { quantiles: number[][] } };
    expect(one.payload.quantiles[1]!.slice(0, 3)).toEqual([30, 31, 32]);

    const cancel = await routes.cancel.POST(new Request('http://lookahead.test', { method: 'POST' }), context);
    expect(cancel.status).toBe(409);
    expect(((await cancel.json()) as { error: { message: string } }).error.message).toMatch(/already completed/);
  }, 300_000);

  it('an unknown job id is a 404', async () => {
    const response = await routes.job.GET(new Request('http://lookahead.test'), { params: Promise.resolve({ id: '00000000-0000-0000-0000-000000000000' }) });
    expect(response.status).toBe(404);
  });

  it('the worker is running in process', async () => {
    const { getJobSystem } = await import('@/lib/server/jobs');
    await waitFor('the in-process worker', async () => ((await getJobSystem()).worker ? true : null));
  });
});
