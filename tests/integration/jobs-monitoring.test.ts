import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeJob, jobSettings, MONITOR_SCHEDULE_QUEUE, openJobQueue, provideQueueStats, startJobWorker, submitJob, type JobQueue, type JobWorker } from '@/lib/server/jobs';
import { Monitor, setMonitor, setQueueStatsProvider } from '@/lib/server/monitoring';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';
import { createSeriesFixture, FIXTURE_APP_TABLES, FIXTURE_WINDOW, waitFor } from '../support/jobs';

process.env.LOOKAHEAD_APP_TABLES = FIXTURE_APP_TABLES;

/**
 * The job queue reports to monitoring: each chunk's model run is an inference event with origin
 * 'job', /metrics shows the queue (depth per kind, live workers, running jobs) from the job
 * tables, and a worker runs the monitoring schedule from its pg-boss queue.
 */
for (const backend of backends) {
  describe.skipIf(!backend.available)(`jobs -> monitoring on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;
    let queue: JobQueue;
    let worker: JobWorker;
    let monitor: Monitor;
    let metricsRoute: typeof import('@/app/metrics/route');
    const settings = { ...jobSettings({}), chunkSize: 4, batchSize: 4, chunkRetries: 1, heartbeatSeconds: 1 };

    beforeAll(async () => {
      database = await createTestDatabase(backend.name);
      await createSeriesFixture(database.handle, { series: 8, length: 96, poison: [] });
      monitor = new Monitor({ database: async () => database.handle, config: { flushIntervalMs: 60_000 } });
      setMonitor(monitor);
      queue = await openJobQueue({ handle: database.handle, ...(database.url ? { url: database.url } : {}), settings, cron: true });
      provideQueueStats(database.handle, settings);
      worker = await startJobWorker({ handle: database.handle, queue, settings, monitorSchedule: true, log: () => {} });
      metricsRoute = await import('@/app/metrics/route');
    }, 400_000);

    afterAll(async () => {
      await worker?.stop({ graceMs: 0 });
      await queue?.stop();
      setQueueStatsProvider(null);
      setMonitor(null);
      await monitor?.close();
      await database?.drop();
    });

    it('a forecast-batch job records inference events with origin "job", and /metrics shows the worker and the job counter', async () => {
      const job = await submitJob({
        handle: database.handle,
        queue,
        settings,
        request: { kind: 'forecast-batch', params: { source: 'app', window: FIXTURE_WINDOW, model: 'seasonal-naive', horizon: 6, levels: [0.1, 0.5, 0.9], context: 48 } },
      });
      await waitFor('the job to finish', async () => {
        const current = await describeJob({ handle: database.handle, id: job.id });
        return current?.terminal ? current : null;
      });
      await monitor.flush();
      const events = await database.handle.query<{ model: string; origin: string; endpoint: string; series_count: number; points: number; horizon: number; outcome: string; runtime: string }>(
        `SELECT model, origin, endpoint, series_count, points, horizon, outcome, runtime FROM inference_events WHERE origin = 'job' ORDER BY time`,
      );
      // Two chunks of four series.
      expect(events).toHaveLength(2);
      for (const event of events) {
        expect(event).toMatchObject({ model: 'seasonal-naive', origin: 'job', endpoint: 'job:forecast-batch', series_count: 4, points: 4 * 48, horizon: 6, outcome: 'ok' });
        expect(event.runtime).toMatch(/^job-(cpu|cuda)$/);
      }
      const audits = await database.handle.query<{ details: { jobId: string; workerId: string; chunkIndex: number } }>(`SELECT details FROM forecast_audit WHERE action = 'job'`);
      expect(audits.map((row) => row.details.jobId)).toEqual([job.id, job.id]);
      expect(audits[0]!.details.workerId).toBe(worker.id);

      const text = await (await metricsRoute.GET()).text();
      expect(text).toMatch(/^lookahead_inference_total\{model="seasonal-naive",runtime="job-(cpu|cuda)",origin="job",outcome="ok"\} [1-9]/m);
      expect(text).toMatch(/^lookahead_workers 1$/m);
      expect(text).toMatch(/^lookahead_jobs_active 0$/m);
    }, 300_000);

    it('/metrics reports waiting chunks per job kind while no worker takes them', async () => {
      await worker.stop({ graceMs: 0 });
      const job = await submitJob({
        handle: database.handle,
        queue,
        settings,
        request: { kind: 'forecast-batch', params: { source: 'app', window: FIXTURE_WINDOW, model: 'seasonal-naive', horizon: 6, context: 48 } },
      });
      expect(job.totalChunks).toBe(2);
      const text = await (await metricsRoute.GET()).text();
      expect(text).toMatch(/^lookahead_job_queue_depth\{queue="forecast-batch"\} 2$/m);
      expect(text).toMatch(/^lookahead_workers 0$/m);
      worker = await startJobWorker({ handle: database.handle, queue, settings, monitorSchedule: true, log: () => {} });
    }, 120_000);

    it('the worker runs a monitoring schedule round taken from its pg-boss queue (scheduled every minute)', async () => {
      const schedules = await queue.boss.getSchedules();
      expect(schedules.find((schedule) => schedule.name === MONITOR_SCHEDULE_QUEUE)).toMatchObject({ cron: '* * * * *' });
      expect(monitor.lastSchedule).toBeNull();
      // What the cron sends each minute, sent now so the test does not wait for the clock.
      const sent = await queue.boss.send(MONITOR_SCHEDULE_QUEUE, {});
      expect(sent).not.toBeNull();
      const report = await waitFor('a schedule round', async () => monitor.lastSchedule);
      expect(report.tasks.maintenance).toBe('ok');
      expect(report.tasks.rollups).toBe('ok');
      const done = await waitFor('the round to be completed in the queue', async () => {
        const found = await queue.boss.getJobById(MONITOR_SCHEDULE_QUEUE, sent!);
        return found?.state === 'completed' ? found : null;
      });
      expect((done.output as { tasks: Record<string, string> }).tasks.rollups).toBe('ok');
    }, 180_000);
  });
}
