import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeJob, jobSettings, openJobQueue, releaseJobSessions, startJobWorker, submitJob, type ForecastPayload, type JobQueue, type JobWorker } from '@/lib/server/jobs';
import { getTrainedModel, listResults } from '@/db';
import { loadTf } from '@/lib/runtime/tfjs-node';
import { calibrateResiduals, createTrainer, encodeSafetensors, fitScaler, InformerModel, INFORMER_ONNX_EXPORTER_VERSION } from '@/lib/models/informer';
import { loadTrainedForecaster, sha256Hex, storeTrainedModel } from '@/lib/server/models/trained';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';
import { createSeriesFixture, FIXTURE_APP_TABLES, FIXTURE_START, FIXTURE_WINDOW, seriesName, waitFor } from '../support/jobs';
import { syntheticSplit, tinyConfig } from '../support/informer-tiny';

// The app source offers only the tables it is given (LOOKAHEAD_APP_TABLES/_SCHEMAS).
process.env.LOOKAHEAD_APP_TABLES = FIXTURE_APP_TABLES;

/**
 * A trained Informer served by onnxruntime-node in forecast-batch jobs, on PGlite and (with
 * DATABASE_URL) real Postgres: a tiny ProbSparse model (encoder and decoder, distil, mix) trained
 * with the app's trainer and stored as a revision, a job over 300 series (3 chunks, batches of 32)
 * with one poisoned series, exactly 299 ok results and 1 named failure, every forecast equal to
 * the tfjs forecaster's (the per-series path POST /api/forecast uses) within
 * 1e-4 x max(1, |tfjs|) per value, and the ONNX export made once and cached beside the weights.
 */
const SERIES = 300;
const LENGTH = 96;
const POISONED = 7;
const config = tinyConfig({ encoderInputs: 1, decoderInputs: 1, outputs: 1, contextLength: 24, labelLength: 12, horizon: 6, factor: 2 });
const MODEL_ID = 'informer-onnx-fixture';

async function trainAndStore(database: TestDatabase) {
  const tf = await loadTf('wasm');
  const train = syntheticSplit(200, config);
  const validation = syntheticSplit(80, config, 200);
  const result = await createTrainer(tf).train(
    { model: config, training: { epochs: 2, batchSize: 16, learningRate: 3e-3, schedule: 'halve', patience: 2, seed: 5, maxStepsPerEpoch: 4, maxValidationWindows: 16 } },
    { train, validation },
  );
  const best = InformerModel.fromWeights(tf, config, result.parameters);
  const calibration = await calibrateResiduals(tf, best, validation, { seed: 5 });
  best.dispose();
  const weights = encodeSafetensors(result.parameters);
  // The fixture values are 10 * e + (h % 24): a scaler fitted on a middle series keeps them O(10).
  const scaler = fitScaler(Float64Array.from({ length: 48 }, (_, h) => 1500 + (h % 24)), 1, 0, 48);
  return storeTrainedModel(database.handle, {
    id: MODEL_ID, label: 'Informer ONNX fixture', weights,
    config: { preset: { task: 'energy', size: 'small' }, model: config, training: { seed: 5 }, scaler, frequency: '1h' },
    dataWindow: { source: 'synthetic' }, metrics: { validation: result.validation }, history: { epochs: result.history }, calibration,
  });
}

for (const backend of backends) {
  describe.skipIf(!backend.available)(`trained Informer on onnxruntime-node in forecast-batch jobs on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;
    let queue: JobQueue;
    let worker: JobWorker;
    const settings = { ...jobSettings({}), chunkSize: 100, batchSize: 32, chunkRetries: 0, heartbeatSeconds: 1 };
    let stored: Awaited<ReturnType<typeof trainAndStore>>;

    beforeAll(async () => {
      database = await createTestDatabase(backend.name);
      await createSeriesFixture(database.handle, { series: SERIES, length: LENGTH, poison: [POISONED] });
      stored = await trainAndStore(database);
      queue = await openJobQueue({ handle: database.handle, ...(database.url ? { url: database.url } : {}), settings });
      worker = await startJobWorker({ handle: database.handle, queue, settings, log: () => {} });
    }, 400_000);

    afterAll(async () => {
      await worker?.stop({ graceMs: 0 });
      await queue?.stop();
      await releaseJobSessions();
      await database?.drop();
    });

    const runJob = async () => {
      const job = await submitJob({ handle: database.handle, queue, settings, request: { kind: 'forecast-batch', params: { source: 'app', window: FIXTURE_WINDOW, model: MODEL_ID, horizon: 6, levels: [0.1, 0.5, 0.9], context: 48 } } });
      const view = await waitFor('the forecast-batch job', async () => {
        const current = await describeJob({ handle: database.handle, id: job.id });
        return current?.terminal ? current : null;
      }, { timeoutMs: 300_000 });
      return { job, view, results: await listResults({ handle: database.handle, jobId: job.id, limit: 1000 }) };
    };

    it('forecasts 300 series through the ONNX export: 299 results and one named failure, equal to the tfjs forecasts', async () => {
      const { view, results } = await runJob();
      expect(view.state).toBe('completed_with_failures');
      expect(results).toHaveLength(SERIES);
      const failed = results.filter((row) => row.status === 'failed');
      expect(failed.map((row) => row.seriesId)).toEqual([seriesName(POISONED)]);
      expect(failed[0]!.error).toMatch(/non-finite/);
      expect(results.filter((row) => row.status === 'ok')).toHaveLength(SERIES - 1);

      const row = await getTrainedModel(database.handle, { id: MODEL_ID });
      const { model } = await loadTrainedForecaster(database.handle, row!);
      const start = Date.parse(FIXTURE_START);
      let worst = 0;
      for (const result of results.filter((entry) => entry.status === 'ok')) {
        const index = Number(result.seriesId.slice(1));
        const payload = result.payload as unknown as ForecastPayload;
        expect(payload.model).toBe(MODEL_ID);
        expect(payload.mean).toHaveLength(6);
        expect(payload.timestamps![0]).toBe(new Date(start + LENGTH * 3_600_000).toISOString());
        const hours = Array.from({ length: 48 }, (_, k) => LENGTH - 48 + k);
        const fitted = await model.fit({ values: hours.map((h) => 10 * index + (h % 24)), timestampsMs: hours.map((h) => start + h * 3_600_000), frequency: null });
        const reference = await fitted.forecast({ horizon: 6, quantileLevels: [0.1, 0.5, 0.9] });
        const pairs: [number, number][] = [...reference.mean.map((value, step) => [value, payload.mean[step]!] as [number, number]), ...reference.quantiles.flatMap((levels, level) => levels.map((value, step) => [value, payload.quantiles[level]![step]!] as [number, number]))];
        for (const [expected, actual] of pairs) {
          const error = Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
          worst = Math.max(worst, error);
        }
        expect(payload.notes).toEqual(reference.notes);
      }
      expect(worst).toBeLessThanOrEqual(1e-4);
    }, 400_000);

    it('exports once per weights sha256 and keeps the export beside the weights', async () => {
      const cached = await database.handle.query<{ weights_sha256: string; exporter_version: number; onnx_sha256: string; onnx: Uint8Array; onnx_bytes: number; created_at: Date }>(`SELECT * FROM trained_model_onnx`);
      expect(cached).toHaveLength(1);
      expect(cached[0]).toMatchObject({ weights_sha256: stored.sha256, exporter_version: INFORMER_ONNX_EXPORTER_VERSION });
      const bytes = new Uint8Array(cached[0]!.onnx.buffer, cached[0]!.onnx.byteOffset, cached[0]!.onnx.byteLength);
      expect(sha256Hex(bytes)).toBe(cached[0]!.onnx_sha256);
      expect(bytes.byteLength).toBe(cached[0]!.onnx_bytes);
      // A second job (after this process forgets its sessions) reads the export instead of making another.
      await releaseJobSessions();
      const { results } = await runJob();
      expect(results.filter((row) => row.status === 'ok')).toHaveLength(SERIES - 1);
      const after = await database.handle.query<{ n: number; created_at: Date }>(`SELECT count(*)::int AS n, max(created_at) AS created_at FROM trained_model_onnx`);
      expect(after[0]!.n).toBe(1);
      expect(new Date(after[0]!.created_at).getTime()).toBe(new Date(cached[0]!.created_at).getTime());
      // Deleting the revision deletes its export.
      const { deleteTrainedModel } = await import('@/db');
      await deleteTrainedModel(database.handle, { id: MODEL_ID });
      expect((await database.handle.query<{ n: number }>(`SELECT count(*)::int AS n FROM trained_model_onnx`))[0]!.n).toBe(0);
    }, 400_000);
  });
}
