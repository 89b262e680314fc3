import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionForHandle } from '@/db';
import { rollingRobustZ } from '@/lib/core/anomaly';
import { dataPlaneConfig, sqlRobustZ } from '@/lib/server/sources';
import type { SqlSource } from '@/lib/server/sources/sql-source';
import { call } from '../support/data-plane';
import { anomalyFixtureSql, FIXTURE_START_MS, seriesA, seriesB, SPIKE_INDEX, SPIKE_VALUE, STEP_MS } from '../support/anomaly-fixture';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';

for (const backend of backends) {
  describe.skipIf(!backend.available)(`anomalies: robust z in SQL vs lib/core on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;
    let source: SqlSource;
    beforeAll(async () => {
      database = await createTestDatabase(backend.name);
      for (const statement of anomalyFixtureSql()) await database.handle.query(statement);
      source = { kind: 'sql', id: 'fixture', name: 'fixture', connection: connectionForHandle(database.handle), scope: { schemas: ['sensors'], tables: [], hidden: new Set() } };
    }, 120_000);
    afterAll(async () => {
      await database?.drop();
    });

    for (const [series, values, window] of [['a', seriesA(), 48], ['b', seriesB(), 24], ['b', seriesB(), 5]] as const) {
      it(`series ${series}, window ${window}: every z-score and flag equals lib/core's on the same values`, async () => {
        const { column, rows } = await sqlRobustZ(source, { table: 'sensors.readings', columns: ['value'], entity: 'series', series, limit: 10_000, excludeNulls: false }, dataPlaneConfig(), { window, threshold: 3.5 });
        expect(column).toBe('value');
        const present = values.flatMap((value, i) => (value === null ? [] : [{ value, timestampMs: FIXTURE_START_MS + i * STEP_MS }]));
        const reference = rollingRobustZ(present.map((point) => point.value), { window, threshold: 3.5 });
        expect(rows).toHaveLength(reference.length);
        rows.forEach((row, i) => {
          expect(row.timestampMs).toBe(present[i]!.timestampMs);
          expect(row.anomalous).toBe(reference[i]!.anomalous);
          if (reference[i]!.z === null) expect(row.z).toBeNull();
          else expect(row.z).toBeCloseTo(reference[i]!.z!, 9);
          if (reference[i]!.median === null) expect(row.median).toBeNull();
          else expect(row.median).toBeCloseTo(reference[i]!.median!, 12);
        });
        if (series === 'a') {
          const flagged = rows.filter((row) => row.anomalous).map((row) => row.timestampMs);
          expect(flagged).toEqual([FIXTURE_START_MS + SPIKE_INDEX * STEP_MS]);
        } else {
          // The constant stretch (MAD 0, then mean-AD 0) and the step are both exercised.
          expect(reference.some((point) => point.median !== null && point.mad === 0)).toBe(true);
          expect(rows.some((row) => row.anomalous)).toBe(true);
        }
      });
    }
  });
}

const postgres = backends.find((backend) => backend.name === 'postgres')!;
describe.skipIf(!postgres.available)('GET /api/sources/<id>/anomalies on a Postgres source', () => {
  let database: TestDatabase;
  let route: typeof import('@/app/api/sources/[id]/anomalies/route');
  const get = (query: string) => call(route.GET, `/api/sources/warehouse/anomalies?${query}`, { id: 'warehouse' });
  beforeAll(async () => {
    database = await createTestDatabase('postgres', { migrate: false });
    for (const statement of anomalyFixtureSql()) await database.handle.query(statement);
    process.env.LOOKAHEAD_SOURCES = JSON.stringify([{ id: 'warehouse', url: database.url, schemas: ['sensors'] }]);
    route = await import('@/app/api/sources/[id]/anomalies/route');
  }, 120_000);
  afterAll(async () => {
    const { closeSourcePools } = await import('@/lib/server/sources');
    await closeSourcePools();
    delete process.env.LOOKAHEAD_SOURCES;
    await database?.drop();
  });

  it('method=zscore runs in the database and lists the injected spike, with the scored series for the chart', async () => {
    const response = await get('table=sensors.readings&columns=value&entity=series&series=a&window=48&threshold=4');
    expect(response.status).toBe(200);
    const report = await response.json();
    expect(report).toMatchObject({ source: 'warehouse', column: 'value', method: 'zscore', engine: 'sql', parameters: { window: 48, threshold: 4 }, count: 1 });
    expect(report.anomalies[0]).toMatchObject({ time: new Date(FIXTURE_START_MS + SPIKE_INDEX * STEP_MS).toISOString(), value: SPIKE_VALUE });
    expect(report.anomalies[0].score).toBeGreaterThan(4);
    expect(report.series.values).toHaveLength(400);
    expect(report.series.scores.slice(0, 48).every((score: number | null) => score === null)).toBe(true);
  });

  it('method=interval flags the spike outside the forecast interval of the held-out points', async () => {
    const response = await get(`table=sensors.readings&columns=value&entity=series&series=a&end=${new Date(FIXTURE_START_MS + 310 * STEP_MS).toISOString()}&method=interval&model=seasonal-naive&level=0.9&horizon=24`);
    expect(response.status).toBe(200);
    const report = await response.json();
    expect(report).toMatchObject({ method: 'interval', engine: 'js', parameters: { model: 'seasonal-naive', level: 0.9, horizon: 24 } });
    const times = report.anomalies.map((anomaly: { time: string }) => anomaly.time);
    expect(times).toContain(new Date(FIXTURE_START_MS + SPIKE_INDEX * STEP_MS).toISOString());
    const spike = report.anomalies.find((anomaly: { value: number }) => anomaly.value === SPIKE_VALUE);
    expect(spike.upper).toBeLessThan(SPIKE_VALUE);
  });

  it('bad parameters are 400s naming the parameter', async () => {
    const window = await get('table=sensors.readings&columns=value&entity=series&series=a&window=2');
    expect(window.status).toBe(400);
    expect((await window.json()).error.message).toBe('anomaly: window: window must be at least 3');
    const method = await get('table=sensors.readings&columns=value&method=magic');
    expect(method.status).toBe(400);
    expect((await method.json()).error.message).toContain('method must be "zscore" or "interval"');
    const table = await get('table=nope&columns=value');
    expect(table.status).toBe(400);
  });
});
