import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDriftCheck, insertInferenceEvents, insertProcessSamples, refreshModelPerformance, type DatabaseHandle, type InferenceEventRow } from '@/db';
import { Monitor, setMonitor } from '@/lib/server/monitoring';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';

const HOUR = 3_600_000;

for (const backend of backends) {
  describe.skipIf(!backend.available)(`GET /api/monitor on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;
    let monitor: Monitor;
    let route: typeof import('@/app/api/monitor/route');
    const global = globalThis as { lookaheadDatabase?: Promise<DatabaseHandle> };
    let previous: Promise<DatabaseHandle> | undefined;
    const get = async (range: string) => route.GET(new Request(`http://localhost/api/monitor?range=${range}`));

    beforeAll(async () => {
      database = await createTestDatabase(backend.name);
      previous = global.lookaheadDatabase;
      global.lookaheadDatabase = Promise.resolve(database.handle);
      monitor = new Monitor({ database: async () => database.handle, config: { retentionDays: 30 } });
      setMonitor(monitor);
      route = await import('@/app/api/monitor/route');
      // Events over the last 3 days, hourly: two models, one with errors.
      const now = Date.now();
      const rows: InferenceEventRow[] = [];
      for (let hour = 1; hour <= 72; hour += 1) {
        for (let k = 0; k < 4; k += 1) {
          const base = { revision: null, device: 'cpu', origin: 'server' as const, endpoint: '/api/forecast', seriesId: null, seriesCount: 1, points: 50, horizon: 5, errorKind: null };
          rows.push({ ...base, time: new Date(now - hour * HOUR + k * 60_000).toISOString(), model: 'seasonal-naive', runtime: 'server-cpu', latencyMs: 2 + k, outcome: 'ok' });
          rows.push({ ...base, time: new Date(now - hour * HOUR + k * 60_000).toISOString(), model: 'chronos-bolt-tiny', runtime: 'browser-wasm', latencyMs: 100 + 10 * k, outcome: k === 3 ? 'error' : 'ok' });
        }
      }
      await insertInferenceEvents(database.handle, rows);
      monitor.recordTrainingMetric({ runId: 'r1', model: 'informer', step: 1, trainLoss: 0.9 });
      monitor.recordTrainingMetric({ runId: 'r1', model: 'informer', step: 2, trainLoss: 0.5, valLoss: 0.6 });
      const report = await monitor.runSchedule();
      expect(report.tasks).toMatchObject({ maintenance: 'ok', rollups: 'ok' });
    }, 180_000);
    afterAll(async () => {
      setMonitor(null);
      await monitor?.close();
      global.lookaheadDatabase = previous;
      await database?.drop();
    });

    it('24h reads raw events; 7d reads only the 1-hour rollups, with the same counts for the same hours', async () => {
      const day = await (await get('24h')).json();
      expect(day).toMatchObject({ range: '24h', read: 'raw', bucketSeconds: 900 });
      const week = await (await get('7d')).json();
      expect(week).toMatchObject({ range: '7d', read: 'rollup-1h', bucketSeconds: 3600 });
      const total = (points: { requests: number; errors: number; model: string }[], model: string) =>
        points.filter((point) => point.model === model).reduce((sum, point) => ({ requests: sum.requests + point.requests, errors: sum.errors + point.errors }), { requests: 0, errors: 0 });
      expect(total(week.latency, 'chronos-bolt-tiny')).toEqual({ requests: 72 * 4, errors: 72 });
      expect(total(week.latency, 'seasonal-naive')).toEqual({ requests: 72 * 4, errors: 0 });
      const dayTotal = total(day.latency, 'seasonal-naive').requests;
      expect(dayTotal).toBeGreaterThanOrEqual(23 * 4);
      expect(dayTotal).toBeLessThanOrEqual(24 * 4);
      // Each hour holds latencies 100, 110, 120, 130: p50 = 115, p99 = 129.7 (percentile_cont).
      const hour = week.latency.find((point: { model: string; requests: number }) => point.model === 'chronos-bolt-tiny' && point.requests === 4);
      expect(hour.p50).toBeCloseTo(115, 9);
      expect(hour.p99).toBeCloseTo(129.7, 9);
      expect(week.training.map((point: { step: number; trainLoss: number }) => [point.step, point.trainLoss])).toEqual([[1, 0.9], [2, 0.5]]);
      expect(week.queue).toEqual({ depth: {}, workers: 0, active: 0, connected: false });
      expect(week.freshness.find((row: { kind: string }) => row.kind === 'inference').newest).not.toBeNull();
    });

    it('CPU and memory: per process role from process_samples for raw ranges, per model and runtime from the rollups beyond a day; drift checks listed', async () => {
      const now = Date.now();
      const sample = (ago: number, cpuPercent: number, rssMb: number) => ({ time: new Date(now - ago).toISOString(), processId: 'p1', role: 'server' as const, host: 'h', pid: 1, cpuPercent, rssMb, heapUsedMb: 1 });
      // About three hours ago, within one hourly bucket of the seasonal-naive server events, and both
      // in one 15-minute bucket of the 24h view: 7 and 8 minutes into a quarter hour, whatever the clock says.
      const QUARTER = 15 * 60_000;
      const inBucket = Math.floor((now - 3 * HOUR) / QUARTER) * QUARTER + 7 * 60_000;
      await insertProcessSamples(database.handle, [sample(now - inBucket, 40, 500), sample(now - inBucket - 60_000, 60, 700)]);
      await insertDriftCheck(database.handle, {
        time: new Date(now).toISOString(), ruleId: 'rule-d', source: 'app', series: 's', model: null,
        referenceFrom: new Date(now - 10 * HOUR).toISOString(), referenceTo: new Date(now - 2 * HOUR).toISOString(), recentFrom: new Date(now - 2 * HOUR).toISOString(), recentTo: new Date(now).toISOString(),
        referenceCount: 8, recentCount: 2, psi: 0.4, ksStatistic: 0.6, ksPValue: 0.01, rollingError: null, psiThreshold: 0.25, ksThreshold: null, fired: true, error: null,
      });
      const day = await (await get('24h')).json();
      const server = day.resources.filter((point: { key: string }) => point.key === 'server');
      expect(server).toHaveLength(1);
      expect(server[0]).toMatchObject({ cpuPercent: 50, memoryMb: 700 });
      expect(day.drift).toEqual([expect.objectContaining({ ruleId: 'rule-d', psi: 0.4, fired: true })]);
      // The rollups take the samples of their hour when a refresh covers it.
      await refreshModelPerformance(database.handle, { width: '1h', from: new Date(now - 5 * HOUR), to: new Date(now) });
      const refreshed = await (await get('7d')).json();
      const perModel = refreshed.resources.filter((point: { key: string }) => point.key === 'seasonal-naive · server-cpu');
      expect(perModel).toEqual([expect.objectContaining({ cpuPercent: 50, memoryMb: 700 })]);
    });

    it('30d merges the hourly rollups into 3-hour buckets in SQL: exact counts, request-weighted p50-p95, p99 the hours\' largest', async () => {
      const week = await (await get('7d')).json();
      const month = await (await get('30d')).json();
      expect(month).toMatchObject({ range: '30d', read: 'rollup-1h', bucketSeconds: 3 * 3600, percentiles: 'merged' });
      expect(week.percentiles).toBe('exact');
      const lines = new Set(month.latency.map((point: { model: string; runtime: string }) => `${point.model} · ${point.runtime}`));
      for (const line of lines) expect(month.latency.filter((point: { model: string; runtime: string }) => `${point.model} · ${point.runtime}` === line).length).toBeLessThanOrEqual(300);
      type Point = { bucket: string; model: string; requests: number; errors: number; p50: number; p99: number };
      const tiny = (points: Point[]) => points.filter((point) => point.model === 'chronos-bolt-tiny');
      const sum = (points: Point[], key: 'requests' | 'errors') => points.reduce((total, point) => total + point[key], 0);
      expect(sum(tiny(month.latency), 'requests')).toBe(sum(tiny(week.latency), 'requests'));
      expect(sum(tiny(month.latency), 'errors')).toBe(72);
      // Each merged bucket against the hours in it (from the 7d view, exact per hour).
      for (const merged of tiny(month.latency)) {
        const start = Date.parse(merged.bucket);
        const hours = tiny(week.latency).filter((point) => Date.parse(point.bucket) >= start && Date.parse(point.bucket) < start + 3 * HOUR);
        expect(hours.length).toBeGreaterThan(0);
        expect(merged.requests).toBe(sum(hours, 'requests'));
        expect(merged.p99).toBeCloseTo(Math.max(...hours.map((hour) => hour.p99)), 9);
        expect(merged.p50).toBeCloseTo(hours.reduce((total, hour) => total + hour.p50 * hour.requests, 0) / sum(hours, 'requests'), 9);
      }
    });

    it('an unknown range is a 400 naming the valid ones', async () => {
      const response = await get('1y');
      expect(response.status).toBe(400);
      expect((await response.json()).error.message).toBe('monitor: input: range must be one of 1h, 6h, 24h, 7d, 30d');
    });
  });
}
