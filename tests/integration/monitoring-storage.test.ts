import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configureTimescale,
  insertInferenceEvents,
  insertProcessSamples,
  ALL_ENDPOINTS,
  latencyFromEvents,
  latencyFromRollups,
  listPartitions,
  maintainMonitoringStorage,
  migrateDatabase,
  monitoringStorageKind,
  refreshModelPerformance,
  type InferenceEventRow,
} from '@/db';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';
import { prepareTimescale } from '../support/timescale-standin';

const DAY = 86_400_000;
const NOW = new Date('2026-03-10T12:00:00Z');

function event(time: Date, overrides: Partial<InferenceEventRow> = {}): InferenceEventRow {
  return {
    time: time.toISOString(), model: 'seasonal-naive', revision: null, runtime: 'server-cpu', device: 'cpu', origin: 'server',
    endpoint: '/api/forecast', seriesId: null, seriesCount: 1, points: 100, horizon: 12, latencyMs: 10, outcome: 'ok', errorKind: null, ...overrides,
  };
}

/** Exact percentile_cont (linear interpolation between closest ranks), the reference for the SQL. */
function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const low = Math.floor(rank);
  return sorted[low]! + (sorted[Math.min(low + 1, sorted.length - 1)]! - sorted[low]!) * (rank - low);
}

for (const backend of backends) {
  describe.skipIf(!backend.available)(`monitoring storage on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase(backend.name);
    }, 120_000);
    afterAll(async () => {
      await database?.drop();
    });

    it('the migration makes inference_events and training_metrics range-partitioned with a DEFAULT partition', async () => {
      expect(await monitoringStorageKind(database.handle)).toBe('partitioned');
      expect((await listPartitions(database.handle, 'inference_events')).map((p) => p.name)).toEqual(['inference_events_default']);
      expect((await listPartitions(database.handle, 'training_metrics')).map((p) => p.name)).toEqual(['training_metrics_default']);
    });

    it('maintenance creates day partitions ahead, moves stray rows out of DEFAULT, and drops old days', async () => {
      // Rows for 3 days ago land in DEFAULT (no partition yet); maintenance gives that day its own.
      await insertInferenceEvents(database.handle, [event(new Date(NOW.getTime() - 3 * DAY)), event(new Date(NOW.getTime() - 3 * DAY + 1000))]);
      const first = await maintainMonitoringStorage(database.handle, { now: NOW, retentionDays: 30, daysAhead: 2 });
      expect(first.created).toEqual(expect.arrayContaining(['inference_events_p20260307', 'inference_events_p20260310', 'inference_events_p20260311', 'inference_events_p20260312', 'training_metrics_p20260310']));
      expect(first.moved).toBe(2);
      const inDefault = await database.handle.query<{ n: number }>('SELECT count(*)::int AS n FROM lookahead_partitions.inference_events_default');
      expect(inDefault[0]!.n).toBe(0);
      const inDay = await database.handle.query<{ n: number }>('SELECT count(*)::int AS n FROM lookahead_partitions.inference_events_p20260307');
      expect(inDay[0]!.n).toBe(2);
      // Idempotent.
      const again = await maintainMonitoringStorage(database.handle, { now: NOW, retentionDays: 30, daysAhead: 2 });
      expect(again.created).toEqual([]);
      // 5 days later with a 4-day retention, the day of 2026-03-07 goes as a whole partition.
      const later = await maintainMonitoringStorage(database.handle, { now: new Date(NOW.getTime() + 5 * DAY), retentionDays: 4, daysAhead: 1 });
      expect(later.dropped).toContain('inference_events_p20260307');
      expect(later.dropped).not.toContain('inference_events_p20260312');
      const left = await database.handle.query<{ n: number }>('SELECT count(*)::int AS n FROM inference_events');
      expect(left[0]!.n).toBe(0);
    });

    it('the 5-minute and 1-hour rollups equal percentiles computed in JS from the same events, and equal the raw query', async () => {
      const base = new Date('2026-03-15T10:00:00Z').getTime();
      await maintainMonitoringStorage(database.handle, { now: new Date(base), retentionDays: 30 });
      const latencies: number[] = [];
      const rows: InferenceEventRow[] = [];
      for (let i = 0; i < 240; i += 1) {
        const latency = ((i * 37) % 101) + 0.5;
        latencies.push(latency);
        rows.push(event(new Date(base + i * 15_000), { latencyMs: latency, outcome: i % 10 === 0 ? 'error' : 'ok' }));
      }
      rows.push(event(new Date(base + 60_000), { model: 'auto-ets', latencyMs: 3 }));
      await insertInferenceEvents(database.handle, rows);
      const hourly = await refreshModelPerformance(database.handle, { width: '1h', from: new Date(base), to: new Date(base + 3600_000) });
      expect(hourly).toBe(2);
      const fiveMinute = await refreshModelPerformance(database.handle, { width: '5m', from: new Date(base), to: new Date(base + 3600_000) });
      expect(fiveMinute).toBe(12 + 1);
      // A second refresh replaces, never duplicates.
      expect(await refreshModelPerformance(database.handle, { width: '1h', from: new Date(base), to: new Date(base + 3600_000) })).toBe(2);
      const fromRollup = (await latencyFromRollups(database.handle, { from: new Date(base), to: new Date(base + 3600_000), width: '1h' })).find((p) => p.model === 'seasonal-naive')!;
      expect(fromRollup.requests).toBe(240);
      expect(fromRollup.errors).toBe(24);
      expect(fromRollup.p50).toBeCloseTo(percentile(latencies, 0.5), 9);
      expect(fromRollup.p99).toBeCloseTo(percentile(latencies, 0.99), 9);
      const fromRaw = (await latencyFromEvents(database.handle, { from: new Date(base), to: new Date(base + 3600_000), bucketSeconds: 3600 })).find((p) => p.model === 'seasonal-naive')!;
      expect(fromRaw).toEqual(fromRollup);
      const firstFive = (await latencyFromRollups(database.handle, { from: new Date(base), to: new Date(base + 300_000), width: '5m' })).find((p) => p.model === 'seasonal-naive')!;
      expect(firstFive.requests).toBe(20);
      expect(firstFive.p95).toBeCloseTo(percentile(latencies.slice(0, 20), 0.95), 9);
    });

    it('the all-endpoints rollup row has exact percentiles over every endpoint (not merged), and CPU/memory come from the processes that served each origin', async () => {
      const base = new Date('2026-03-16T10:00:00Z').getTime();
      await maintainMonitoringStorage(database.handle, { now: new Date(base), retentionDays: 30 });
      const serverLatencies = [1, 2, 3, 4, 100];
      const jobLatencies = [50, 60, 70];
      await insertInferenceEvents(database.handle, [
        ...serverLatencies.map((latencyMs, i) => event(new Date(base + i * 1000), { model: 'mstl', latencyMs })),
        ...jobLatencies.map((latencyMs, i) => event(new Date(base + 10_000 + i * 1000), { model: 'mstl', latencyMs, origin: 'job', endpoint: 'job:forecast-batch' })),
        event(new Date(base + 20_000), { model: 'mstl', runtime: 'browser-wasm', origin: 'browser', endpoint: 'browser:forecast', latencyMs: 5 }),
      ]);
      const sample = (minute: number, role: 'server' | 'worker' | 'server+worker', cpuPercent: number, rssMb: number) => ({
        time: new Date(base + minute * 60_000).toISOString(), processId: `${role}-1`, role, host: 'test', pid: 1, cpuPercent, rssMb, heapUsedMb: 10,
      });
      await insertProcessSamples(database.handle, [sample(1, 'server', 20, 300), sample(2, 'server', 40, 350), sample(3, 'worker', 90, 800), sample(65, 'server', 99, 999)]);
      expect(await refreshModelPerformance(database.handle, { width: '1h', from: new Date(base), to: new Date(base + 3600_000) })).toBe(3);
      const rows = await database.handle.query<Record<string, unknown>>(
        `SELECT endpoint, runtime, request_count, latency_p50_ms, latency_p99_ms, cpu_percent, memory_mb FROM model_performance
          WHERE model = 'mstl' AND bucket_width = '1h' ORDER BY runtime, endpoint`,
      );
      const byKey = Object.fromEntries(rows.map((row) => [`${row.runtime} ${row.endpoint}`, row]));
      expect(byKey['browser-wasm browser:forecast']).toMatchObject({ cpu_percent: null, memory_mb: null });
      // Server requests take the server samples of the bucket (mean CPU 30, peak RSS 350); the sample of the next hour is not this bucket's.
      expect(byKey['server-cpu /api/forecast']).toMatchObject({ request_count: 5, cpu_percent: 30, memory_mb: 350 });
      expect(byKey['server-cpu job:forecast-batch']).toMatchObject({ request_count: 3, cpu_percent: 90, memory_mb: 800 });
      const all = byKey[`server-cpu ${ALL_ENDPOINTS}`]!;
      const both = [...serverLatencies, ...jobLatencies];
      expect(all.request_count).toBe(8);
      expect(Number(all.latency_p50_ms)).toBeCloseTo(percentile(both, 0.5), 9);
      expect(Number(all.latency_p99_ms)).toBeCloseTo(percentile(both, 0.99), 9);
      // Weighted by requests: (5 x 30 + 3 x 90) / 8; peak memory of either role.
      expect(Number(all.cpu_percent)).toBeCloseTo((5 * 30 + 3 * 90) / 8, 9);
      expect(Number(all.memory_mb)).toBe(800);
      const [point] = await latencyFromRollups(database.handle, { from: new Date(base), to: new Date(base + 3600_000), width: '1h' }).then((points) => points.filter((p) => p.model === 'mstl' && p.runtime === 'server-cpu'));
      expect(point).toMatchObject({ requests: 8, memoryMb: 800 });
      const [raw] = await latencyFromEvents(database.handle, { from: new Date(base), to: new Date(base + 3600_000), bucketSeconds: 3600 }).then((points) => points.filter((p) => p.model === 'mstl' && p.runtime === 'server-cpu'));
      expect(raw!.p99).toBeCloseTo(point!.p99!, 9);
    });
  });
}

const timescale = await prepareTimescale(process.env.DATABASE_URL);
describe.skipIf(!timescale.available)(`monitoring storage with ${timescale.available ? timescale.label : `TimescaleDB (${!timescale.available && timescale.reason})`}`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('postgres', { migrate: false });
    await database.handle.query('CREATE EXTENSION timescaledb');
    await migrateDatabase(database.handle);
  }, 120_000);
  afterAll(async () => {
    await database?.drop();
  });

  it('the migration makes hypertables instead of partitions when the extension is present', async () => {
    expect(await monitoringStorageKind(database.handle)).toBe('timescale');
    const rows = await database.handle.query<{ name: string; dimension: string }>(
      `SELECT hypertable_name AS name, primary_dimension AS dimension FROM timescaledb_information.hypertables ORDER BY 1`,
    );
    expect(rows).toEqual([{ name: 'inference_events', dimension: 'time' }, { name: 'training_metrics', dimension: 'time' }]);
    const chunk = await database.handle.query<{ interval: string }>(
      `SELECT interval_length::text AS interval FROM _timescaledb_catalog.hypertable WHERE relid = 'public.inference_events'::regclass`,
    );
    expect(chunk[0]!.interval).toBe(String(86_400_000_000));
  });

  it('compression, retention policies and continuous aggregates are attempted and each refusal is reported', async () => {
    const report = await configureTimescale(database.handle, { retentionDays: 30 });
    expect(report[0]).toMatchObject({ feature: 'hypertables', ok: true });
    const features = report.map((feature) => feature.feature);
    expect(features).toEqual(['hypertables', 'compression', 'retention', 'continuous aggregate inference_events_5m', 'continuous aggregate inference_events_1h']);
    if (timescale.available && timescale.kind === 'stand-in') {
      // The stand-in has no compression, jobs or continuous aggregates: each is reported as refused.
      for (const feature of report.slice(1)) expect(feature).toMatchObject({ ok: false, detail: expect.stringContaining('refused by timescaledb') });
    } else {
      for (const feature of report) expect(feature.ok).toBe(true);
    }
  });

  it('retention without a policy deletes old rows; rollups work the same on a hypertable', async () => {
    await insertInferenceEvents(database.handle, [event(new Date(NOW.getTime() - 40 * DAY)), event(NOW, { latencyMs: 7 }), event(NOW, { latencyMs: 9 })]);
    const result = await maintainMonitoringStorage(database.handle, { now: NOW, retentionDays: 30 });
    expect(result).toMatchObject({ kind: 'timescale', deleted: 1 });
    expect(await refreshModelPerformance(database.handle, { width: '5m', from: NOW, to: new Date(NOW.getTime() + 300_000) })).toBe(1);
    const [point] = await latencyFromRollups(database.handle, { from: NOW, to: new Date(NOW.getTime() + 300_000), width: '5m' });
    expect(point).toMatchObject({ requests: 2, p50: 8 });
  });
});
