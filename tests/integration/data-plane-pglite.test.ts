import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db';
import { call, INJECTION_PAYLOADS, marketFixtureSql, readWindow, referenceBuckets, type Aggregate } from '../support/data-plane';

/**
 * The app database as a SQL source when it is embedded PGlite (no DATABASE_URL): the same
 * introspection, role mapping, windows, downsampling and safety checks as on Postgres, read
 * through SQL cursors (DECLARE/FETCH) in a read-only transaction.
 */
type Routes = {
  tables: typeof import('@/app/api/sources/[id]/tables/route');
  columns: typeof import('@/app/api/sources/[id]/columns/route');
  series: typeof import('@/app/api/sources/[id]/series/route');
  window: typeof import('@/app/api/sources/[id]/window/route');
  quality: typeof import('@/app/api/sources/[id]/quality/route');
};

describe('data plane: the app database on PGlite as a SQL source', () => {
  let temp: string;
  let handle: DatabaseHandle;
  let routes: Routes;
  const window = (query: string) => call(routes.window.GET, `/api/sources/app/window?${query}`, { id: 'app' });

  beforeAll(async () => {
    temp = mkdtempSync(path.join(os.tmpdir(), 'lookahead-pglite-source-'));
    Object.assign(process.env, { DATABASE_URL: '', LOOKAHEAD_DATA_DIR: temp, LOOKAHEAD_SOURCES: '', LOOKAHEAD_PARQUET_DIR: '', LOOKAHEAD_APP_SCHEMAS: 'market,sensors,secret,public', LOOKAHEAD_APP_TABLES: '' });
    const { getDatabase, migrateDatabase, openDatabase } = await import('@/db');
    // getDatabase() would open PGlite on disk (seconds of fsync); the process-wide handle it
    // caches is primed with an in-memory one, the same engine.
    (globalThis as { lookaheadDatabase?: Promise<DatabaseHandle> }).lookaheadDatabase = openDatabase({ dataDir: 'memory://' });
    handle = await getDatabase();
    expect(handle.kind).toBe('pglite');
    await migrateDatabase(handle);
    for (const statement of marketFixtureSql()) await handle.query(statement);
    routes = {
      tables: await import('@/app/api/sources/[id]/tables/route'),
      columns: await import('@/app/api/sources/[id]/columns/route'),
      series: await import('@/app/api/sources/[id]/series/route'),
      window: await import('@/app/api/sources/[id]/window/route'),
      quality: await import('@/app/api/sources/[id]/quality/route'),
    };
  }, 120_000);

  afterAll(async () => {
    await handle?.close();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('introspects tables (hiding the app’s own) and columns with suggested roles', async () => {
    const tables = await (await call(routes.tables.GET, '/api/sources/app/tables', { id: 'app' })).json();
    const keys = tables.tables.map((table: { key: string }) => table.key);
    expect(keys).toEqual(expect.arrayContaining(['market.prices', 'sensors.daily', 'secret.hidden', 'public.x']));
    expect(keys).not.toContain('public.datasets');
    const columns = await (await call(routes.columns.GET, '/api/sources/app/columns?table=market.prices', { id: 'app' })).json();
    expect(columns.suggested).toEqual({ time: 'ts', entity: 'symbol', targets: ['price', 'volume'], covariates: [] });
    expect(columns.downsampling).toBe('date_bin');
  });

  it('lists series equal to a direct query', async () => {
    const body = await (await call(routes.series.GET, '/api/sources/app/series?table=market.prices&entity=symbol', { id: 'app' })).json();
    const direct = await handle.query<{ symbol: string; n: number; lo: Date; hi: Date }>(`SELECT symbol, count(*)::int AS n, min(ts) AS lo, max(ts) AS hi FROM market.prices GROUP BY symbol ORDER BY symbol`);
    expect(direct.length).toBeGreaterThan(1);
    expect(body.series).toEqual(direct.map((row) => ({ id: row.symbol, rowCount: row.n, start: row.lo.toISOString(), end: row.hi.toISOString() })));
  });

  it('a window equals the direct query, across several cursor batches', async () => {
    const got = await readWindow(await window('table=market.prices&entity=symbol&series=AAA&columns=price&covariates=volume&limit=1200'));
    const rows = await handle.query<{ ms: number; price: number | null; volume: string | number }>(
      `SELECT * FROM (SELECT extract(epoch FROM ts)::float8 * 1000 AS ms, price, volume FROM market.prices WHERE symbol = 'AAA' ORDER BY ts DESC LIMIT 1200) w ORDER BY ms`,
    );
    expect(rows.length).toBe(1200);
    expect(Array.from(got.timestampsMs)).toEqual(rows.map((row) => Number(row.ms)));
    expect(Array.from(got.columns.price!)).toEqual(rows.map((row) => (row.price === null ? Number.NaN : row.price)));
    expect(Array.from(got.columns.volume!)).toEqual(rows.map((row) => Number(row.volume)));
  });

  for (const agg of ['avg', 'last'] as Aggregate[]) {
    it(`bucket=15min agg=${agg} equals an independent aggregation`, async () => {
      const raw = await readWindow(await window('table=market.prices&entity=symbol&series=BBB&columns=price&limit=10000'));
      expect(raw.timestampsMs.length).toBeGreaterThan(100);
        const want = referenceBuckets(raw.timestampsMs, raw.columns.price!, 15 * 60_000, agg);
      const got = await readWindow(await window(`table=market.prices&entity=symbol&series=BBB&columns=price&bucket=15min&agg=${agg}&limit=10000`));
      expect(want.timestampsMs.length).toBeGreaterThan(10);
      expect(Array.from(got.timestampsMs)).toEqual(want.timestampsMs);
      got.columns.price!.forEach((value, index) => expect(value).toBeCloseTo(want.values[index]!, 9));
    });
  }

  it('answers injection attempts with 400 and leaves the database unchanged', async () => {
    const state = async () => ({
      x: await handle.query('SELECT count(*)::int AS n FROM public.x'),
      tables: await handle.query(`SELECT table_schema || '.' || table_name AS key FROM information_schema.tables WHERE table_schema IN ('public', 'market') ORDER BY 1`),
    });
    const before = await state();
    const base = { table: 'market.prices', columns: 'price', entity: 'symbol', series: 'AAA' };
    for (const parameter of ['table', 'time', 'columns', 'entity', 'covariates', 'series', 'start', 'bucket']) {
      for (const payload of INJECTION_PAYLOADS) {
        const response = await window(new URLSearchParams({ ...base, [parameter]: payload }).toString());
        expect(response.status, `${parameter}=${payload.slice(0, 20)}`).toBe(400);
      }
    }
    expect(await state()).toEqual(before);
  });

  it('cancelling a stream ends its transaction: the database answers again', async () => {
    const response = await window('table=market.prices&entity=symbol&series=CCC&columns=price&limit=1500');
    const reader = response.body!.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    // PGlite has one connection: a transaction left open would make this wait forever.
    const answer = await Promise.race([handle.query<{ one: number }>('SELECT 1 AS one'), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('database still held')), 5_000))]);
    expect(answer[0]!.one).toBe(1);
  });

  it('sample datasets keep their ids and the worker’s request shape (columns, limit, series=)', async () => {
    const { replaceDataset, readSeriesWindow } = await import('@/db');
    const timestampsMs = Float64Array.from({ length: 600 }, (_, hour) => Date.UTC(2016, 6, 1) + hour * 3_600_000);
    const ot = Float64Array.from(timestampsMs, (_, hour) => (hour === 7 ? Number.NaN : 20 + Math.sin(hour / 5)));
    await replaceDataset({
      handle,
      dataset: { id: 'tiny', name: 'Tiny', origin: 'sample', fileName: 'tiny.csv', sha256: 'x', columns: ['OT'], rowCount: 600, frequency: '1h', startTs: new Date(timestampsMs[0]!), endTs: new Date(timestampsMs[599]!) },
      timestampsMs,
      columns: { OT: ot },
    });
    const response = await call(routes.window.GET, '/api/sources/tiny/window?columns=OT&limit=512&series=', { id: 'tiny' });
    expect(response.headers.get('x-lookahead-frequency')).toBe('1h');
    const got = await readWindow(response);
    const want = await readSeriesWindow({ handle, datasetId: 'tiny', column: 'OT', limit: 512 });
    expect(want.timestampsMs.length).toBe(512);
    expect(Array.from(got.timestampsMs)).toEqual(Array.from(want.timestampsMs));
    expect(Array.from(got.columns.OT!)).toEqual(Array.from(want.values));
    const series = await (await call(routes.series.GET, '/api/sources/tiny/series', { id: 'tiny' })).json();
    expect(series.series).toEqual([{ id: '', label: 'Tiny', rowCount: 600, start: '2016-07-01T00:00:00.000Z', end: new Date(timestampsMs[599]!).toISOString(), columns: ['OT'] }]);
    const bucketed = await call(routes.window.GET, '/api/sources/tiny/window?columns=OT&bucket=1D', { id: 'tiny' });
    expect(bucketed.status).toBe(400);
    expect((await bucketed.json()).error.message).toBe('window: parameter "bucket" does not apply to sample dataset "tiny"; it takes columns, series, start, end and limit');
    const otherSeries = await call(routes.window.GET, '/api/sources/tiny/window?columns=OT&series=%22%3B%20DROP%20TABLE%20x%3B%20--', { id: 'tiny' });
    expect(otherSeries.status).toBe(400);
  });

  it('quality of a window', async () => {
    const body = await (await call(routes.quality.GET, '/api/sources/app/quality?table=sensors.daily&entity=sensor&series=1&columns=temperature&limit=100', { id: 'app' })).json();
    expect(body).toMatchObject({ rows: 60, frequency: '1D' });
    expect(body.columns.temperature.missing.count).toBe(0);
    expect(body.columns.temperature.gaps.count).toBe(0);
  });
});
