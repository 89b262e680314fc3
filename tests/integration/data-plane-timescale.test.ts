import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { call, marketFixtureSql, readWindow, referenceBuckets, type Aggregate } from '../support/data-plane';
import { prepareTimescale, STANDIN_VERSION } from '../support/timescale-standin';

/**
 * The TimescaleDB paths against real Postgres. The real TimescaleDB cannot be installed on this
 * machine, so the database gets the STAND-IN extension of tests/support/timescale-standin/ (a fake
 * `timescaledb` providing time_bucket, last, create_hypertable and timescaledb_information.hypertables
 * with the real signatures); where a real TimescaleDB is installed these tests use it instead.
 * Two fresh databases hold the same tables: "tsdb" with the extension (in a schema that needs
 * quoting, so every call must be qualified) and "plain" without, where downsampling is date_bin.
 */
const setup = await prepareTimescale(process.env.DATABASE_URL);
const title = setup.available ? `with ${setup.label}` : `(${setup.reason})`;
const EXTENSION_SCHEMA = 'TimeScale';
const EXTENSION = `"${EXTENSION_SCHEMA}"`;

type Routes = {
  tables: typeof import('@/app/api/sources/[id]/tables/route');
  columns: typeof import('@/app/api/sources/[id]/columns/route');
  window: typeof import('@/app/api/sources/[id]/window/route');
};

/** Rows on both sides of the bucket edges that matter: before the origin 2000-01-03, on it, and a microsecond either side. */
function earlyFixtureSql(): string[] {
  return [
    'CREATE TABLE market.early (ts timestamptz NOT NULL, value double precision)',
    `INSERT INTO market.early SELECT timestamptz '1999-12-20 00:00:00+00' + i * interval '1013 seconds', CASE WHEN i % 13 = 0 THEN NULL ELSE (i * 7 % 101)::float8 END FROM generate_series(0, 2600) i`,
    `INSERT INTO market.early VALUES
      ('2000-01-02 23:59:59.999999+00', 1001), ('2000-01-03 00:00:00+00', 1002),
      ('1999-12-26 23:59:59.999999+00', 1003), ('1999-12-27 00:00:00+00', 1004),
      ('2000-01-03 00:59:59.999999+00', 1005), ('1999-12-31 23:59:59.999999+00', 1006)`,
  ];
}

describe.skipIf(!setup.available)(`data plane: TimescaleDB paths on Postgres ${title}`, () => {
  let tsdb: TestDatabase;
  let plain: TestDatabase;
  let tsdbSql: postgres.Sql;
  let plainSql: postgres.Sql;
  let routes: Routes;
  let temp: string;
  const window = (id: 'tsdb' | 'plain' | 'app', query: string) => call(routes.window.GET, `/api/sources/${id}/window?${query}`, { id });
  const tables = async (id: 'tsdb' | 'plain' | 'app') => (await call(routes.tables.GET, `/api/sources/${id}/tables`, { id })).json();

  beforeAll(async () => {
    tsdb = await createTestDatabase('postgres');
    plain = await createTestDatabase('postgres', { migrate: false });
    tsdbSql = postgres(tsdb.url!, { max: 2, onnotice: () => {}, connection: { TimeZone: 'UTC' } });
    plainSql = postgres(plain.url!, { max: 2, onnotice: () => {}, connection: { TimeZone: 'UTC' } });
    await tsdbSql.unsafe(`ALTER DATABASE ${new URL(tsdb.url!).pathname.slice(1)} SET track_functions = 'all'`);
    await tsdbSql.unsafe(`CREATE SCHEMA ${EXTENSION}`);
    await tsdbSql.unsafe(`CREATE EXTENSION timescaledb SCHEMA ${EXTENSION}`);
    const fixture = [...marketFixtureSql(), ...earlyFixtureSql()];
    for (const statement of fixture) {
      await plainSql.unsafe(statement);
      await tsdbSql.unsafe(statement);
      // Hypertables are made while empty, as TimescaleDB requires without migrate_data.
      if (statement.startsWith('CREATE TABLE market.prices')) await tsdbSql.unsafe(`SELECT ${EXTENSION}.create_hypertable('market.prices', 'ts')`);
      if (statement.startsWith('CREATE TABLE sensors.readings')) await tsdbSql.unsafe(`SELECT ${EXTENSION}.create_hypertable('sensors.readings', 'taken_at')`);
    }
    temp = mkdtempSync(path.join(os.tmpdir(), 'lookahead-timescale-'));
    process.env.DATABASE_URL = tsdb.url;
    // The app source offers its ingested tables plus these schemas (never the whole database).
    process.env.LOOKAHEAD_APP_SCHEMAS = 'market,sensors';
    process.env.LOOKAHEAD_SOURCES = JSON.stringify([
      { id: 'tsdb', url: tsdb.url, schemas: ['market', 'sensors'] },
      { id: 'plain', url: plain.url, schemas: ['market', 'sensors'] },
    ]);
    routes = {
      tables: await import('@/app/api/sources/[id]/tables/route'),
      columns: await import('@/app/api/sources/[id]/columns/route'),
      window: await import('@/app/api/sources/[id]/window/route'),
    };
  }, 120_000);

  afterAll(async () => {
    const { closeSourcePools } = await import('@/lib/server/sources');
    await closeSourcePools();
    const { getDatabase } = await import('@/db');
    await (await getDatabase()).close();
    await tsdbSql?.end();
    await plainSql?.end();
    await tsdb?.drop();
    await plain?.drop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  describe('the extension itself', () => {
    it('is created in the schema named, at the version the server offers', async () => {
      const [row] = await tsdbSql`SELECT extversion AS version, extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'timescaledb'`;
      expect(row).toEqual({ version: setup.available ? setup.version : '', schema: EXTENSION });
      if (setup.available && setup.kind === 'stand-in') expect(row!.version).toBe(STANDIN_VERSION);
    });

    // Expected values from TimescaleDB's own regression test (timescale/timescaledb
    // test/expected/timestamp.out, "check functions with origin" and "really old origin"),
    // there printed in America/New_York and written here in UTC.
    it('time_bucket reproduces TimescaleDB’s own regression outputs', async () => {
      const rows = await tsdbSql.unsafe<{ got: string; want: string }[]>(
        `SELECT got::text, want FROM (VALUES
          (${EXTENSION}.time_bucket('1 week', timestamptz '1999-12-31 23:59:59+00')::text, '1999-12-27 00:00:00+00'),
          (${EXTENSION}.time_bucket('1 week', timestamptz '1999-12-31 23:59:59+00' AT TIME ZONE 'America/New_York')::text, '1999-12-27 00:00:00'),
          (${EXTENSION}.time_bucket('1 week', timestamptz '1999-12-31 23:59:59+00', timestamptz '2000-01-01 00:00:00+00')::text, '1999-12-25 00:00:00+00'),
          (${EXTENSION}.time_bucket('1 week', timestamptz '1999-12-31 23:59:59+00', timestamptz 'epoch')::text, '1999-12-30 00:00:00+00'),
          (${EXTENSION}.time_bucket('1 week', timestamptz '1999-12-31 23:59:59+00', timestamptz '3018-09-13 00:00:00-04')::text, '1999-12-26 04:00:00+00'),
          (${EXTENSION}.time_bucket('1 week', timestamptz '2000-01-03 00:00:00+00')::text, '2000-01-03 00:00:00+00'),
          (${EXTENSION}.time_bucket('1 week', timestamptz '2000-01-03 00:00:00+00' AT TIME ZONE 'America/New_York')::text, '1999-12-27 00:00:00'),
          (${EXTENSION}.time_bucket('1 week', timestamptz '2000-01-03 00:00:00+00', timestamptz '2000-01-01 00:00:00+00')::text, '2000-01-01 00:00:00+00'),
          (${EXTENSION}.time_bucket('1 week', timestamptz '2000-01-03 00:00:00+00', timestamptz '3018-09-13 00:00:00-04')::text, '2000-01-02 04:00:00+00'),
          (${EXTENSION}.time_bucket('1 week', timestamp '4710-11-25 01:01:01 BC', timestamp '4710-11-24 01:01:01 BC')::text, '4710-11-24 01:01:01 BC'),
          (${EXTENSION}.time_bucket('1 week', timestamp '2001-01-01 00:00:00', timestamp '4710-11-24 01:01:01 BC')::text, '2000-12-30 01:01:01'),
          (${EXTENSION}.time_bucket('1 week', timestamp '3001-01-01 00:00:00', timestamp '4710-11-24 01:01:01 BC')::text, '3000-12-27 01:01:01'),
          (${EXTENSION}.time_bucket('1 hour', timestamptz 'infinity')::text, 'infinity')
        ) AS cases (got, want)`,
      );
      for (const row of rows) expect(row.got).toBe(row.want);
      expect(rows.length).toBe(13);
    });
  });

  describe('introspection reports TimescaleDB', () => {
    it('GET tables: downsampling time_bucket, the version, and which tables are hypertables', async () => {
      const body = await tables('tsdb');
      const [extension] = await tsdbSql`SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'`;
      expect(body.downsampling).toBe('time_bucket');
      expect(body.timescale).toBe(extension!.extversion);
      expect(body.tables.map((table: { key: string; hypertable: boolean }) => `${table.key}:${table.hypertable}`)).toEqual([
        'market.early:false',
        'market.prices:true',
        'sensors.daily:false',
        'sensors.readings:true',
      ]);
    });

    it('the same tables without the extension: date_bin, no version, no hypertables', async () => {
      const body = await tables('plain');
      expect(body.downsampling).toBe('date_bin');
      expect(body.timescale).toBeNull();
      expect(body.tables.every((table: { hypertable: boolean }) => table.hypertable === false)).toBe(true);
      expect(body.tables.length).toBe(4);
    });

    it('the app source (its configured schemas) hides TimescaleDB’s own schemas', async () => {
      const body = await tables('app');
      const keys: string[] = body.tables.map((table: { key: string }) => table.key);
      expect(keys).toEqual(expect.arrayContaining(['market.prices', 'sensors.readings']));
      expect(keys.filter((key) => /^_?timescaledb/.test(key))).toEqual([]);
      expect(body.tables.find((table: { key: string }) => table.key === 'market.prices').hypertable).toBe(true);
    });

    it('GET columns of a hypertable says so', async () => {
      const body = await (await call(routes.columns.GET, '/api/sources/tsdb/columns?table=market.prices', { id: 'tsdb' })).json();
      expect(body.table).toMatchObject({ key: 'market.prices', hypertable: true });
      expect(body.downsampling).toBe('time_bucket');
    });
  });

  describe('downsampled windows: time_bucket and date_bin agree on every bucket edge', () => {
    function expectSameWindow(got: { timestampsMs: ArrayLike<number>; values: ArrayLike<number> }, want: { timestampsMs: ArrayLike<number>; values: ArrayLike<number> }, agg: Aggregate) {
      expect(Array.from(got.timestampsMs)).toEqual(Array.from(want.timestampsMs));
      // avg sums floats, whose order a plan may change; min, max and last pick one stored value.
      const tolerance = agg === 'avg' ? 1e-9 : 0;
      const gotValues = Array.from(got.values);
      const wantValues = Array.from(want.values);
      expect(gotValues.length).toBe(wantValues.length);
      gotValues.forEach((value, index) => {
        const expected = wantValues[index]!;
        if (Number.isNaN(expected)) expect(value).toBeNaN();
        else expect(Math.abs(value - expected)).toBeLessThanOrEqual(tolerance);
      });
    }

    /** The same aggregation written directly, as a TimescaleDB user would: time_bucket with its default origin. */
    async function directTimeBucket(table: string, time: string, value: string, width: string, agg: Aggregate, where = 'TRUE') {
      const bucket = `${EXTENSION}.time_bucket(interval '${width}', ${time})`;
      // Epoch milliseconds, so that a timestamp without time zone reads as UTC here as in the window.
      const text =
        agg === 'last'
          ? `SELECT DISTINCT ON (bucket) bucket, ${value}::float8 AS value FROM (SELECT ${bucket} AS bucket, ${time} AS t, ${value} FROM ${table} WHERE ${where} AND ${value} IS NOT NULL) AS q ORDER BY bucket, t DESC`
          : `SELECT ${bucket} AS bucket, ${agg}(${value})::float8 AS value FROM ${table} WHERE ${where} GROUP BY 1`;
      // Every bucket that holds rows is in the window; one whose values are all missing is NaN.
      const rows = await tsdbSql.unsafe<{ ms: string; value: number | null }[]>(
        `SELECT extract(epoch FROM b.bucket) * 1000 AS ms, v.value FROM (SELECT DISTINCT ${bucket} AS bucket FROM ${table} WHERE ${where}) AS b
          LEFT JOIN (${text}) AS v ON v.bucket = b.bucket ORDER BY b.bucket`,
      );
      return { timestampsMs: rows.map((row) => Number(row.ms)), values: rows.map((row) => (row.value === null ? Number.NaN : Number(row.value))) };
    }

    it('the window on TimescaleDB runs the extension’s time_bucket and last (function call counts)', async () => {
      // track_functions = 'all' (set on the database before the source's pool connected) counts
      // calls of SQL, PL/pgSQL and C functions alike: the stand-in's and the real ones. This is the
      // first window on tsdb, so no other request's calls can reach these counts.
      const counts = async () => {
        const [row] = await tsdbSql`SELECT
            coalesce(sum(calls) FILTER (WHERE schemaname = ${EXTENSION_SCHEMA} AND funcname = 'time_bucket'), 0)::int AS buckets,
            coalesce(sum(calls) FILTER (WHERE schemaname = '_timescaledb_functions' AND funcname = 'last_sfunc'), 0)::int AS lasts
          FROM pg_stat_user_functions`;
        return row as { buckets: number; lasts: number };
      };
      const before = await counts();
      // A backend reports its counts when it goes idle, but at most once a second (else 10 s
      // later): a pause after the earlier tests' requests lets this one report at once.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const got = await readWindow(await window('tsdb', 'table=market.prices&entity=symbol&series=AAA&columns=price&bucket=1h&agg=last&limit=1000'));
      expect(got.timestampsMs.length).toBe(25);
      let after = await counts();
      for (let attempt = 0; attempt < 150 && (after.buckets - before.buckets < 1_500 || after.lasts === before.lasts); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        after = await counts();
      }
      expect(after.buckets - before.buckets).toBeGreaterThanOrEqual(1_500);
      expect(after.lasts - before.lasts).toBeGreaterThanOrEqual(1_400);
    });

    for (const agg of ['avg', 'min', 'max', 'last'] as Aggregate[]) {
      it(`market.prices bucket=1h agg=${agg}: the route on TimescaleDB = direct time_bucket SQL = the route on plain Postgres = an independent aggregation`, async () => {
        const query = `table=market.prices&entity=symbol&series=CCC&columns=price&bucket=1h&agg=${agg}&limit=1000`;
        const timescaleResponse = await window('tsdb', query);
        expect(timescaleResponse.headers.get('x-lookahead-frequency')).toBe('1h');
        const onTimescale = await readWindow(timescaleResponse);
        const onPlain = await readWindow(await window('plain', query));
        const direct = await directTimeBucket('market.prices', 'ts', 'price', '1 hour', agg, `symbol = 'CCC'`);
        const raw = await readWindow(await window('plain', 'table=market.prices&entity=symbol&series=CCC&columns=price&limit=100000'));
        const reference = referenceBuckets(raw.timestampsMs, raw.columns.price!, 3_600_000, agg);

        expect(onTimescale.timestampsMs.length).toBe(25); // 1,500 minutes
        const got = { timestampsMs: onTimescale.timestampsMs, values: onTimescale.columns.price! };
        expectSameWindow(got, direct, agg);
        expectSameWindow(got, { timestampsMs: onPlain.timestampsMs, values: onPlain.columns.price! }, agg);
        expectSameWindow(got, reference, agg);
      });
    }

    // Buckets that do not divide a day, weeks and 3-day buckets (which only line up when both
    // paths use the same origin), and rows before the origin and a microsecond off an edge.
    const edgeCases: { bucket: string; width: string; agg: Aggregate }[] = [
      { bucket: '7min', width: '7 minutes', agg: 'max' },
      { bucket: '1h', width: '1 hour', agg: 'last' },
      { bucket: '1D', width: '1 day', agg: 'max' },
      { bucket: '3D', width: '3 days', agg: 'last' },
      { bucket: '1W', width: '7 days', agg: 'max' },
      { bucket: '1W', width: '7 days', agg: 'avg' },
    ];
    for (const { bucket, width, agg } of edgeCases) {
      it(`market.early (around the origin 2000-01-03) bucket=${bucket} agg=${agg}`, async () => {
        const query = `table=market.early&columns=value&bucket=${bucket}&agg=${agg}&limit=100000`;
        const onTimescale = await readWindow(await window('tsdb', query));
        const onPlain = await readWindow(await window('plain', query));
        const direct = await directTimeBucket('market.early', 'ts', 'value', width, agg);
        const got = { timestampsMs: onTimescale.timestampsMs, values: onTimescale.columns.value! };
        expect(got.timestampsMs.length).toBeGreaterThan(3);
        expectSameWindow(got, direct, agg);
        expectSameWindow(got, { timestampsMs: onPlain.timestampsMs, values: onPlain.columns.value! }, agg);
      });
    }

    it('a row a microsecond before the origin is in the bucket before it, the row on it starts its own', async () => {
      const got = await readWindow(await window('tsdb', 'table=market.early&columns=value&bucket=1h&agg=max&start=2000-01-02T23:00:00Z&end=2000-01-03T01:00:00Z&limit=10'));
      expect(Array.from(got.timestampsMs)).toEqual([Date.parse('2000-01-02T23:00:00Z'), Date.parse('2000-01-03T00:00:00Z')]);
      expect(Array.from(got.columns.value!)).toEqual([1001, 1005]);
      const weeks = await readWindow(await window('tsdb', 'table=market.early&columns=value&bucket=1W&agg=max&limit=10'));
      expect(Array.from(weeks.timestampsMs).map((ms) => new Date(ms).toISOString().slice(0, 10))).toEqual(['1999-12-20', '1999-12-27', '2000-01-03', '2000-01-10', '2000-01-17']);
      expect(Array.from(weeks.columns.value!).slice(0, 2)).toEqual([1003, 1006]);
    });

    it('a timestamp without time zone (sensors.readings, a hypertable) and a date column (sensors.daily)', async () => {
      for (const [query, table, time, value, width, agg] of [
        ['table=sensors.readings&columns=level&bucket=1h&agg=avg&limit=1000', 'sensors.readings', 'taken_at', 'level', '1 hour', 'avg'],
        ['table=sensors.readings&columns=level&bucket=1D&agg=last&limit=1000', 'sensors.readings', 'taken_at', 'level', '1 day', 'last'],
        ['table=sensors.daily&entity=sensor&series=2&columns=temperature&bucket=3D&agg=last&limit=1000', 'sensors.daily', 'day::timestamp', 'temperature', '3 days', 'last'],
        ['table=sensors.daily&entity=sensor&series=2&columns=temperature&bucket=1W&agg=min&limit=1000', 'sensors.daily', 'day::timestamp', 'temperature', '7 days', 'min'],
      ] as const) {
        const column = value;
        const onTimescale = await readWindow(await window('tsdb', query));
        const onPlain = await readWindow(await window('plain', query));
        const direct = await directTimeBucket(table, time, value, width, agg, table === 'sensors.daily' ? 'sensor = 2' : 'TRUE');
        const got = { timestampsMs: onTimescale.timestampsMs, values: onTimescale.columns[column]! };
        expect(got.timestampsMs.length, query).toBeGreaterThanOrEqual(3);
        expectSameWindow(got, direct, agg);
        expectSameWindow(got, { timestampsMs: onPlain.timestampsMs, values: onPlain.columns[column]! }, agg);
      }
    });

  });

  describe('ingestion creates hypertables when TimescaleDB is present', () => {
    function writeCsv(name: string, hours: number, startMs: number): string {
      const file = path.join(temp, name);
      const lines = ['time,symbol,price'];
      for (let hour = 0; hour < hours; hour++) {
        for (const symbol of ['AAA', 'BBB']) lines.push(`${new Date(startMs + hour * 3_600_000).toISOString()},${symbol},${(hour * 3 + symbol.length) % 17}`);
      }
      writeFileSync(file, lines.join('\n'));
      return file;
    }

    it('a new table becomes a hypertable on its time column; the audit records timescale: true; later files reuse it', async () => {
      const { runIngest } = await import('@/lib/server/ingest');
      const env = { DATABASE_URL: tsdb.url };
      const first = await runIngest({ path: writeCsv('ticks_a.csv', 48, Date.UTC(2024, 0, 1)), table: 'lake.ticks', entityColumn: 'symbol', env });
      expect(first.failed).toEqual([]);
      expect(first.rows).toBe(96);
      const second = await runIngest({ path: writeCsv('ticks_b.csv', 24, Date.UTC(2024, 0, 3)), table: 'lake.ticks', entityColumn: 'symbol', env });
      expect(second.rows).toBe(48);

      const hypertables = await tsdbSql`SELECT hypertable_schema, hypertable_name, primary_dimension FROM timescaledb_information.hypertables WHERE hypertable_schema = 'lake'`;
      expect(hypertables).toEqual([{ hypertable_schema: 'lake', hypertable_name: 'ticks', primary_dimension: 'time' }]);
      const audit = await tsdbSql`SELECT run_id, details->'timescale' AS timescale FROM lookahead_ingest_audit WHERE event = 'run_started' AND target_table = 'lake.ticks' ORDER BY id`;
      expect(audit.map((row) => [row.run_id, row.timescale])).toEqual([
        [first.runId, true],
        [second.runId, true],
      ]);
      const [nullable] = await tsdbSql`SELECT is_nullable FROM information_schema.columns WHERE table_schema = 'lake' AND table_name = 'ticks' AND column_name = 'time'`;
      expect(nullable!.is_nullable).toBe('NO');
    });

    it('the ingested hypertable is listed as one and downsamples through time_bucket', async () => {
      const body = await tables('app');
      expect(body.tables.find((table: { key: string }) => table.key === 'lake.ticks')).toMatchObject({ hypertable: true });
      const raw = await readWindow(await window('app', 'table=lake.ticks&entity=symbol&series=BBB&columns=price&limit=1000'));
      expect(raw.timestampsMs.length).toBe(72);
      const got = await readWindow(await window('app', 'table=lake.ticks&entity=symbol&series=BBB&columns=price&bucket=1D&agg=last&limit=1000'));
      const want = referenceBuckets(raw.timestampsMs, raw.columns.price!, 86_400_000, 'last');
      expect(Array.from(got.timestampsMs)).toEqual(want.timestampsMs);
      expect(Array.from(got.columns.price!)).toEqual(want.values);
    });

    it('without TimescaleDB the same ingestion makes a plain table and records timescale: false', async () => {
      const { runIngest } = await import('@/lib/server/ingest');
      const summary = await runIngest({
        path: writeCsv('ticks_plain.csv', 12, Date.UTC(2024, 0, 1)),
        sourceId: 'plain',
        table: 'lake.ticks',
        entityColumn: 'symbol',
        env: { LOOKAHEAD_SOURCES: JSON.stringify([{ id: 'plain', url: plain.url }]) },
      });
      expect(summary.rows).toBe(24);
      const [audit] = await plainSql`SELECT details->'timescale' AS timescale FROM lookahead_ingest_audit WHERE run_id = ${summary.runId} AND event = 'run_started'`;
      expect(audit!.timescale).toBe(false);
      const [catalog] = await plainSql`SELECT to_regclass('_timescaledb_catalog.hypertable') AS catalog, to_regclass('lake.ticks')::text AS ticks`;
      expect(catalog).toEqual({ catalog: null, ticks: 'lake.ticks' });
    });
  });
});
