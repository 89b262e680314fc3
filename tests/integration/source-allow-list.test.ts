import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { call, marketFixtureSql } from '../support/data-plane';

/**
 * Each source offers an allow-list, never the whole database: the tables `npm run ingest` loaded
 * into it, plus its configured `schemas` and `tables` (LOOKAHEAD_APP_SCHEMAS / _TABLES for the
 * app database). `/series?entity=` lists only columns introspection classed as entity candidates.
 * Real Postgres (one database is the app's and every configured source's), real parquet files.
 */
const available = Boolean(process.env.DATABASE_URL);

type Routes = {
  tables: typeof import('@/app/api/sources/[id]/tables/route');
  series: typeof import('@/app/api/sources/[id]/series/route');
  window: typeof import('@/app/api/sources/[id]/window/route');
};

const keysOf = async (response: Response) => ((await response.json()) as { tables: { key: string }[] }).tables.map((table) => table.key);

describe.skipIf(!available)('sources: per-source allow-lists of schemas and tables', () => {
  let database: TestDatabase;
  let sql: postgres.Sql;
  let routes: Routes;
  let temp: string;
  const tables = (id: string) => call(routes.tables.GET, `/api/sources/${id}/tables`, { id });
  const series = (id: string, query: string) => call(routes.series.GET, `/api/sources/${id}/series?${query}`, { id });
  const window = (id: string, query: string) => call(routes.window.GET, `/api/sources/${id}/window?${query}`, { id });

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    sql = postgres(database.url!, { max: 2, onnotice: () => {} });
    for (const statement of marketFixtureSql()) await sql.unsafe(statement);
    temp = mkdtempSync(path.join(os.tmpdir(), 'lookahead-allow-list-'));
    const hours = Array.from({ length: 48 }, (_, index) => Date.UTC(2024, 0, 1) + index * 3_600_000);
    writeFileSync(
      path.join(temp, 'plants.parquet'),
      Buffer.from(
        parquetWriteBuffer({
          columnData: [
            { name: 'ts', data: [...hours, ...hours], type: 'TIMESTAMP', nullable: false },
            { name: 'plant', data: [...hours.map(() => 'p1'), ...hours.map(() => 'p2')], type: 'STRING', nullable: false },
            { name: 'comment', data: [...hours, ...hours].map((_, index) => `note ${index}`), type: 'STRING', nullable: false },
            { name: 'kw', data: [...hours, ...hours].map((_, index) => index), type: 'DOUBLE', nullable: false },
          ],
        }),
      ),
    );
    Object.assign(process.env, {
      DATABASE_URL: database.url,
      LOOKAHEAD_APP_SCHEMAS: '',
      LOOKAHEAD_APP_TABLES: '',
      LOOKAHEAD_PARQUET_DIR: temp,
      LOOKAHEAD_PARQUET_PATTERN: '',
      LOOKAHEAD_SOURCES: JSON.stringify([
        { id: 'bare', url: database.url },
        { id: 'picked', url: database.url, tables: ['market.prices'] },
        { id: 'sensors-only', url: database.url, schemas: ['sensors'] },
      ]),
    });
    routes = {
      tables: await import('@/app/api/sources/[id]/tables/route'),
      series: await import('@/app/api/sources/[id]/series/route'),
      window: await import('@/app/api/sources/[id]/window/route'),
    };
  }, 120_000);

  afterAll(async () => {
    const { closeSourcePools } = await import('@/lib/server/sources');
    await closeSourcePools();
    const { getDatabase } = await import('@/db');
    await (await getDatabase()).close();
    await sql?.end();
    await database?.drop();
    if (temp) rmSync(temp, { recursive: true, force: true });
    for (const name of ['LOOKAHEAD_SOURCES', 'LOOKAHEAD_PARQUET_DIR', 'LOOKAHEAD_APP_SCHEMAS', 'LOOKAHEAD_APP_TABLES']) delete process.env[name];
  });

  it('a source with no schemas and no tables offers nothing, and names how to offer more', async () => {
    expect(await keysOf(await tables('bare'))).toEqual([]);
    const response = await window('bare', 'table=market.prices&entity=symbol&series=AAA&columns=price');
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toMatch(/table "market\.prices" is not in source "bare"; it offers no tables \(a source offers the tables ingested into it and those of its configured "schemas" and "tables"/);
  });

  it('configured tables and schemas are the only ones offered; the rest is a 400 naming what is', async () => {
    expect(await keysOf(await tables('picked'))).toEqual(['market.prices']);
    expect((await window('picked', 'table=market.prices&entity=symbol&series=AAA&columns=price')).status).toBe(200);
    const hidden = await window('picked', 'table=secret.hidden&columns=value');
    expect(hidden.status).toBe(400);
    expect((await hidden.json()).error.message).toBe('sources: table "secret.hidden" is not in source "picked"; tables: market.prices');
    expect(await keysOf(await tables('sensors-only'))).toEqual(['sensors.daily', 'sensors.readings']);
    expect((await window('sensors-only', 'table=market.prices&entity=symbol&series=AAA&columns=price')).status).toBe(400);
  });

  it('the app database offers its ingested tables (and configured ones), never its other schemas', async () => {
    expect(await keysOf(await tables('app'))).toEqual([]);
    const csv = path.join(temp, 'loads.csv');
    writeFileSync(csv, `ts,meter,kwh\n${Array.from({ length: 24 }, (_, hour) => `2024-01-01T${String(hour).padStart(2, '0')}:00:00Z,m1,${hour}`).join('\n')}\n`);
    const { runIngest } = await import('@/lib/server/ingest');
    const summary = await runIngest({ path: csv, table: 'lake.loads', entityColumn: 'meter', env: { DATABASE_URL: database.url } });
    expect(summary.rows).toBe(24);
    expect(await keysOf(await tables('app'))).toEqual(['lake.loads']);
    // The same database as "bare": ingested there too, so offered there too.
    expect(await keysOf(await tables('bare'))).toEqual(['lake.loads']);
    process.env.LOOKAHEAD_APP_TABLES = 'market.prices';
    try {
      expect(await keysOf(await tables('app'))).toEqual(['lake.loads', 'market.prices']);
    } finally {
      process.env.LOOKAHEAD_APP_TABLES = '';
    }
    // The app's own bookkeeping stays hidden even when its schema is configured.
    process.env.LOOKAHEAD_APP_SCHEMAS = 'public';
    try {
      const keys = await keysOf(await tables('app'));
      expect(keys).toContain('public.x');
      expect(keys).not.toContain('public.lookahead_ingested_files');
      expect(keys).not.toContain('public.datasets');
    } finally {
      process.env.LOOKAHEAD_APP_SCHEMAS = '';
    }
  });

  it('SQL /series?entity= lists entity candidates only', async () => {
    const listed = await series('picked', 'table=market.prices&entity=symbol');
    expect(listed.status).toBe(200);
    expect((await listed.json()).series.map((entry: { id: string }) => entry.id)).toEqual(['AAA', 'BBB', 'CCC']);
    const refused = await series('picked', 'table=market.prices&entity=note');
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.message).toBe('sources: column "note" of table "market.prices" does not look like a series id, so its values are not listed; entity candidates: symbol');
  });

  it('parquet /series?entity= lists entity candidates only', async () => {
    const listed = await series('parquet', 'entity=plant');
    expect(listed.status).toBe(200);
    expect((await listed.json()).series).toEqual([
      { id: 'p1', rowCount: 48, start: '2024-01-01T00:00:00.000Z', end: '2024-01-02T23:00:00.000Z' },
      { id: 'p2', rowCount: 48, start: '2024-01-01T00:00:00.000Z', end: '2024-01-02T23:00:00.000Z' },
    ]);
    const refused = await series('parquet', 'entity=comment');
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.message).toBe('sources: column "comment" of source "parquet" does not look like a series id, so its values are not listed; entity candidates: plant');
  });
});
