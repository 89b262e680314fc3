import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSeriesCsv } from '@/lib/data/series-table';
import { manySeriesForecastCsv } from '@/lib/export';

/**
 * Round trip of a file of many series through the server: the long fixture uploaded
 * (POST /api/uploads), every series forecast by a forecast-batch job (in-process worker, embedded
 * database), and the job's results downloaded as `format=long`: unique_id, ds, mean, <levels>,
 * the layout statsforecast (unique_id/ds) and AutoGluon (from_data_frame with id_column and
 * timestamp_column) read, byte for byte the page's long export of the same forecasts, and a file
 * this app reads back as three series.
 */
type Routes = {
  uploads: typeof import('@/app/api/uploads/route');
  jobs: typeof import('@/app/api/jobs/route');
  events: typeof import('@/app/api/jobs/[id]/events/route');
  results: typeof import('@/app/api/jobs/[id]/results/route');
};

const fixture = readFileSync(new URL('../fixtures/multi-series/long-3-series-gap.csv', import.meta.url), 'utf8');

describe('many series: upload, a server job, the long export read back', () => {
  let routes: Routes;
  let temp: string;

  beforeAll(async () => {
    temp = mkdtempSync(path.join(os.tmpdir(), 'lookahead-long-export-'));
    Object.assign(process.env, {
      DATABASE_URL: '',
      LOOKAHEAD_SOURCES: '',
      LOOKAHEAD_PARQUET_DIR: '',
      LOOKAHEAD_UPLOAD_DIR: path.join(temp, 'uploads'),
      LOOKAHEAD_DATA_DIR: path.join(temp, 'data'),
      LOOKAHEAD_INPROCESS_WORKER: 'on',
      LOOKAHEAD_HEARTBEAT_SECONDS: '1',
    });
    const { getDatabase, migrateDatabase, openDatabase } = await import('@/db');
    (globalThis as { lookaheadDatabase?: Promise<unknown> }).lookaheadDatabase = openDatabase({ dataDir: 'memory://' });
    await migrateDatabase(await getDatabase());
    routes = {
      uploads: await import('@/app/api/uploads/route'),
      jobs: await import('@/app/api/jobs/route'),
      events: await import('@/app/api/jobs/[id]/events/route'),
      results: await import('@/app/api/jobs/[id]/results/route'),
    };
  }, 400_000);

  afterAll(async () => {
    const { getJobSystem } = await import('@/lib/server/jobs');
    const system = await getJobSystem();
    await system.worker?.stop({ graceMs: 0 });
    await system.queue.stop();
    await system.handle.close();
    rmSync(temp, { recursive: true, force: true });
  });

  async function runJob(body: unknown): Promise<{ id: string; context: { params: Promise<{ id: string }> } }> {
    const response = await routes.jobs.POST(new Request('http://lookahead.test/api/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const context = { params: Promise.resolve({ id }) };
    const events = await new Response((await routes.events.GET(new Request(`http://lookahead.test/api/jobs/${id}/events`), context)).body).text();
    expect(events).toMatch(/event: done\ndata: \{[^\n]*"state":"completed"/);
    return { id, context };
  }

  it('format=long is unique_id, ds, mean, <levels>, equal to the page export, and reads back as the same series', async () => {
    const uploaded = await routes.uploads.POST(new Request('http://lookahead.test/api/uploads?fileName=long-3-series-gap.csv', { method: 'POST', body: fixture }));
    expect(uploaded.status).toBe(201);
    const { source } = (await uploaded.json()) as { source: { id: string } };
    const window = { time: 'ds', columns: 'y', entity: 'unique_id' };
    const { id, context } = await runJob({ kind: 'forecast-batch', params: { source: source.id, window, model: 'seasonal-naive', horizon: 3, context: 24, levels: [0.1, 0.5, 0.9] } });

    const response = await routes.results.GET(new Request(`http://lookahead.test/api/jobs/${id}/results?format=long`), context);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const text = await response.text();
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe('unique_id,ds,mean,0.1,0.5,0.9');
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 2).join(','))).toEqual(
      ['A', 'B', 'C'].flatMap((series) => ['2022-01-01T00:00:00.000Z', '2022-02-01T00:00:00.000Z', '2022-03-01T00:00:00.000Z'].map((ds) => `${series},${ds}`)),
    );

    // Byte for byte what the page exports for the same forecasts.
    const full = await Promise.all(
      ['A', 'B', 'C'].map(
        async (series) =>
          (await (await routes.results.GET(new Request(`http://lookahead.test/api/jobs/${id}/results?series=${series}`), context)).json()) as {
            seriesId: string;
            payload: { levels: number[]; quantiles: number[][]; mean: number[]; timestamps: string[] };
          },
      ),
    );
    const page = manySeriesForecastCsv(
      full.map(({ seriesId, payload }) => ({ seriesId, timestampsMs: payload.timestamps.map((iso) => Date.parse(iso)), quantileLevels: payload.levels, quantiles: payload.quantiles, mean: payload.mean })),
    );
    expect(text).toBe(page);

    // Read back: three series of three monthly steps, the median of each = the value a year before, from the file.
    const table = readSeriesCsv(text);
    expect(table.layout).toBe('long');
    expect(table.keyColumns).toEqual(['unique_id']);
    expect(table.timestampColumn).toBe('ds');
    expect(table.frequency?.label).toBe('1M');
    expect(table.series.map((span) => [span.id, span.length])).toEqual([
      ['A', 3],
      ['B', 3],
      ['C', 3],
    ]);
    const fileValue = (series: string, month: string) => Number(fixture.split('\n').find((line) => line.startsWith(`${series},${month}`))!.split(',')[2]);
    const median = table.values['0.5']!;
    expect(Array.from(median.subarray(0, 3))).toEqual(['2021-01-01', '2021-02-01', '2021-03-01'].map((month) => fileValue('A', month)));
  }, 300_000);

  it('format=long of a backtest job is a 400 that names the formats to use', async () => {
    const response = await routes.uploads.POST(new Request('http://lookahead.test/api/uploads?fileName=long-3-series-gap.csv', { method: 'POST', body: fixture }));
    const { source } = (await response.json()) as { source: { id: string } };
    const { id, context } = await runJob({
      kind: 'backtest-batch',
      params: { source: source.id, window: { time: 'ds', columns: 'y', entity: 'unique_id' }, models: ['seasonal-naive'], horizon: 3, context: 24, windows: 2, step: 3 },
    });
    const long = await routes.results.GET(new Request(`http://lookahead.test/api/jobs/${id}/results?format=long`), context);
    expect(long.status).toBe(400);
    expect(((await long.json()) as { error: { message: string } }).error.message).toMatch(/format=long holds forecasts \(kind forecast-batch\); job \S+ is a backtest-batch job: use format=csv or format=parquet/);
  }, 300_000);
});
