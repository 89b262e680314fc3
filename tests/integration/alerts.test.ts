import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAlertFirings, type DatabaseHandle } from '@/db';
import { alertConfig, evaluateAlertRules, type AlertConfig } from '@/lib/server/anomalies';
import { Monitor } from '@/lib/server/monitoring';
import { anomalyFixtureSql, FIXTURE_START_MS, SPIKE_INDEX, SPIKE_VALUE, STEP_MS } from '../support/anomaly-fixture';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';

// The app source offers only what it is given: the fixture's schema.
process.env.LOOKAHEAD_APP_SCHEMAS = 'sensors';

/** A local webhook receiver (the test's stand-in for Slack/PagerDuty): records every POST body, answers `status`. */
async function startReceiver(): Promise<{ server: Server; url: string; host: string; bodies: unknown[]; setStatus(status: number): void }> {
  const bodies: unknown[] = [];
  let status = 200;
  const server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    response.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hook`, host: `127.0.0.1:${port}`, bodies, setStatus: (next) => (status = next) };
}

const spikeTime = new Date(FIXTURE_START_MS + SPIKE_INDEX * STEP_MS).toISOString();
const rule = { id: 'sensor-a-spike', source: 'app', table: 'sensors.readings', column: 'value', entity: 'series', series: 'a', window: 48, threshold: 4, level: 'critical' };

for (const backend of backends) {
  describe.skipIf(!backend.available)(`alert rules on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    const global = globalThis as { lookaheadDatabase?: Promise<DatabaseHandle> };
    let previous: Promise<DatabaseHandle> | undefined;
    let config: AlertConfig;

    beforeAll(async () => {
      database = await createTestDatabase(backend.name);
      for (const statement of anomalyFixtureSql()) await database.handle.query(statement);
      previous = global.lookaheadDatabase;
      // The rule reads the app database (source "app"), which is this test's database.
      global.lookaheadDatabase = Promise.resolve(database.handle);
      receiver = await startReceiver();
      config = alertConfig({ LOOKAHEAD_ALERT_RULES: JSON.stringify([rule]), LOOKAHEAD_ALERT_WEBHOOK_URL: receiver.url, LOOKAHEAD_ALERT_ALLOWED_HOSTS: receiver.host });
    }, 120_000);
    afterAll(async () => {
      global.lookaheadDatabase = previous;
      receiver?.server.close();
      await database?.drop();
    });

    it('an injected spike fires the webhook once, and the firing is recorded', async () => {
      const [first] = await evaluateAlertRules({ handle: database.handle, config });
      expect(first).toMatchObject({ rule: 'sensor-a-spike', fired: 1, delivered: 1 });
      expect(first!.error).toBeUndefined();
      expect(receiver.bodies).toHaveLength(1);
      expect(receiver.bodies[0]).toMatchObject({ rule: 'sensor-a-spike', level: 'critical', source: 'app', series: 'a', column: 'value', method: 'zscore', time: spikeTime, value: SPIKE_VALUE, threshold: 4 });
      const firings = await listAlertFirings(database.handle);
      expect(firings).toEqual([expect.objectContaining({ ruleId: 'sensor-a-spike', pointTime: spikeTime, value: SPIKE_VALUE, delivered: true, httpStatus: 200, error: null })]);
      // The same point never fires twice.
      const [second] = await evaluateAlertRules({ handle: database.handle, config });
      expect(second).toMatchObject({ fired: 0 });
      expect(receiver.bodies).toHaveLength(1);
    });

    it('a new spike fires; a receiver that fails is recorded as not delivered', async () => {
      const later = new Date(FIXTURE_START_MS + 400 * STEP_MS).toISOString();
      await database.handle.query(`INSERT INTO sensors.readings VALUES ($1, 'a', -80)`, [later]);
      receiver.setStatus(500);
      const [result] = await evaluateAlertRules({ handle: database.handle, config });
      expect(result).toMatchObject({ fired: 1, delivered: 0 });
      const [newest] = await listAlertFirings(database.handle);
      expect(newest).toMatchObject({ pointTime: later, value: -80, delivered: false, httpStatus: 500, error: 'HTTP 500' });
      receiver.setStatus(200);
    });

    it('a webhook host off the allow-list is refused before anything is posted or recorded', async () => {
      expect(() => alertConfig({ LOOKAHEAD_ALERT_WEBHOOK_URL: 'http://evil.example:9/x', LOOKAHEAD_ALERT_ALLOWED_HOSTS: receiver.host })).toThrow(
        `alerts: the webhook host evil.example:9 is not on LOOKAHEAD_ALERT_ALLOWED_HOSTS (${receiver.host}); add it there to allow posting to it`,
      );
      const before = (await listAlertFirings(database.handle)).length;
      const bodies = receiver.bodies.length;
      const [result] = await evaluateAlertRules({ handle: database.handle, config: { ...config, allowedHosts: ['other.example'] } });
      expect(result!.error).toContain('is not on LOOKAHEAD_ALERT_ALLOWED_HOSTS');
      expect((await listAlertFirings(database.handle)).length).toBe(before);
      expect(receiver.bodies.length).toBe(bodies);
    });

    it('a rule without a series covers every series of the table, each firing on its own', async () => {
      const everySeries = { ...rule, id: 'all-sensors', series: undefined, threshold: 4 };
      const bodies = receiver.bodies.length;
      const [result] = await evaluateAlertRules({ handle: database.handle, config: { ...config, rules: [alertConfig({ LOOKAHEAD_ALERT_RULES: JSON.stringify([everySeries]) }).rules[0]!] } });
      expect(result!.error).toBeUndefined();
      const posted = receiver.bodies.slice(bodies) as { series: string; time: string }[];
      expect(new Set(posted.map((body) => body.series))).toEqual(new Set(['a', 'b']));
      expect(posted).toContainEqual(expect.objectContaining({ series: 'a', time: spikeTime }));
      const firings = await listAlertFirings(database.handle, { limit: 500 });
      expect(firings.filter((firing) => firing.ruleId === 'all-sensors/a').length).toBeGreaterThanOrEqual(1);
      expect(firings.filter((firing) => firing.ruleId === 'all-sensors/b').length).toBeGreaterThanOrEqual(1);
      // At most 20 firings per series and round: later rounds fire the rest, then nothing, and no point twice.
      let rounds = 0;
      for (;;) {
        const [again] = await evaluateAlertRules({ handle: database.handle, config: { ...config, rules: [alertConfig({ LOOKAHEAD_ALERT_RULES: JSON.stringify([everySeries]) }).rules[0]!] } });
        rounds += 1;
        if (again!.fired === 0 || rounds > 20) break;
      }
      expect(rounds).toBeLessThanOrEqual(20);
      const all = (await listAlertFirings(database.handle, { limit: 5000 })).filter((firing) => firing.ruleId.startsWith('all-sensors/'));
      expect(new Set(all.map((firing) => `${firing.ruleId} ${firing.pointTime}`)).size).toBe(all.length);
    });

    it('the monitor schedule runs the rules with partitions and rollups, reporting each step', async () => {
      const monitor = new Monitor({ database: async () => database.handle, config: { retentionDays: 7 } });
      monitor.addScheduledTask('alerts', ({ handle }) => evaluateAlertRules({ handle, config }));
      monitor.recordInference({ model: 'seasonal-naive', runtime: 'server-cpu', device: 'JavaScript', origin: 'server', endpoint: '/api/forecast', points: 10, horizon: 2, latencyMs: 5, outcome: 'ok' });
      const report = await monitor.runSchedule();
      expect(report.tasks).toEqual({ maintenance: 'ok', rollups: 'ok', alerts: 'ok' });
      expect(report.maintenance!.created.length).toBeGreaterThan(0);
      expect(report.rollups).toEqual({ '5m': 1, '1h': 1 });
      await monitor.close();
    });
  });
}
