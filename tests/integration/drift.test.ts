import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAlertFirings, listDriftChecks, type DatabaseHandle } from '@/db';
import { kolmogorovSmirnov, populationStabilityIndex } from '@/lib/core/drift';
import { alertConfig, evaluateAlertRules, type AlertConfig } from '@/lib/server/anomalies';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';

// The app source offers only the tables it is given (LOOKAHEAD_APP_TABLES/_SCHEMAS).
process.env.LOOKAHEAD_APP_TABLES = 'metrics.load';

/** Hourly load for 10 days: "stable" keeps its daily cycle; "shifted" jumps by 15 in the last 24 hours. */
const START_MS = Date.UTC(2026, 1, 1);
const HOUR = 3_600_000;
const POINTS = 240;
const NOW = new Date(START_MS + POINTS * HOUR);
const cycle = (i: number) => 50 + 10 * Math.sin((2 * Math.PI * i) / 24) + ((i * 7919) % 11) / 11;
const stable = Array.from({ length: POINTS }, (_, i) => cycle(i));
const shifted = Array.from({ length: POINTS }, (_, i) => cycle(i) + (i >= POINTS - 24 ? 15 : 0));

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

const series = { source: 'app', table: 'metrics.load', column: 'value', entity: 'series' };
const rules = [
  { id: 'shifted-drift', kind: 'drift', ...series, series: 'shifted', recentHours: 24, referenceHours: 168, model: 'seasonal-naive', horizon: 6, folds: 2, level: 'critical' },
  { id: 'stable-drift', kind: 'drift', ...series, series: 'stable', recentHours: 24, referenceHours: 168 },
  // The reference named explicitly (another series, a fixed range): how a trained model's training window plugs in.
  {
    id: 'shifted-vs-stable-training', kind: 'drift', ...series, series: 'shifted', recentHours: 24, ksThreshold: 0.5, psiThreshold: 100,
    reference: { series: 'stable', from: new Date(START_MS).toISOString(), to: new Date(START_MS + 120 * HOUR).toISOString() },
  },
];

for (const backend of backends) {
  describe.skipIf(!backend.available)(`drift rules on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    const global = globalThis as { lookaheadDatabase?: Promise<DatabaseHandle> };
    let previous: Promise<DatabaseHandle> | undefined;
    let config: AlertConfig;

    beforeAll(async () => {
      database = await createTestDatabase(backend.name);
      const rows = (name: string, values: number[]) => values.map((value, i) => `('${new Date(START_MS + i * HOUR).toISOString()}', '${name}', ${value})`).join(',\n');
      await database.handle.query('CREATE SCHEMA metrics');
      await database.handle.query('CREATE TABLE metrics.load (ts timestamptz NOT NULL, series text NOT NULL, value double precision)');
      await database.handle.query(`INSERT INTO metrics.load VALUES ${rows('stable', stable)}, ${rows('shifted', shifted)}`);
      previous = global.lookaheadDatabase;
      global.lookaheadDatabase = Promise.resolve(database.handle);
      receiver = await startReceiver();
      config = alertConfig({ LOOKAHEAD_ALERT_RULES: JSON.stringify(rules), LOOKAHEAD_ALERT_WEBHOOK_URL: receiver.url, LOOKAHEAD_ALERT_ALLOWED_HOSTS: receiver.host });
    }, 120_000);
    afterAll(async () => {
      global.lookaheadDatabase = previous;
      receiver?.server.close();
      await database?.drop();
    });

    it('a shifted series fires a drift alert with PSI and KS equal to lib/core on the same windows; a stable one does not; every check is recorded', async () => {
      const results = await evaluateAlertRules({ handle: database.handle, config, now: NOW });
      expect(results.map((result) => result.error)).toEqual([undefined, undefined, undefined]);
      expect(results.map((result) => result.fired)).toEqual([1, 0, 1]);
      const reference = shifted.slice(POINTS - 24 - 168, POINTS - 24);
      const recent = shifted.slice(POINTS - 24);
      const psi = populationStabilityIndex(reference, recent);
      const ks = kolmogorovSmirnov(reference, recent);
      expect(psi).toBeGreaterThan(0.25);
      const body = receiver.bodies.find((entry) => entry.rule === 'shifted-drift')!;
      expect(body).toMatchObject({ kind: 'drift', level: 'critical', source: 'app', series: 'shifted', time: NOW.toISOString(), threshold: 0.25 });
      expect(body.psi as number).toBeCloseTo(psi, 9);
      expect((body.ks as { statistic: number }).statistic).toBeCloseTo(ks.statistic, 9);
      expect(body.reference).toMatchObject({ series: 'shifted', from: new Date(NOW.getTime() - (24 + 168) * HOUR).toISOString(), to: new Date(NOW.getTime() - 24 * HOUR).toISOString(), count: 168 });
      expect(body.recent).toMatchObject({ count: 24 });
      const rolling = body.rollingError as { recent: { folds: number; mae: number } | null; reference: { folds: number; mae: number } | null; maeRatio: number | null };
      expect(rolling.recent).toMatchObject({ folds: 2 });
      expect(rolling.reference).toMatchObject({ folds: 2 });
      expect(rolling.maeRatio).toBeCloseTo(rolling.recent!.mae / rolling.reference!.mae, 12);

      const checks = await listDriftChecks(database.handle);
      expect(checks).toHaveLength(3);
      const byRule = Object.fromEntries(checks.map((check) => [check.ruleId, check]));
      expect(byRule['stable-drift']).toMatchObject({ fired: false, error: null, referenceCount: 168, recentCount: 24 });
      expect(byRule['stable-drift']!.psi!).toBeLessThan(0.25);
      expect(byRule['shifted-drift']).toMatchObject({ fired: true, series: 'shifted', model: 'seasonal-naive' });
      expect(byRule['shifted-drift']!.psi!).toBeCloseTo(psi, 9);
      // The explicit reference: the first 120 hours of "stable", fired on KS alone.
      const training = byRule['shifted-vs-stable-training']!;
      expect(training).toMatchObject({ fired: true, referenceFrom: new Date(START_MS).toISOString(), referenceTo: new Date(START_MS + 120 * HOUR).toISOString(), referenceCount: 120 });
      expect(training.ksStatistic!).toBeCloseTo(kolmogorovSmirnov(stable.slice(0, 120), recent).statistic, 9);
      const firings = await listAlertFirings(database.handle);
      expect(firings.filter((firing) => firing.ruleId === 'shifted-drift')).toEqual([expect.objectContaining({ series: 'shifted', pointTime: NOW.toISOString(), delivered: true, threshold: 0.25 })]);
    });

    it('while the drift lasts it fires again only after repeatMinutes, and every evaluation is still recorded', async () => {
      const bodies = receiver.bodies.length;
      const soon = await evaluateAlertRules({ handle: database.handle, config, now: new Date(NOW.getTime() + 10 * 60_000) });
      expect(soon[0]).toMatchObject({ rule: 'shifted-drift', fired: 0 });
      const later = await evaluateAlertRules({ handle: database.handle, config, now: new Date(NOW.getTime() + 61 * 60_000) });
      expect(later[0]).toMatchObject({ rule: 'shifted-drift', fired: 1, delivered: 1 });
      expect(receiver.bodies.length).toBe(bodies + 2);
      expect((await listDriftChecks(database.handle)).filter((check) => check.ruleId === 'shifted-drift').map((check) => check.fired)).toEqual([true, false, true]);
    });

    it('fixed reference and recent ranges compare two given periods whatever the time of evaluation', async () => {
      const fixed = alertConfig({
        LOOKAHEAD_ALERT_RULES: JSON.stringify([{
          id: 'fixed', kind: 'drift', ...series, series: 'shifted',
          reference: { from: new Date(START_MS).toISOString(), to: new Date(START_MS + 100 * HOUR).toISOString() },
          recent: { from: new Date(START_MS + 216 * HOUR).toISOString(), to: new Date(START_MS + 240 * HOUR).toISOString() },
        }]),
        LOOKAHEAD_ALERT_WEBHOOK_URL: receiver.url,
        LOOKAHEAD_ALERT_ALLOWED_HOSTS: receiver.host,
      });
      const [result] = await evaluateAlertRules({ handle: database.handle, config: fixed, now: new Date(Date.UTC(2030, 0, 1)) });
      expect(result).toMatchObject({ rule: 'fixed', fired: 1 });
      const [check] = await listDriftChecks(database.handle, { limit: 1 });
      expect(check).toMatchObject({ ruleId: 'fixed', referenceCount: 100, recentCount: 24, recentTo: new Date(START_MS + 240 * HOUR).toISOString() });
      expect(check!.psi!).toBeCloseTo(populationStabilityIndex(shifted.slice(0, 100), shifted.slice(216, 240)), 9);
    });

    it('a window with too few points is a recorded check with the error, named', async () => {
      const sparse = alertConfig({
        LOOKAHEAD_ALERT_RULES: JSON.stringify([{ id: 'empty', kind: 'drift', ...series, series: 'stable', recentHours: 24 }]),
        LOOKAHEAD_ALERT_WEBHOOK_URL: receiver.url,
        LOOKAHEAD_ALERT_ALLOWED_HOSTS: receiver.host,
      });
      const [result] = await evaluateAlertRules({ handle: database.handle, config: sparse, now: new Date(START_MS - 1000 * HOUR) });
      expect(result!.error).toBe('drift: app/stable: the reference window has 0 values (needs 10) and the recent window 0 (needs 1); widen the windows');
      const [check] = await listDriftChecks(database.handle, { limit: 1 });
      expect(check).toMatchObject({ ruleId: 'empty', fired: false, error: result!.error });
    });
  });
}

describe('drift rule configuration', () => {
  it('names a bad field, and a rule without kind is still an anomaly rule', () => {
    expect(() => alertConfig({ LOOKAHEAD_ALERT_RULES: JSON.stringify([{ id: 'x', kind: 'drift', source: 'app', column: 'v', psiThreshold: -1 }]) })).toThrow(/psiThreshold/);
    const { rules: parsed } = alertConfig({ LOOKAHEAD_ALERT_RULES: JSON.stringify([{ id: 'y', source: 'app', column: 'v' }]) });
    expect(parsed[0]).toMatchObject({ id: 'y', kind: 'anomaly', method: 'zscore' });
  });
});
