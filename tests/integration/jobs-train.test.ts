import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeJob, jobSettings, openJobQueue, startJobWorker, submitJob, type ForecastPayload, type JobQueue, type JobWorker, type TrainPayload } from '@/lib/server/jobs';
import { getTrainedModel, listResults, listTrainedModels } from '@/db';
import { parseForecastRequest, runForecastRequest } from '@/lib/server/forecast-service';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';
import { createSeriesFixture, FIXTURE_APP_TABLES, FIXTURE_START, FIXTURE_WINDOW, seriesName, waitFor } from '../support/jobs';

// The app source offers only the tables it is given (LOOKAHEAD_APP_TABLES/_SCHEMAS).
process.env.LOOKAHEAD_APP_TABLES = FIXTURE_APP_TABLES;

/**
 * The train job kind end to end on PGlite and (with DATABASE_URL) real Postgres: a tiny Informer
 * trained on one fixture series by the worker (tfjs WASM), metrics rows per epoch, live progress,
 * the model stored and listed with its record, forecasts with finite ordered quantiles through the
 * forecast service and the forecast-batch job, a second revision, rollback and delete through the
 * model routes.
 */
const LENGTH = 360;
// Tiny: seconds per run on a loaded 2-core machine.
const tiny = {
  task: 'energy', size: 'small',
  overrides: { contextLength: 24, labelLength: 12, horizon: 6, dModel: 8, heads: 2, encoderLayers: 1, decoderLayers: 1, dFeedForward: 16, factor: 2 },
  epochs: 2, batchSize: 16, learningRate: 0.003, patience: 2, maxStepsPerEpoch: 4, maxValidationWindows: 16, seed: 7,
};

for (const backend of backends) {
  describe.skipIf(!backend.available)(`train job on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;
    let queue: JobQueue;
    let worker: JobWorker;
    const settings = { ...jobSettings({}), chunkSize: 1, batchSize: 4, chunkRetries: 0, heartbeatSeconds: 1 };
    const params = { source: 'app', window: FIXTURE_WINDOW, series: seriesName(2), modelId: 'informer-fixture-s2', ...tiny };

    beforeAll(async () => {
      database = await createTestDatabase(backend.name);
      await createSeriesFixture(database.handle, { series: 3, length: LENGTH });
      queue = await openJobQueue({ handle: database.handle, ...(database.url ? { url: database.url } : {}), settings });
      worker = await startJobWorker({ handle: database.handle, queue, settings, log: () => {} });
      (globalThis as { lookaheadDatabase?: Promise<unknown> }).lookaheadDatabase = Promise.resolve(database.handle);
    }, 400_000);

    afterAll(async () => {
      (globalThis as { lookaheadDatabase?: Promise<unknown> }).lookaheadDatabase = undefined;
      await worker?.stop({ graceMs: 0 });
      await queue?.stop();
      await database?.drop();
    });

    const train = async (extra: Record<string, unknown> = {}) => {
      const job = await submitJob({ handle: database.handle, queue, settings, request: { kind: 'train', params: { ...params, ...extra } } });
      const view = await waitFor('the train job to finish', async () => {
        const current = await describeJob({ handle: database.handle, id: job.id });
        // The worker marks the job completed, then writes its summary: wait for both.
        return current?.terminal && (current.summary !== null || current.state !== 'completed') ? current : null;
      }, { timeoutMs: 300_000 });
      return { job, view };
    };

    let first: TrainPayload;

    it('trains, writes a training run with metrics per epoch, and stores the model as current', async () => {
      const { job, view } = await train();
      expect(view.error).toBeNull();
      expect(view.state).toBe('completed');
      expect(view.title).toMatch(/train Informer Energy \(hourly, 168 -> 24\), small \(24 -> 6\) on app "s00002" as informer-fixture-s2/);
      const [result] = await listResults({ handle: database.handle, jobId: job.id, limit: 10 });
      first = result!.payload as unknown as TrainPayload;
      expect(first).toMatchObject({ model: 'informer-fixture-s2', epochs: 2 });
      expect(first.revision).toBe(first.sha256.slice(0, 12));
      expect(view.summary).toMatchObject({ trained: { model: 'informer-fixture-s2', revision: first.revision } });
      expect(view.detail).toMatchObject({ kind: 'epoch', epoch: 2, epochs: 2 });
      expect((view.detail!.history as unknown[]).length).toBe(2);

      const runs = await database.handle.query<{ id: string; status: string; revision: string; model: string; origin: string }>(`SELECT id, status, revision, model, origin FROM training_runs WHERE job_id = $1`, [job.id]);
      expect(runs).toEqual([{ id: `train-${job.id}`, status: 'succeeded', revision: first.revision, model: 'informer-fixture-s2', origin: 'job' }]);
      const epochs = await database.handle.query<{ epoch: number; train_loss: number; val_loss: number; learning_rate: number }>(
        `SELECT epoch, train_loss, val_loss, learning_rate FROM training_metrics WHERE run_id = $1 AND val_loss IS NOT NULL ORDER BY epoch`, [`train-${job.id}`]);
      expect(epochs.map((row) => row.epoch)).toEqual([0, 1]);
      for (const row of epochs) {
        expect(Number.isFinite(row.train_loss) && Number.isFinite(row.val_loss)).toBe(true);
        expect(row.learning_rate).toBeCloseTo(0.003 / 2 ** row.epoch, 9);
      }
      const steps = await database.handle.query<{ n: number }>(`SELECT count(*)::int AS n FROM training_metrics WHERE run_id = $1 AND step IS NOT NULL`, [`train-${job.id}`]);
      expect(steps[0]!.n).toBe(8);
      const checkpoints = await database.handle.query<{ n: number }>(`SELECT count(*)::int AS n FROM training_checkpoints`);
      expect(checkpoints[0]!.n).toBe(0);

      const stored = await getTrainedModel(database.handle, { id: 'informer-fixture-s2' });
      expect(stored).toMatchObject({ revision: first.revision, current: true, family: 'informer', jobId: job.id });
      expect(stored!.dataWindow).toMatchObject({ source: 'app', table: FIXTURE_WINDOW.table, series: seriesName(2), frequency: '1h', range: { from: new Date(FIXTURE_START).toISOString(), rows: LENGTH } });
      expect((stored!.dataWindow.splits as Record<string, { rows: number }>).train.rows).toBe(Math.floor(LENGTH * 0.7));
      expect(stored!.config).toMatchObject({ preset: { task: 'energy', size: 'small' }, model: { contextLength: 24, horizon: 6, dModel: 8 }, training: { epochs: 2, seed: 7 } });
      const metrics = stored!.metrics as { validation: { mse: number }; test: { mse: number } };
      expect(Number.isFinite(metrics.validation.mse) && Number.isFinite(metrics.test.mse)).toBe(true);
      expect((stored!.history.epochs as unknown[]).length).toBe(2);
      expect((stored!.history.stepLosses as unknown[]).length).toBe(8);
    }, 400_000);

    it('lists the model in GET /api/models beside the baselines, and forecasts with finite ordered quantiles', async () => {
      const { GET } = await import('@/app/api/models/route');
      const listing = (await (await GET()).json()) as { baselines: { id: string }[]; trained: { id: string; revision: string; current: boolean; family: string; intervals: string; weightsUrl: string }[] };
      expect(listing.baselines.map((model) => model.id)).toContain('seasonal-naive');
      expect(listing.trained).toEqual([expect.objectContaining({ id: 'informer-fixture-s2', revision: first.revision, current: true, family: 'informer', weightsUrl: `/api/models/trained/informer-fixture-s2/${first.revision}/weights` })]);
      expect(listing.trained[0]!.intervals).toMatch(/validation-split residuals/);

      const hours = 48;
      const start = Date.parse(FIXTURE_START);
      const series = [{ id: 'a', values: Array.from({ length: hours }, (_, h) => 20 + (h % 24)), timestamps: Array.from({ length: hours }, (_, h) => new Date(start + h * 3_600_000).toISOString()) }];
      const answer = await runForecastRequest(parseForecastRequest({ model: 'informer-fixture-s2', horizon: 6, levels: [0.1, 0.5, 0.9], series }), { handle: database.handle });
      expect(answer.model).toMatchObject({ id: 'informer-fixture-s2', revision: first.revision, sha256: first.sha256 });
      expect(answer.runtime).toBe('tfjs (wasm)');
      const forecast = answer.forecasts[0]!;
      expect(forecast.quantiles).toHaveLength(3);
      for (let step = 0; step < 6; step++) {
        expect(forecast.quantiles.every((row) => Number.isFinite(row[step]!))).toBe(true);
        expect(forecast.quantiles[0]![step]!).toBeLessThanOrEqual(forecast.quantiles[1]![step]!);
        expect(forecast.quantiles[1]![step]!).toBeLessThanOrEqual(forecast.quantiles[2]![step]!);
      }
      expect(forecast.timestamps![0]).toBe(new Date(start + hours * 3_600_000).toISOString());
      await expect(runForecastRequest(parseForecastRequest({ model: 'informer-fixture-s2', horizon: 7, series }), { handle: database.handle })).rejects.toThrow(/forecasts at most 6 steps/);
      await expect(runForecastRequest(parseForecastRequest({ model: 'informer-nope', horizon: 6, series }), { handle: database.handle })).rejects.toThrow(/unknown trained model "informer-nope"/);
    }, 300_000);

    it('forecasts every series of the table in a forecast-batch job with the trained model', async () => {
      const job = await submitJob({ handle: database.handle, queue, settings, request: { kind: 'forecast-batch', params: { source: 'app', window: FIXTURE_WINDOW, model: 'informer-fixture-s2', horizon: 6, levels: [0.05, 0.5, 0.95], context: 48 } } });
      // A forecast-batch job has no summary (only train and backtest-batch write one): terminal is enough.
      const view = await waitFor('the forecast job', async () => {
        const current = await describeJob({ handle: database.handle, id: job.id });
        return current?.terminal ? current : null;
      }, { timeoutMs: 300_000 });
      expect(view.state).toBe('completed');
      const results = await listResults({ handle: database.handle, jobId: job.id, limit: 10 });
      expect(results).toHaveLength(3);
      for (const row of results) {
        const payload = row.payload as unknown as ForecastPayload;
        expect(payload.quantiles).toHaveLength(3);
        expect(payload.quantiles.flat().every(Number.isFinite)).toBe(true);
        expect(payload.mean).toHaveLength(6);
      }
    }, 300_000);

    it('a second training is a new current revision; rollback makes the first current again; delete removes revisions', async () => {
      const { view } = await train({ seed: 8 });
      expect(view.state).toBe('completed');
      const second = (view.summary!.trained as TrainPayload).revision;
      expect(second).not.toBe(first.revision);
      expect((await getTrainedModel(database.handle, { id: 'informer-fixture-s2' }))!.revision).toBe(second);

      const current = await import('@/app/api/models/trained/[id]/[revision]/current/route');
      const revisionRoute = await import('@/app/api/models/trained/[id]/[revision]/route');
      const idRoute = await import('@/app/api/models/trained/[id]/route');
      const weights = await import('@/app/api/models/trained/[id]/[revision]/weights/route');
      const at = (id: string, revision: string) => ({ params: Promise.resolve({ id, revision }) });
      const post = (id: string, revision: string) => current.POST(new Request('http://lookahead.test/x', { method: 'POST' }), at(id, revision));

      const rolled = await post('informer-fixture-s2', first.revision);
      expect(rolled.status).toBe(200);
      expect((await getTrainedModel(database.handle, { id: 'informer-fixture-s2' }))!.revision).toBe(first.revision);
      const missing = await post('informer-fixture-s2', 'ffffffffffff');
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { message: string } }).error.message).toContain(`has no revision "ffffffffffff"; it has `);

      const bytes = await weights.GET(new Request('http://lookahead.test/x'), at('informer-fixture-s2', second));
      expect(bytes.status).toBe(200);
      expect(bytes.headers.get('etag')).toBe(`"${(await getTrainedModel(database.handle, { id: 'informer-fixture-s2', revision: second }))!.sha256}"`);
      const { createHash } = await import('node:crypto');
      expect(`"${createHash('sha256').update(new Uint8Array(await bytes.arrayBuffer())).digest('hex')}"`).toBe(bytes.headers.get('etag'));

      const record = await revisionRoute.GET(new Request('http://lookahead.test/x'), at('informer-fixture-s2', second));
      expect(((await record.json()) as { current: boolean; calibration: { method: string } })).toMatchObject({ current: false, calibration: { method: 'validation-residual-quantiles' } });

      // Deleting the current revision makes the remaining one current.
      const deleted = await revisionRoute.DELETE(new Request('http://lookahead.test/x', { method: 'DELETE' }), at('informer-fixture-s2', first.revision));
      expect(await deleted.json()).toEqual({ id: 'informer-fixture-s2', deleted: first.revision, current: second });
      expect((await listTrainedModels(database.handle)).map((row) => [row.revision, row.current])).toEqual([[second, true]]);
      const all = await idRoute.DELETE(new Request('http://lookahead.test/x', { method: 'DELETE' }), { params: Promise.resolve({ id: 'informer-fixture-s2' }) });
      expect(await all.json()).toEqual({ id: 'informer-fixture-s2', deleted: 1 });
      expect(await listTrainedModels(database.handle)).toEqual([]);
      expect((await idRoute.GET(new Request('http://lookahead.test/x'), { params: Promise.resolve({ id: 'informer-fixture-s2' }) })).status).toBe(404);
    }, 400_000);

    it('refuses bad requests with a message naming the field, storing nothing', async () => {
      const submit = (extra: Record<string, unknown>) => submitJob({ handle: database.handle, queue, settings, request: { kind: 'train', params: { ...params, ...extra } } });
      await expect(submit({ task: 'sailing' })).rejects.toThrow(/unknown task preset "sailing"; valid: energy, financial, weather, traffic/);
      await expect(submit({ overrides: { dModel: 10, heads: 4 } })).rejects.toThrow(/dModel \(10\) must be divisible by config.heads \(4\)/);
      await expect(submit({ modelId: 'chronos-x' })).rejects.toThrow(/modelId must start with "informer-"/);
      await expect(submit({ series: undefined })).rejects.toThrow(/has 3 series in this window .*name the one to train on in "series"/);
      await expect(submit({ schedule: 'linear' })).rejects.toThrow(/schedule must be "halve", "cosine" or "constant"/);
    });
  });
}
