import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeJob, jobSettings, openJobQueue, startJobWorker, submitJob, type JobQueue, type JobWorker } from '@/lib/server/jobs';
import { listResults } from '@/db';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { createSeriesFixture, FIXTURE_APP_TABLES, expectedSeasonalNaive, FIXTURE_WINDOW, seriesName, waitFor } from '../support/jobs';

process.env.LOOKAHEAD_APP_TABLES = FIXTURE_APP_TABLES;

/**
 * The embedded default: pg-boss on PGlite (every queue statement serialised through the one
 * connection) with an in-process worker, as `npm start` runs it without DATABASE_URL.
 */
describe('jobs on PGlite (in-process worker)', () => {
  let database: TestDatabase;
  let queue: JobQueue;
  let worker: JobWorker;
  const settings = { ...jobSettings({}), chunkSize: 8, batchSize: 4, chunkRetries: 1, heartbeatSeconds: 1 };

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    await createSeriesFixture(database.handle, { series: 20, length: 96, poison: [5] });
    queue = await openJobQueue({ handle: database.handle, settings });
    worker = await startJobWorker({ handle: database.handle, queue, settings, log: () => {} });
  }, 400_000);

  afterAll(async () => {
    await worker?.stop({ graceMs: 0 });
    await queue?.stop();
    await database?.drop();
  });

  it('creates the pg-boss schema next to the job tables', async () => {
    const rows = await database.handle.query<{ n: number }>(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'pgboss' AND table_name = 'job'`);
    expect(rows[0]!.n).toBe(1);
  });

  it('runs a forecast-batch over every series; the poison series fails alone with its reason', async () => {
    const job = await submitJob({
      handle: database.handle,
      queue,
      settings,
      request: { kind: 'forecast-batch', params: { source: 'app', window: FIXTURE_WINDOW, model: 'seasonal-naive', horizon: 30, levels: [0.1, 0.5, 0.9], context: 96 } },
    });
    expect(job.totalSeries).toBe(20);
    expect(job.totalChunks).toBe(3);
    const view = await waitFor('the job to finish', async () => {
      const current = await describeJob({ handle: database.handle, id: job.id });
      return current?.terminal ? current : null;
    });
    expect(view.state).toBe('completed_with_failures');
    expect(view.seriesDone).toBe(19);
    expect(view.seriesFailed).toBe(1);
    expect(view.failures).toEqual([{ seriesId: seriesName(5), error: expect.stringContaining('non-finite') }]);
    const results = await listResults({ handle: database.handle, jobId: job.id, limit: 100 });
    expect(results.map((row) => row.seriesId)).toEqual(Array.from({ length: 20 }, (_, index) => seriesName(index)));
    for (const row of results.filter((result) => result.status === 'ok')) {
      const index = Number(row.seriesId.slice(1));
      const payload = row.payload as { quantiles: number[][]; timestamps: string[]; history: { timestamps: string[]; values: (number | null)[] } };
      expect(payload.quantiles[1]).toEqual(Array.from({ length: 30 }, (_, step) => expectedSeasonalNaive(index, step + 1)));
      expect(payload.timestamps[0]).toBe('2024-01-05T00:00:00.000Z');
      // The history tail reads back as the fixture's own points (value = 10 * series + hour % 24).
      expect(payload.history.values).toEqual(Array.from({ length: 96 }, (_, hour) => 10 * index + (hour % 24)));
      expect([payload.history.timestamps[0], payload.history.timestamps[95]]).toEqual(['2024-01-01T00:00:00.000Z', '2024-01-04T23:00:00.000Z']);
    }
    // Stored packed (db/queries/packed-payload.ts): the jsonb keeps the shape, the long arrays are float64 bytes
    // (3 levels x 30 + mean 30 + 96 history values; the hourly timestamps are a first value and a step in the jsonb).
    const stored = await database.handle.query<{ json: number; bytes: number | null; status: string }>(
      `SELECT octet_length(payload::text) AS json, octet_length(arrays) AS bytes, status FROM job_results WHERE job_id = $1`,
      [job.id],
    );
    for (const row of stored.filter((item) => item.status === 'ok')) {
      expect(Number(row.bytes)).toBe((3 * 30 + 30 + 96) * 8);
      expect(Number(row.json)).toBeLessThan(600);
    }
    expect(stored.filter((item) => item.status === 'failed').map((item) => item.bytes)).toEqual([null]);
    // Float64 noise does not compress: the column is stored without trying (migration 0016).
    const [storage] = await database.handle.query<{ storage: string }>(`SELECT attstorage AS storage FROM pg_attribute WHERE attrelid = 'job_results'::regclass AND attname = 'arrays'`);
    expect(storage!.storage).toBe('e');
  }, 300_000);

  it('forecast-batch takes a season as POST /api/forecast does: season 12 on hourly series repeats the last 12 hours, not the last day', async () => {
    const job = await submitJob({
      handle: database.handle,
      queue,
      settings,
      request: { kind: 'forecast-batch', params: { source: 'app', window: FIXTURE_WINDOW, model: 'seasonal-naive', horizon: 24, levels: [0.5], context: 96, season: 12, series: [seriesName(0), seriesName(1)] } },
    });
    const view = await waitFor('the job to finish', async () => {
      const current = await describeJob({ handle: database.handle, id: job.id });
      return current?.terminal ? current : null;
    });
    expect(view.state).toBe('completed');
    const results = await listResults({ handle: database.handle, jobId: job.id, limit: 10 });
    expect(results).toHaveLength(2);
    for (const row of results) {
      const index = Number(row.seriesId.slice(1));
      const lastTwelve = Array.from({ length: 12 }, (_, step) => expectedSeasonalNaive(index, step + 13));
      expect((row.payload as { quantiles: number[][] }).quantiles[0]).toEqual([...lastTwelve, ...lastTwelve]);
    }
  }, 300_000);

  it('runs a backtest-batch: per-series window metrics, and a summary per model over the series every model scored', async () => {
    const job = await submitJob({
      handle: database.handle,
      queue,
      settings,
      request: { kind: 'backtest-batch', params: { source: 'app', window: FIXTURE_WINDOW, models: ['seasonal-naive', 'auto-ets'], horizon: 12, windows: 2, step: 12, context: 48, levels: [0.1, 0.5, 0.9] } },
    });
    const view = await waitFor('the backtest to finish', async () => {
      const current = await describeJob({ handle: database.handle, id: job.id });
      return current?.terminal && current.summary ? current : null;
    }, { timeoutMs: 240_000 });
    expect(view.state).toBe('completed_with_failures');
    expect(view.failures.map((failure) => failure.seriesId)).toEqual([seriesName(5)]);
    const summary = view.summary as { seriesScored: number; comparison: { baselineId: string; rows: { modelId: string; values: Record<string, number | null> }[] } };
    expect(summary.seriesScored).toBe(19);
    expect(summary.comparison.baselineId).toBe('seasonal-naive');
    const [naive, ets] = summary.comparison.rows;
    expect(naive!.modelId).toBe('seasonal-naive');
    // The fixture repeats every 24 hours exactly: seasonal naive is perfect on it.
    expect(naive!.values.mase).toBe(0);
    expect(naive!.values.mae).toBe(0);
    expect(ets!.modelId).toBe('auto-ets');
    // MASE's in-sample scale is 0 on an exactly periodic series, so only the absolute errors are finite for a model that misses.
    expect(ets!.values.mae).toBeGreaterThanOrEqual(0);
    const [first] = await listResults({ handle: database.handle, jobId: job.id, limit: 1 });
    const payload = first!.payload as { models: Record<string, { windows: unknown[] }> };
    expect(Object.keys(payload.models).sort()).toEqual(['auto-ets', 'seasonal-naive']);
    expect(payload.models['auto-ets']!.windows).toHaveLength(2);
  }, 300_000);
});
