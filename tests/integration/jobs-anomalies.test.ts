import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeJob, jobSettings, listJobKinds, openJobQueue, startJobWorker, submitJob, type AnomalyPayload, type JobQueue, type JobWorker } from '@/lib/server/jobs';
import { listResults } from '@/db';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';
import { createSeriesFixture, FIXTURE_APP_TABLES, FIXTURE_START, FIXTURE_TABLE, FIXTURE_WINDOW, seriesName, waitFor } from '../support/jobs';

process.env.LOOKAHEAD_APP_TABLES = FIXTURE_APP_TABLES;

/** The detect-anomalies job kind: the rolling robust z-score over every series of a table, one result per series. */
for (const backend of backends) {
  describe.skipIf(!backend.available)(`detect-anomalies job on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;
    let queue: JobQueue;
    let worker: JobWorker;
    const settings = { ...jobSettings({}), chunkSize: 4, batchSize: 2, chunkRetries: 1, heartbeatSeconds: 1 };
    const SPIKE_HOUR = 60;

    beforeAll(async () => {
      database = await createTestDatabase(backend.name);
      await createSeriesFixture(database.handle, { series: 6, length: 96, poison: [] });
      // The injected spike: series 3, hour 60 (its day repeats 10*3 + hour % 24 otherwise).
      await database.handle.query(`UPDATE ${FIXTURE_TABLE} SET value = 5000 WHERE entity = $1 AND ts = $2::timestamptz + make_interval(hours => $3::int)`, [seriesName(3), FIXTURE_START, SPIKE_HOUR]);
      queue = await openJobQueue({ handle: database.handle, ...(database.url ? { url: database.url } : {}), settings });
      worker = await startJobWorker({ handle: database.handle, queue, settings, log: () => {} });
    }, 400_000);

    afterAll(async () => {
      await worker?.stop({ graceMs: 0 });
      await queue?.stop();
      await database?.drop();
    });

    it('is registered beside the other kinds', () => {
      expect(listJobKinds()).toEqual(expect.arrayContaining(['forecast-batch', 'backtest-batch', 'detect-anomalies']));
    });

    it('finds the injected spike in its series and nothing in the periodic ones; one stored result per series and a summary', async () => {
      const job = await submitJob({ handle: database.handle, queue, settings, request: { kind: 'detect-anomalies', params: { source: 'app', window: FIXTURE_WINDOW, rollingWindow: 48, threshold: 3.5 } } });
      expect(job.totalSeries).toBe(6);
      const view = await waitFor('the job to finish', async () => {
        const current = await describeJob({ handle: database.handle, id: job.id });
        return current?.terminal && current.summary ? current : null;
      });
      expect(view.state).toBe('completed');
      const results = await listResults({ handle: database.handle, jobId: job.id, limit: 100 });
      expect(results.map((row) => row.seriesId)).toEqual(Array.from({ length: 6 }, (_, index) => seriesName(index)));
      for (const row of results) {
        const payload = row.payload as unknown as AnomalyPayload;
        expect(payload.points).toBe(96);
        if (row.seriesId === seriesName(3)) {
          expect(payload.count).toBe(1);
          expect(payload.anomalies[0]).toMatchObject({ index: SPIKE_HOUR, value: 5000, time: '2024-01-03T12:00:00.000Z' });
          expect(payload.anomalies[0]!.score!).toBeGreaterThan(3.5);
        } else {
          expect(payload.count).toBe(0);
        }
      }
      expect(view.summary).toMatchObject({ seriesScored: 6, seriesWithAnomalies: 1, anomalies: 1, top: [{ series: seriesName(3), count: 1 }] });
    }, 300_000);

    it('refuses bad params with a message naming the field, storing nothing', async () => {
      const before = await database.handle.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs`);
      await expect(submitJob({ handle: database.handle, queue, settings, request: { kind: 'detect-anomalies', params: { source: 'app', window: FIXTURE_WINDOW, rollingWindow: 2 } } })).rejects.toThrow(/rollingWindow must be at least 3/);
      await expect(submitJob({ handle: database.handle, queue, settings, request: { kind: 'detect-anomalies', params: { source: 'app', window: FIXTURE_WINDOW, method: 'interval' } } })).rejects.toThrow(/method must be "zscore"/);
      const after = await database.handle.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs`);
      expect(after[0]!.n).toBe(before[0]!.n);
    });
  });
}
