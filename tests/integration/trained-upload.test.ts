import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALIBRATION_LEVELS, encodeSafetensors, informerPreset, initialParameters } from '@/lib/models/informer';
import { Monitor, setMonitor } from '@/lib/server/monitoring';
import { trainingCurves } from '@/db';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';

/**
 * The two routes browser training adds, on PGlite and (with DATABASE_URL) Postgres:
 * POST /api/models/trained stores a browser-trained Informer as a current revision (listed by GET
 * /api/models, weights served byte for byte) and refuses bad bodies with a 4xx naming the problem
 * (not multipart, a bad record field, weights that do not fit the config, over the size cap);
 * POST /api/telemetry/training records a browser run and its metrics for /monitor.
 */
const config = informerPreset({ task: 'energy', size: 'small', channels: 1, overrides: { contextLength: 24, labelLength: 12, horizon: 6, dModel: 8, heads: 2, encoderLayers: 1, decoderLayers: 1, dFeedForward: 16 } }).config;
const weights = encodeSafetensors(initialParameters(config, 5));

const record = {
  id: 'informer-upload-test',
  label: 'Informer energy/small (browser): etth1 OT',
  config: { preset: { task: 'energy', size: 'small' }, model: config, training: { epochs: 2, batchSize: 16 }, scaler: { mean: [10], std: [2] }, frequency: '1h' },
  dataWindow: { source: 'etth1', table: null, series: null, column: 'OT', window: { columns: 'OT', limit: '400' }, range: { from: '2016-07-01T00:00:00.000Z', to: '2016-07-17T15:00:00.000Z', rows: 400 } },
  metrics: { validation: { mse: 0.5, mae: 0.6 }, test: { mse: 0.7, mae: 0.65 }, bestEpoch: 1, resumedFromEpoch: 1 },
  history: { epochs: [{ epoch: 0, trainLoss: 1.2, validationLoss: 0.9, learningRate: 0.003, seconds: 1 }, { epoch: 1, trainLoss: 0.8, validationLoss: 0.5, learningRate: 0.0015, seconds: 1 }], stepLosses: [1.3, 1.1, 0.9, 0.7] },
  calibration: { method: 'validation-residual-quantiles', levels: [...CALIBRATION_LEVELS], residuals: CALIBRATION_LEVELS.map((level) => Array.from({ length: 6 }, () => level - 0.5)), windows: 40 },
  trainingRunId: 'browser-0123456789abcdef',
};

function upload(body: { record?: unknown; weights?: Uint8Array | null }, headers: Record<string, string> = {}): Request {
  const form = new FormData();
  if (body.record !== undefined) form.append('record', JSON.stringify(body.record));
  if (body.weights) form.append('weights', new Blob([body.weights as Uint8Array<ArrayBuffer>]), 'model.safetensors');
  return new Request('http://localhost/api/models/trained', { method: 'POST', body: form, headers });
}

const messageOf = async (response: Response) => ((await response.json()) as { error: { message: string } }).error.message;

for (const backend of backends) {
  describe.skipIf(!backend.available)(`browser-trained models and training telemetry on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;
    let monitor: Monitor;

    beforeAll(async () => {
      database = await createTestDatabase(backend.name);
      (globalThis as { lookaheadDatabase?: Promise<unknown> }).lookaheadDatabase = Promise.resolve(database.handle);
      monitor = new Monitor({ database: async () => database.handle, config: { flushIntervalMs: 60_000 } });
      setMonitor(monitor);
    }, 120_000);
    afterAll(async () => {
      (globalThis as { lookaheadDatabase?: Promise<unknown> }).lookaheadDatabase = undefined;
      setMonitor(null);
      await monitor?.close();
      await database?.drop();
    });

    it('stores an upload as the current revision, lists it and serves its weights unchanged', async () => {
      const { POST } = await import('@/app/api/models/trained/route');
      const response = await POST(upload({ record, weights }));
      expect(response.status).toBe(201);
      const saved = (await response.json()) as { id: string; revision: string; sha256: string; bytes: number };
      expect(saved).toMatchObject({ id: record.id, bytes: weights.byteLength });
      expect(saved.sha256.startsWith(saved.revision)).toBe(true);
      const { GET } = await import('@/app/api/models/route');
      const listing = (await (await GET()).json()) as { trained: { id: string; revision: string; current: boolean; dataWindow: Record<string, unknown>; metrics: Record<string, unknown> }[] };
      expect(listing.trained.find((model) => model.id === record.id)).toMatchObject({ revision: saved.revision, current: true, dataWindow: { source: 'etth1', trainedIn: 'browser' }, metrics: { resumedFromEpoch: 1 } });
      const weightsRoute = await import('@/app/api/models/trained/[id]/[revision]/weights/route');
      const served = await weightsRoute.GET(new Request('http://localhost/x'), { params: Promise.resolve({ id: record.id, revision: saved.revision }) });
      expect(new Uint8Array(await served.arrayBuffer())).toEqual(weights);
      const rows = await database.handle.query<{ created_by: string | null; training_run_id: string | null }>('SELECT created_by, training_run_id FROM trained_models WHERE id = $1', [record.id]);
      expect(rows[0]).toMatchObject({ training_run_id: 'browser-0123456789abcdef' });
    });

    it('refuses bad uploads with a 4xx naming the problem', async () => {
      const { POST } = await import('@/app/api/models/trained/route');
      const notMultipart = await POST(new Request('http://localhost/api/models/trained', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }));
      expect(notMultipart.status).toBe(400);
      expect(await messageOf(notMultipart)).toContain('send multipart/form-data with a "record" (JSON) and a "weights" (safetensors) part');
      const noWeights = await POST(upload({ record }));
      expect(noWeights.status).toBe(400);
      expect(await messageOf(noWeights)).toContain('the "weights" part (a safetensors file) is missing');
      const badId = await POST(upload({ record: { ...record, id: 'chronos-bolt-tiny' }, weights }));
      expect(badId.status).toBe(400);
      expect(await messageOf(badId)).toContain('id must start with "informer-"');
      const badCalibration = await POST(upload({ record: { ...record, calibration: { ...record.calibration, residuals: [[0]] } }, weights }));
      expect(badCalibration.status).toBe(400);
      expect(await messageOf(badCalibration)).toMatch(/calibration\.residuals/);
      const otherNetwork = encodeSafetensors(initialParameters({ ...config, dModel: 16, dFeedForward: 32 }, 5));
      const mismatch = await POST(upload({ record, weights: otherNetwork }));
      expect(mismatch.status).toBe(400);
      expect(await messageOf(mismatch)).toMatch(/^models: weights: .* has shape \[.*\], the config needs \[.*\]/);
      process.env.LOOKAHEAD_TRAINED_MAX_BYTES = '4096';
      try {
        const tooLarge = await POST(upload({ record, weights }));
        expect(tooLarge.status).toBe(413);
        expect(await messageOf(tooLarge)).toContain('at most 4096 bytes (LOOKAHEAD_TRAINED_MAX_BYTES)');
      } finally {
        delete process.env.LOOKAHEAD_TRAINED_MAX_BYTES;
      }
    });

    it('POST /api/telemetry/training records a browser run and its step and epoch metrics, and names a bad field', async () => {
      const { POST } = await import('@/app/api/telemetry/training/route');
      const report = (status: string, metrics: unknown[]) =>
        new Request('http://localhost/api/telemetry/training', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `192.0.2.${backend.name.length}` },
          body: JSON.stringify({ run: { id: 'browser-run-test-1', model: record.id, status, device: 'TensorFlow.js WASM, 1 thread', parameters: { task: 'energy' } }, metrics }),
        });
      const first = await POST(report('running', [{ epoch: 0, step: 1, trainLoss: 1.5, gradNorm: 0.3, stepMs: 40 }, { epoch: 0, step: 2, trainLoss: 1.2 }, { epoch: 0, trainLoss: 1.35, valLoss: 1.1, learningRate: 0.003 }]));
      expect(first.status).toBe(202);
      expect(await first.json()).toEqual({ recorded: true, metrics: 3 });
      expect((await POST(report('succeeded', []))).status).toBe(202);
      await monitor.flush();
      const curves = (await trainingCurves(database.handle, { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) })).filter((point) => point.runId === 'browser-run-test-1');
      expect(curves.map((point) => [point.status, point.origin, point.step, point.trainLoss, point.valLoss])).toEqual([
        ['succeeded', 'browser', 1, 1.5, null],
        ['succeeded', 'browser', 2, 1.2, null],
        ['succeeded', 'browser', null, 1.35, 1.1],
      ]);
      const runs = await database.handle.query<{ origin: string; finished_at: unknown }>(`SELECT origin, finished_at FROM training_runs WHERE id = 'browser-run-test-1'`);
      expect(runs[0]!.origin).toBe('browser');
      expect(runs[0]!.finished_at).not.toBeNull();
      const bad = await POST(new Request('http://localhost/api/telemetry/training', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ run: { id: 'train-job-1', model: 'x', status: 'done' } }) }));
      expect(bad.status).toBe(400);
      const message = await messageOf(bad);
      expect(message).toContain('run.id must look like "browser-<id>"');
      expect(message).toContain('run.status must be');
    });
  });
}
