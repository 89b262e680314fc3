import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWindowStatements } from '@/lib/server/sources';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { call, INJECTION_PAYLOADS, MARKET_START_MS, marketFixtureSql, readWindow, referenceBuckets, type Aggregate } from '../support/data-plane';

/**
 * SQL sources against real Postgres: a fresh database per run holds a market table and friends;
 * it is the app database and also the LOOKAHEAD_SOURCES source "warehouse" (schemas market and
 * sensors only). Route handlers are called directly.
 */
const available = Boolean(process.env.DATABASE_URL);
const skipReason = 'DATABASE_URL is not set; real-Postgres data-plane tests skipped (CI sets it)';

type Routes = {
  sources: typeof import('@/app/api/sources/route');
  tables: typeof import('@/app/api/sources/[id]/tables/route');
  columns: typeof import('@/app/api/sources/[id]/columns/route');
  series: typeof import('@/app/api/sources/[id]/series/route');
  window: typeof import('@/app/api/sources/[id]/window/route');
  quality: typeof import('@/app/api/sources/[id]/quality/route');
};

describe.skipIf(!available)(`data plane: SQL sources on Postgres${available ? '' : ` (${skipReason})`}`, () => {
  let database: TestDatabase;
  let sql: postgres.Sql;
  let routes: Routes;
  const window = (query: string, id = 'warehouse') => call(routes.window.GET, `/api/sources/${id}/window?${query}`, { id });

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    sql = postgres(database.url!, { max: 2, onnotice: () => {} });
    for (const statement of marketFixtureSql()) await sql.unsafe(statement);
    await sql.unsafe(`CREATE TABLE market.ticks AS SELECT timestamptz '2024-01-01' + i * interval '1 second' AS ts, (i % 1000)::float8 AS value FROM generate_series(1, 200000) i`);
    await sql.unsafe('CREATE INDEX ON market.ticks (ts)');
    process.env.DATABASE_URL = database.url;
    process.env.LOOKAHEAD_SOURCES = JSON.stringify([{ id: 'warehouse', url: database.url, schemas: ['market', 'sensors'] }]);
    routes = {
      sources: await import('@/app/api/sources/route'),
      tables: await import('@/app/api/sources/[id]/tables/route'),
      columns: await import('@/app/api/sources/[id]/columns/route'),
      series: await import('@/app/api/sources/[id]/series/route'),
      window: await import('@/app/api/sources/[id]/window/route'),
      quality: await import('@/app/api/sources/[id]/quality/route'),
    };
  }, 120_000);

  afterAll(async () => {
    const { closeSourcePools } = await import('@/lib/server/sources');
    await closeSourcePools();
    const { getDatabase } = await import('@/db');
    await (await getDatabase()).close();
    await sql?.end();
    await database?.drop();
  });

  /** An introspected column, for building statements without a route. */
  const column = (name: string, kind: 'timestamp' | 'number' | 'text', dataType: string, castType = '"pg_catalog"."x"') => ({ name, kind, type: dataType, dataType, nullable: true, castType });

  async function directWindow(text: string, params: unknown[] = []) {
    const rows = await sql.unsafe<{ ms: number; value: number | null; extra?: number | null }[]>(text, params as never[]);
    return {
      timestampsMs: rows.map((row) => Number(row.ms)),
      values: rows.map((row) => (row.value === null ? Number.NaN : Number(row.value))),
      extra: rows.map((row) => (row.extra === null || row.extra === undefined ? Number.NaN : Number(row.extra))),
    };
  }

  describe('introspection and role mapping', () => {
    it('lists the sources without connection URLs', async () => {
      const response = await routes.sources.GET();
      const text = await response.text();
      expect(response.status).toBe(200);
      const ids = (JSON.parse(text) as { sources: { id: string; kind: string }[] }).sources.map((source) => `${source.kind}:${source.id}`);
      expect(ids).toEqual(expect.arrayContaining(['sql:app', 'sql:warehouse']));
      expect(text).not.toContain('postgres://');
      expect(text).not.toContain(new URL(database.url!).pathname.slice(1));
    });

    it('lists only tables of the allowed schemas', async () => {
      const body = await (await call(routes.tables.GET, '/api/sources/warehouse/tables', { id: 'warehouse' })).json();
      expect(body.tables.map((table: { key: string }) => table.key)).toEqual(['market.prices', 'market.ticks', 'sensors.daily', 'sensors.readings']);
      expect(body.downsampling).toBe('date_bin');
    });

    it('the app source shows its configured schemas and hides the app’s own tables in them', async () => {
      process.env.LOOKAHEAD_APP_SCHEMAS = 'market,secret,public';
      let keys: string[];
      try {
        const body = await (await call(routes.tables.GET, '/api/sources/app/tables', { id: 'app' })).json();
        keys = body.tables.map((table: { key: string }) => table.key);
      } finally {
        delete process.env.LOOKAHEAD_APP_SCHEMAS;
      }
      expect(keys).toEqual(expect.arrayContaining(['market.prices', 'secret.hidden', 'public.x']));
      expect(keys).not.toContain('sensors.daily');
      for (const own of ['public.datasets', 'public.series_points', 'public.uploaded_sources', 'public.lookahead_ingested_files']) expect(keys).not.toContain(own);
    });

    it('introspects columns with kinds and suggests roles', async () => {
      const body = await (await call(routes.columns.GET, '/api/sources/warehouse/columns?table=market.prices', { id: 'warehouse' })).json();
      expect(body.columns.map((column: { name: string; kind: string }) => `${column.name}:${column.kind}`)).toEqual([
        'symbol:text',
        'ts:timestamp',
        'price:number',
        'volume:number',
        'note:text',
      ]);
      expect(body.suggested).toEqual({ time: 'ts', entity: 'symbol', targets: ['price', 'volume'], covariates: [] });
    });

    it('maps a bare table name when it is unique, and a date column as the timestamp', async () => {
      const body = await (await call(routes.columns.GET, '/api/sources/warehouse/columns?table=daily', { id: 'warehouse' })).json();
      expect(body.table.key).toBe('sensors.daily');
      expect(body.suggested.time).toBe('day');
    });

    it('refuses a table outside the allow-list with a 400 naming the valid ones', async () => {
      const response = await call(routes.columns.GET, '/api/sources/warehouse/columns?table=secret.hidden', { id: 'warehouse' });
      expect(response.status).toBe(400);
      expect((await response.json()).error.message).toBe(
        'sources: table "secret.hidden" is not in source "warehouse"; tables: market.prices, market.ticks, sensors.daily, sensors.readings',
      );
    });

    it('refuses a role on a column of the wrong type', async () => {
      const response = await window('table=market.prices&time=price&columns=volume&entity=symbol&series=AAA');
      expect(response.status).toBe(400);
      expect((await response.json()).error.message).toMatch(/^sources: time column "price" of table "market.prices" is double precision, not a timestamp; timestamp columns: ts$/);
    });

    it('lists series with row counts and time ranges equal to a direct query', async () => {
      const body = await (await call(routes.series.GET, '/api/sources/warehouse/series?table=market.prices&entity=symbol', { id: 'warehouse' })).json();
      const direct = await sql.unsafe(`SELECT symbol, count(*)::int AS n, min(ts) AS lo, max(ts) AS hi FROM market.prices GROUP BY symbol ORDER BY symbol`);
      expect(direct.length).toBeGreaterThan(1);
      expect(body.series).toEqual(direct.map((row) => ({ id: row.symbol, rowCount: row.n, start: row.lo.toISOString(), end: row.hi.toISOString() })));
      const filtered = await (await call(routes.series.GET, '/api/sources/warehouse/series?table=market.prices&entity=symbol&ids=BBB,ZZZ', { id: 'warehouse' })).json();
      expect(filtered.series.map((entry: { id: string }) => entry.id)).toEqual(['BBB']);
    });

    it('never lists the values of a column that is not an entity candidate (a free-text note)', async () => {
      const response = await call(routes.series.GET, '/api/sources/warehouse/series?table=market.prices&entity=note', { id: 'warehouse' });
      expect(response.status).toBe(400);
      expect((await response.json()).error.message).toBe(
        'sources: column "note" of table "market.prices" does not look like a series id, so its values are not listed; entity candidates: symbol',
      );
    });
  });

  describe('windows equal a direct SQL query', () => {
    for (const reader of ['copy', 'cursor'] as const) {
      it(`newest 500 rows of one series with a covariate (${reader})`, async () => {
        process.env.LOOKAHEAD_SQL_READER = reader;
        try {
          const got = await readWindow(await window('table=market.prices&entity=symbol&series=BBB&columns=price&covariates=volume&limit=500'));
          const want = await directWindow(
            `SELECT * FROM (SELECT extract(epoch FROM ts) * 1000 AS ms, price AS value, volume AS extra FROM market.prices WHERE symbol = 'BBB' ORDER BY ts DESC LIMIT 500) w ORDER BY ms`,
          );
          expect(want.timestampsMs.length).toBe(500);
          expect(Array.from(got.timestampsMs)).toEqual(want.timestampsMs);
          expect(Array.from(got.columns.price!)).toEqual(want.values);
          expect(Array.from(got.columns.volume!)).toEqual(want.extra);
          expect(got.columns.price!.some(Number.isNaN)).toBe(true);
        } finally {
          delete process.env.LOOKAHEAD_SQL_READER;
        }
      });
    }

    it('time range, min/max and excludeNulls filters', async () => {
      const start = new Date(MARKET_START_MS + 100 * 60_000).toISOString();
      const end = new Date(MARKET_START_MS + 400 * 60_000).toISOString();
      const got = await readWindow(await window(`table=market.prices&entity=symbol&series=AAA&columns=price&start=${start}&end=${end}&min=98&max=103&excludeNulls=true&limit=10000`));
      const want = await directWindow(
        `SELECT extract(epoch FROM ts) * 1000 AS ms, price AS value FROM market.prices
          WHERE symbol = 'AAA' AND ts BETWEEN $1 AND $2 AND price IS NOT NULL AND price BETWEEN 98 AND 103 ORDER BY ts`,
        [start, end],
      );
      expect(want.values.length).toBeGreaterThan(50);
      expect(Array.from(got.timestampsMs)).toEqual(want.timestampsMs);
      expect(Array.from(got.columns.price!)).toEqual(want.values);
    });

    it('a date timestamp column and a numeric target (sensors.daily, entity as integer)', async () => {
      const got = await readWindow(await window('table=sensors.daily&entity=sensor&series=2&columns=temperature&limit=10'));
      const want = await directWindow(
        `SELECT * FROM (SELECT extract(epoch FROM day::timestamp) * 1000 AS ms, temperature::float8 AS value FROM sensors.daily WHERE sensor = 2 ORDER BY day DESC LIMIT 10) w ORDER BY ms`,
      );
      expect(want.timestampsMs.length).toBe(10);
      expect(Array.from(got.timestampsMs)).toEqual(want.timestampsMs);
      expect(Array.from(got.columns.temperature!)).toEqual(want.values);
    });

    it('a timestamp without time zone reads as UTC', async () => {
      const got = await readWindow(await window('table=sensors.readings&columns=level&limit=3'));
      expect(Array.from(got.timestampsMs)).toEqual([197, 198, 199].map((step) => Date.UTC(2024, 2, 1) + step * 15 * 60_000));
      expect(Array.from(got.columns.level!)).toEqual([197, 198, 199].map((step) => (step % 9) / 4));
    });

    it('streams in several record batches and reports a row cap header', async () => {
      const response = await window('table=market.ticks&columns=value&limit=50000');
      expect(response.headers.get('x-lookahead-row-cap')).toBe('1000000');
      const got = await readWindow(response);
      expect(got.timestampsMs.length).toBe(50_000);
      expect(got.timestampsMs[49_999]).toBe(Date.parse('2024-01-01T00:00:00Z') + 200_000 * 1000);
    });
  });

  describe('downsampling (date_bin without TimescaleDB)', () => {
    for (const agg of ['avg', 'min', 'max', 'last'] as Aggregate[]) {
      it(`bucket=1h agg=${agg} equals an independent aggregation of the raw rows`, async () => {
        const raw = await readWindow(await window('table=market.prices&entity=symbol&series=CCC&columns=price&limit=100000'));
        expect(raw.timestampsMs.length).toBeGreaterThan(100);
        const want = referenceBuckets(raw.timestampsMs, raw.columns.price!, 3_600_000, agg);
        const response = await window(`table=market.prices&entity=symbol&series=CCC&columns=price&bucket=1h&agg=${agg}&limit=1000`);
        expect(response.headers.get('x-lookahead-frequency')).toBe('1h');
        const got = await readWindow(response);
        expect(want.timestampsMs.length).toBeGreaterThan(10);
        expect(Array.from(got.timestampsMs)).toEqual(want.timestampsMs);
        const tolerance = agg === 'avg' ? 1e-9 : 0;
        got.columns.price!.forEach((value, index) => expect(Math.abs(value - want.values[index]!)).toBeLessThanOrEqual(tolerance));
      });
    }

    it('limit keeps the newest buckets; weeks start on Monday (date_bin origin 2000-01-03)', async () => {
      const got = await readWindow(await window('table=market.ticks&columns=value&bucket=1W&agg=max&limit=5'));
      expect(new Date(got.timestampsMs[0]!).getUTCDay()).toBe(1);
      const hours = await readWindow(await window('table=market.ticks&columns=value&bucket=1h&agg=avg&limit=3'));
      expect(hours.timestampsMs.length).toBe(3);
      expect(hours.timestampsMs[2]).toBe(Date.parse('2024-01-03T07:00:00Z'));
    });

    it('builds time_bucket and last() when TimescaleDB is present (statement text; TimescaleDB cannot be installed here)', () => {
      const statements = buildWindowStatements({
        table: '"market"."prices"',
        roles: { time: column('ts', 'timestamp', 'timestamp with time zone'), targets: [column('price', 'number', 'double precision')], entity: null, covariates: [] },
        filters: { excludeNulls: false },
        bucket: { seconds: 3600, agg: 'last' },
        limit: 10,
        rowCap: 100,
        timescale: { version: '2.14.0', schema: '"public"' },
      });
      expect(statements.copy).toContain(`"public".time_bucket(make_interval(secs => current_setting('lookahead.bucket_seconds')::float8), t."ts", origin => TIMESTAMPTZ '2000-01-03 00:00:00+00')`);
      expect(statements.copy).toContain(`"public".last(t."price", t."ts") FILTER (WHERE t."price" IS NOT NULL)`);
      expect(statements.copy).not.toContain('date_bin');
    });

    it('reads raw windows with an index scan that stops after the newest rows, not a bitmap scan of the whole series, and without JIT', async () => {
      const [{ jit: serverJit }] = await sql.unsafe(`SELECT current_setting('jit') AS jit`);
      // Rows stored time-major, as a table fed by periodic inserts is: each series' rows lie on as many pages as it has rows.
      await sql.unsafe(`CREATE TABLE market.fleet AS SELECT 'm' || lpad(m::text, 3, '0') AS machine, timestamptz '2024-01-01' + h * interval '1 hour' AS ts, random() AS load
        FROM generate_series(0, 599) h, generate_series(0, 299) m ORDER BY h, m`);
      await sql.unsafe('CREATE INDEX ON market.fleet (machine, ts)');
      await sql.unsafe('ANALYZE market.fleet');
      const roles = {
        time: column('ts', 'timestamp', 'timestamp with time zone', '"pg_catalog"."timestamptz"'),
        targets: [column('load', 'number', 'double precision', '"pg_catalog"."float8"')],
        entity: column('machine', 'text', 'text', '"pg_catalog"."text"'),
        covariates: [],
      };
      const statements = buildWindowStatements({
        table: '"market"."fleet"', roles: roles as never, filters: { excludeNulls: false, series: { list: Array.from({ length: 64 }, (_, index) => `m${String(index).padStart(3, '0')}`) } },
        limit: 512, rowCap: 100_000, timescale: null,
      });
      const plan = async (planner: 'ours' | 'default') =>
        sql.begin(async (tx) => {
          await tx.unsafe(statements.settings.text, statements.settings.params as never[]);
          if (planner === 'default') await tx.unsafe(`SET LOCAL jit = on; SET LOCAL enable_bitmapscan = on`);
          const [{ jit }] = await tx.unsafe(`SELECT current_setting('jit') AS jit`);
          const lines = await tx.unsafe(`EXPLAIN ${statements.select}`);
          return { jit, text: lines.map((line) => Object.values(line)[0]).join('\n') };
        });
      const ours = await plan('ours');
      expect(ours.jit).toBe('off');
      expect(ours.text).not.toContain('Bitmap');
      expect(ours.text).toMatch(/Index (Only )?Scan Backward using fleet_machine_ts_idx/);
      // The fixture is one the default planner gets wrong; without our settings it picks the bitmap scan.
      expect((await plan('default')).text).toContain('Bitmap Heap Scan');
      // A bucketed window keeps bitmap scans (it reads a whole time range).
      const bucketed = buildWindowStatements({ table: '"market"."fleet"', roles: roles as never, filters: { excludeNulls: false, series: 'm001' }, bucket: { seconds: 86_400, agg: 'avg' }, limit: 10, rowCap: 100, timescale: null });
      expect(bucketed.settings.text).toContain(`set_config('jit', 'off', true)`);
      expect(bucketed.settings.text).not.toContain('enable_bitmapscan');
      // Settings are the transaction's own: the next one plans as before.
      const [{ jit }] = await sql.unsafe(`SELECT current_setting('jit') AS jit`);
      expect(jit).toBe(serverJit);
      await sql.unsafe('DROP TABLE market.fleet');
    });

    it('rejects a calendar bucket and agg without bucket', async () => {
      const monthly = await window('table=market.prices&columns=price&entity=symbol&series=AAA&bucket=1M');
      expect(monthly.status).toBe(400);
      expect((await monthly.json()).error.message).toBe('window: bucket 1M is a calendar step; buckets are fixed durations (s, min, h, D, W)');
      const orphan = await window('table=market.prices&columns=price&entity=symbol&series=AAA&agg=max');
      expect(orphan.status).toBe(400);
      expect((await orphan.json()).error.message).toBe('window: agg: agg needs a bucket, e.g. bucket=1h&agg=avg');
    });
  });

  describe('safety', () => {
    async function databaseState() {
      const tables = await sql.unsafe(`SELECT table_schema || '.' || table_name AS key FROM information_schema.tables WHERE table_schema IN ('public', 'market', 'sensors', 'secret') ORDER BY 1`);
      const counts = await sql.unsafe(`SELECT (SELECT count(*) FROM public.x)::int AS x, (SELECT count(*) FROM market.prices)::int AS prices, (SELECT count(*) FROM sensors.daily)::int AS daily`);
      return { tables: tables.map((row) => row.key), counts: counts[0] };
    }

    const base: Record<string, string> = { table: 'market.prices', time: 'ts', columns: 'price', entity: 'symbol', series: 'AAA', limit: '10' };
    const parameters = ['table', 'time', 'columns', 'entity', 'covariates', 'series', 'start', 'end', 'min', 'max', 'excludeNulls', 'bucket', 'agg', 'limit', 'years', 'ids'];

    it('answers every injection attempt in every identifier and value parameter with 400, leaving the database unchanged', async () => {
      const before = await databaseState();
      const failures: string[] = [];
      for (const parameter of parameters) {
        for (const payload of INJECTION_PAYLOADS) {
          const query = new URLSearchParams({ ...base, [parameter]: payload });
          const response = await window(query.toString());
          const body = response.status === 200 ? null : await response.json();
          if (response.status !== 400 || !/^(window|sources): /.test(body.error.message)) {
            failures.push(`${parameter}=${payload.slice(0, 30)} -> ${response.status} ${body ? body.error.message.slice(0, 100) : ''}`);
            if (response.body) await response.body.cancel();
          }
        }
      }
      expect(failures).toEqual([]);
      expect(await databaseState()).toEqual(before);
    });

    it('the same attempts on the source id, tables, columns and series routes are 400 or 404', async () => {
      const before = await databaseState();
      for (const payload of INJECTION_PAYLOADS) {
        const id = await call(routes.window.GET, `/api/sources/x/window?columns=price`, { id: payload });
        expect(id.status).toBe(404);
        const columns = await call(routes.columns.GET, `/api/sources/warehouse/columns?${new URLSearchParams({ table: payload })}`, { id: 'warehouse' });
        expect(columns.status).toBe(400);
        const series = await call(routes.series.GET, `/api/sources/warehouse/series?${new URLSearchParams({ table: 'market.prices', entity: payload })}`, { id: 'warehouse' });
        expect(series.status).toBe(400);
        // ids= is a filter on entity values, bound as a parameter: no id matches, nothing runs.
        const ids = await call(routes.series.GET, `/api/sources/warehouse/series?${new URLSearchParams({ table: 'market.prices', entity: 'symbol', ids: payload })}`, { id: 'warehouse' });
        expect([200, 400]).toContain(ids.status);
        if (ids.status === 200) expect((await ids.json()).series).toEqual([]);
      }
      expect(await databaseState()).toEqual(before);
    });

    it('names the bad value and what is valid', async () => {
      const response = await window(new URLSearchParams({ ...base, columns: '"; DROP TABLE x; --' }).toString());
      expect((await response.json()).error.message).toBe(
        'sources: target column ""; DROP TABLE x; --" is not in table "market.prices"; columns: symbol, ts, price, volume, note',
      );
      const unknownSeries = await window(new URLSearchParams({ ...base, series: 'ZZZ' }).toString());
      expect((await unknownSeries.json()).error.message).toBe(
        'sources: series "ZZZ" is not in column "symbol" of table "market.prices"; GET /api/sources/warehouse/series lists the series',
      );
    });

    it('a limit above the row cap is refused with 413 and a clear message', async () => {
      process.env.LOOKAHEAD_ROW_CAP = '1000';
      try {
        const response = await window('table=market.ticks&columns=value&limit=5000');
        expect(response.status).toBe(413);
        expect((await response.json()).error.message).toBe(
          "window: limit=5000 is above this server's cap of 1000 rows per request; narrow start/end, or downsample with bucket= and agg= (e.g. bucket=1h&agg=avg)",
        );
      } finally {
        delete process.env.LOOKAHEAD_ROW_CAP;
      }
    });

    it('a query past the statement timeout is stopped and reported', async () => {
      process.env.LOOKAHEAD_STATEMENT_TIMEOUT_MS = '1';
      try {
        const response = await window('table=market.ticks&columns=value&bucket=1s&agg=last&limit=200000');
        expect(response.status).toBe(413);
        expect((await response.json()).error.message).toMatch(/statement timeout of 1 ms/);
      } finally {
        delete process.env.LOOKAHEAD_STATEMENT_TIMEOUT_MS;
      }
    });

    async function windowSessions(): Promise<{ state: string }[]> {
      return sql.unsafe(
        `SELECT state FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%lookahead:window%' AND state <> 'idle'`,
      );
    }

    for (const reader of ['copy', 'cursor'] as const) {
      it(`cancelling a stream mid-way leaves no open cursor or transaction (${reader})`, async () => {
        process.env.LOOKAHEAD_SQL_READER = reader;
        try {
          const response = await window('table=market.ticks&columns=value&limit=200000');
          expect(response.status).toBe(200);
          const streamReader = response.body!.getReader();
          const first = await streamReader.read();
          const second = await streamReader.read();
          expect(first.done || second.done).toBe(false);
          expect((await windowSessions()).length).toBe(1);
          await streamReader.cancel();
          let open = await windowSessions();
          for (let attempt = 0; attempt < 50 && open.length; attempt++) {
            await new Promise((resolve) => setTimeout(resolve, 50));
            open = await windowSessions();
          }
          expect(open).toEqual([]);
          const idleInTransaction = await sql.unsafe(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`);
          expect(idleInTransaction[0]!.n).toBe(0);
          // The connection went back to the pool in a usable state.
          const after = await readWindow(await window('table=market.ticks&columns=value&limit=10'));
          expect(after.timestampsMs.length).toBe(10);
        } finally {
          delete process.env.LOOKAHEAD_SQL_READER;
        }
      });
    }

    it('reads in a read-only transaction', async () => {
      const { openSqlConnection } = await import('@/db');
      const connection = openSqlConnection(database.url!);
      const session = await connection.openReadSession({ statementTimeoutMs: 1000, idleTimeoutMs: 1000 });
      try {
        await expect(session.query('INSERT INTO public.x VALUES (3)')).rejects.toThrow(/read-only transaction/);
      } finally {
        await session.close();
        await connection.close();
      }
      expect((await databaseState()).counts!.x).toBe(2);
    });
  });

  it('quality report of a window: missing values and gaps', async () => {
    const body = await (await call(routes.quality.GET, '/api/sources/warehouse/quality?table=market.prices&entity=symbol&series=AAA&columns=price&limit=1500', { id: 'warehouse' })).json();
    const nulls = Array.from({ length: 1500 }, (_, minute) => minute).filter((minute) => minute % 37 === 0).length;
    expect(body.rows).toBe(1500);
    expect(body.frequency).toBe('1min');
    expect(body.columns.price.missing.count).toBe(nulls);
    expect(body.columns.price.gaps.count).toBe(0);
    expect(body.columns.price.duplicates.count).toBe(0);
  });
});
