import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTrainedModel, listAlertFirings, listDriftChecks, type DatabaseHandle } from '@/db';
import { driftSummary } from '@/lib/core/drift';
import { alertConfig, checkTrainedModelsDrift, evaluateAlertRules } from '@/lib/server/anomalies';
import { describeJob, jobSettings, openJobQueue, startJobWorker, submitJob, type JobQueue, type JobWorker } from '@/lib/server/jobs';
import { Monitor, setMonitor } from '@/lib/server/monitoring';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';
import { createSeriesFixture, FIXTURE_APP_TABLES, FIXTURE_START, FIXTURE_TABLE, FIXTURE_WINDOW, seriesName, waitFor } from '../support/jobs';

// The app source offers only the tables it is given (LOOKAHEAD_APP_TABLES/_SCHEMAS).
process.env.LOOKAHEAD_APP_TABLES = FIXTURE_APP_TABLES;

/**
 * Drift of a trained model on PGlite and (with DATABASE_URL) Postgres: a tiny Informer trained by
 * a server train job on a fixture series; the schedule's check compares its training window (the
 * train split) with the data after it, PSI/KS equal to lib/core on the same values scaled by the
 * model's scaler, with the model's own rolling error; new shifted data after training raises PSI
 * and the count of new points; a drift rule naming the model fires the webhook; the revision
 * route and the /monitor data carry the check.
 */
const LENGTH = 360;
const HOUR = 3_600_000;
const MODEL_ID = 'informer-drift-s1';
const tiny = {
  task: 'energy', size: 'small',
  overrides: { contextLength: 24, labelLength: 12, horizon: 6, dModel: 8, heads: 2, encoderLayers: 1, decoderLayers: 1, dFeedForward: 16, factor: 2 },
  epochs: 1, batchSize: 16, learningRate: 0.003, patience: 2, maxStepsPerEpoch: 2, maxValidationWindows: 8, seed: 7,
};

async function startReceiver(): Promise<{ server: Server; url: string; host: string; bodies: Record<string, unknown>[] }> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    response.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hook`, host: `127.0.0.1:${port}`, bodies };
}

for (const backend of backends) {
  describe.skipIf(!backend.available)(`trained-model drift on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;
    let queue: JobQueue;
    let worker: JobWorker;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let monitor: Monitor;
    const global = globalThis as { lookaheadDatabase?: Promise<DatabaseHandle> };
    const settings = { ...jobSettings({}), chunkSize: 1, batchSize: 4, chunkRetries: 0, heartbeatSeconds: 1 };
    const series = seriesName(1);

    beforeAll(async () => {
      database = await createTestDatabase(backend.name);
      await createSeriesFixture(database.handle, { series: 2, length: LENGTH });
      global.lookaheadDatabase = Promise.resolve(database.handle);
      monitor = new Monitor({ database: async () => database.handle });
      setMonitor(monitor);
      queue = await openJobQueue({ handle: database.handle, ...(database.url ? { url: database.url } : {}), settings });
      worker = await startJobWorker({ handle: database.handle, queue, settings, log: () => {} });
      receiver = await startReceiver();
      const job = await submitJob({ handle: database.handle, queue, settings, request: { kind: 'train', params: { source: 'app', window: FIXTURE_WINDOW, series, modelId: MODEL_ID, ...tiny } } });
      const view = await waitFor('the train job to finish', async () => {
        const current = await describeJob({ handle: database.handle, id: job.id });
        return current?.terminal ? current : null;
      }, { timeoutMs: 300_000 });
      expect(view.state).toBe('completed');
    }, 400_000);

    afterAll(async () => {
      global.lookaheadDatabase = undefined;
      setMonitor(null);
      await monitor?.close();
      receiver?.server.close();
      await worker?.stop({ graceMs: 0 });
      await queue?.stop();
      await database?.drop();
    });

    it('the schedule checks the training window against the data after it: PSI/KS as lib/core on model-scaled values, and the model\'s rolling error', async () => {
      const model = (await getTrainedModel(database.handle, { id: MODEL_ID }))!;
      const now = new Date();
      const round = await checkTrainedModelsDrift({ handle: database.handle, now });
      expect(round).toEqual({ checked: [`${MODEL_ID}@${model.revision}`], skipped: 0, failed: [] });
      // Within the interval a second round skips it.
      expect((await checkTrainedModelsDrift({ handle: database.handle, now: new Date(now.getTime() + 60_000) })).skipped).toBe(1);
      const [check] = (await listDriftChecks(database.handle)).filter((row) => row.model === MODEL_ID);
      const window = model.dataWindow as { splits: { train: { from: string; to: string; rows: number }; test: { rows: number } }; range: { to: string } };
      expect(check).toMatchObject({ ruleId: null, source: 'app', series, referenceFrom: window.splits.train.from, referenceCount: window.splits.train.rows, error: null });
      // The fixture: value = 10 + hour % 24; the recent window is the newest test-split-many points after the train split.
      const value = (hour: number) => 10 * 1 + (hour % 24);
      const trainStart = (Date.parse(window.splits.train.from) - Date.parse(FIXTURE_START)) / HOUR;
      const reference = Array.from({ length: window.splits.train.rows }, (_, i) => value(trainStart + i));
      const recentStart = (Date.parse(check!.recentFrom) - Date.parse(FIXTURE_START)) / HOUR;
      const recent = Array.from({ length: check!.recentCount }, (_, i) => value(recentStart + i));
      expect(check!.recentCount).toBe(window.splits.test.rows);
      const scaler = (model.config as { scaler: { mean: number[]; std: number[] } }).scaler;
      const scale = (values: number[]) => values.map((v) => (v - scaler.mean[0]!) / scaler.std[0]!);
      const expected = driftSummary(scale(reference), scale(recent));
      expect(check!.psi).toBeCloseTo(expected.psi, 9);
      expect(check!.ksStatistic).toBeCloseTo(expected.ksStatistic, 9);
      // A daily cycle against whole days of itself: no drift.
      expect(check!.psi!).toBeLessThan(0.1);
      const rolling = check!.rollingError as { model: string; revision: string; newPoints: number; recent: { mae: number; folds: number }; reference: { mae: number }; maeRatio: number };
      expect(rolling).toMatchObject({ model: MODEL_ID, revision: model.revision, newPoints: 0, scaled: true });
      expect(rolling.recent.folds).toBe(3);
      expect(rolling.recent.mae).toBeGreaterThanOrEqual(0);
      expect(rolling.maeRatio).toBeCloseTo(rolling.recent.mae / rolling.reference.mae, 9);
    });

    it('shifted data after training raises PSI and counts new points; a drift rule naming the model fires once with its training window as the reference', async () => {
      // 48 new hours after the training data, shifted by +50 (ten training standard deviations and more).
      await database.handle.query(
        `INSERT INTO ${FIXTURE_TABLE} SELECT $1, $2::timestamptz + make_interval(hours => h), 60 + (h % 24) FROM generate_series($3::int, $3::int + 47) AS h`,
        [series, FIXTURE_START, LENGTH],
      );
      const later = new Date(Date.now() + 2 * HOUR);
      const round = await checkTrainedModelsDrift({ handle: database.handle, now: later });
      expect(round.checked).toHaveLength(1);
      const [check] = (await listDriftChecks(database.handle)).filter((row) => row.model === MODEL_ID && row.ruleId === null);
      expect(check!.psi!).toBeGreaterThan(0.25);
      expect((check!.rollingError as { newPoints: number }).newPoints).toBe(48);
      expect((check!.rollingError as { meanShift: number }).meanShift).toBeGreaterThan(1);

      const config = alertConfig({
        LOOKAHEAD_ALERT_RULES: JSON.stringify([{ id: 'trained-drift', kind: 'drift', trainedModel: MODEL_ID, recentPoints: 48, folds: 1, level: 'critical' }]),
        LOOKAHEAD_ALERT_WEBHOOK_URL: receiver.url,
        LOOKAHEAD_ALERT_ALLOWED_HOSTS: receiver.host,
      });
      const [result] = await evaluateAlertRules({ handle: database.handle, config, now: later });
      expect(result).toMatchObject({ rule: 'trained-drift', fired: 1, delivered: 1 });
      const model = (await getTrainedModel(database.handle, { id: MODEL_ID }))!;
      const window = model.dataWindow as { splits: { train: { from: string } } };
      expect(receiver.bodies).toEqual([
        expect.objectContaining({
          rule: 'trained-drift', kind: 'drift', level: 'critical', source: 'app', series, model: MODEL_ID, revision: model.revision,
          reference: expect.objectContaining({ kind: 'training window (train split)', from: window.splits.train.from }),
          recent: expect.objectContaining({ count: 48, newPoints: 48 }),
        }),
      ]);
      expect((receiver.bodies[0] as { psi: number }).psi).toBeGreaterThan(0.25);
      expect((await listAlertFirings(database.handle)).filter((firing) => firing.ruleId === 'trained-drift')).toEqual([expect.objectContaining({ delivered: true, series })]);
      // Within repeatMinutes it is checked and recorded again, not fired again.
      const [again] = await evaluateAlertRules({ handle: database.handle, config, now: new Date(later.getTime() + 60_000) });
      expect(again).toMatchObject({ fired: 0 });
      expect((await listDriftChecks(database.handle)).filter((row) => row.ruleId === 'trained-drift').map((row) => row.fired)).toEqual([false, true]);
    });

    it('the revision route and /monitor show the newest check beside the model; a rule naming an unknown model says so', async () => {
      const model = (await getTrainedModel(database.handle, { id: MODEL_ID }))!;
      const { GET } = await import('@/app/api/models/trained/[id]/[revision]/route');
      const detail = await (await GET(new Request('http://localhost/'), { params: Promise.resolve({ id: MODEL_ID, revision: model.revision }) })).json();
      const own = detail.drift.find((check: { ruleId: string | null }) => check.ruleId === null);
      expect(own.psi).toBeGreaterThan(0.25);
      expect(detail.drift.find((check: { ruleId: string | null }) => check.ruleId === 'trained-drift')).toMatchObject({ fired: false });
      const route = await import('@/app/api/monitor/route');
      const dashboard = await (await route.GET(new Request('http://localhost/api/monitor?range=24h'))).json();
      const entry = dashboard.trainedModels.find((row: { id: string }) => row.id === MODEL_ID);
      expect(entry).toMatchObject({ revision: model.revision, source: 'app', series, drift: expect.objectContaining({ ruleId: null, psi: own.psi }) });
      const config = alertConfig({
        LOOKAHEAD_ALERT_RULES: JSON.stringify([{ id: 'ghost', kind: 'drift', trainedModel: 'informer-nope' }]),
        LOOKAHEAD_ALERT_WEBHOOK_URL: receiver.url,
        LOOKAHEAD_ALERT_ALLOWED_HOSTS: receiver.host,
      });
      const [result] = await evaluateAlertRules({ handle: database.handle, config });
      expect(result!.error).toBe('alerts: drift rule ghost: no trained model "informer-nope" (GET /api/models lists them under "trained")');
      expect(() => alertConfig({ LOOKAHEAD_ALERT_RULES: JSON.stringify([{ id: 'x', kind: 'drift' }]) })).toThrow(/names "source" and "column", or "trainedModel"/);
    });
  });
}
