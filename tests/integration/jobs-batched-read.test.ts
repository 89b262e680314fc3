import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSeriesSource, readSeries, readSeriesBatch, type SeriesSource } from '@/lib/server/jobs/series-reader';
import type { WindowBatch } from '@/lib/data/arrow-window';
import { openSeriesWindows, readWholeWindow } from '@/lib/server/sources';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';

/**
 * Job reads of many series of a SQL table: on Postgres (binary COPY) a batch of series is one
 * statement (SeriesWindows.readMany, a LATERAL run of the single-series window per id) instead of
 * two round trips per series. Its answer must equal the series-by-series read exactly: ids with
 * quotes and non-ASCII characters, a series with a gap (regularised to NaN), a series longer than
 * the context (newest points kept), a window with a time range, and an id with no rows (named in
 * its error, the others unaffected). The batch comes as one row of arrays per series, newest
 * first; every column of it (NULLs, a covariate, rows tied at the window's oldest timestamp,
 * buckets) must equal what the single-series window reads.
 */
const TABLE = 'batched_read';
process.env.LOOKAHEAD_APP_TABLES = `public.${TABLE}`;
const postgres = backends.find((backend) => backend.name === 'postgres')!;
const START = Date.parse('2024-03-01T00:00:00Z');
const IDS = ['plain', "o'neil", 'ünï "quoted" \\ back', 'gap', 'long'];
/** Hourly rows 0-12 and a second row at hour 10 (the 3rd newest hour); one value is NULL. */
const TIED = 'tied';

describe.skipIf(!postgres.available)(`jobs: batched series reads on Postgres${postgres.available ? '' : ` (${postgres.reason})`}`, () => {
  let database: TestDatabase;
  let source: SeriesSource;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    await database.handle.query(`CREATE TABLE ${TABLE} (site text NOT NULL, at timestamptz NOT NULL, load double precision, other double precision)`);
    for (const [index, id] of IDS.entries()) {
      const length = id === 'long' ? 300 : 100;
      await database.handle.query(
        `INSERT INTO ${TABLE} SELECT $1, to_timestamp($2::float8 / 1000) + make_interval(hours => h), $3::float8 * 100 + h + (h % 7) / 10.0, -h
         FROM generate_series(0, $4::int - 1) AS h WHERE NOT ($1 = 'gap' AND h = 40)`,
        [id, START, index, length],
      );
    }
    await database.handle.query(
      `INSERT INTO ${TABLE} SELECT $1, to_timestamp($2::float8 / 1000) + make_interval(hours => CASE WHEN h = 13 THEN 10 ELSE h END), CASE WHEN h = 5 THEN NULL ELSE h * 1.5 END, h
       FROM generate_series(0, 13) AS h`,
      [TIED, START],
    );
    source = await openSeriesSource({ sourceId: 'app', window: { table: TABLE, time: 'at', columns: 'load', entity: 'site' }, handle: database.handle });
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('the table offers readMany, and it reads the batch in one statement', async () => {
    const windows = await openSeriesWindows(source.source, source.base, source.config);
    try {
      expect(typeof windows.readMany).toBe('function');
      const many = await windows.readMany!(['plain', 'nope', 'long'], 64);
      expect(many.columns).toEqual(['load']);
      expect(many.windows[1]).toBeNull();
      expect(many.windows[0]!.timestampsMs).toHaveLength(64);
      expect(many.windows[2]!.timestampsMs).toHaveLength(64);
      // The newest 64 of 300 hourly points, oldest first.
      expect(many.windows[2]!.timestampsMs[0]).toBe(START + (300 - 64) * 3_600_000);
      expect(many.windows[2]!.columns.load![63]).toBeCloseTo(4 * 100 + 299 + (299 % 7) / 10, 9);
    } finally {
      await windows.close();
    }
  });

  it('equals the series-by-series read exactly, and names the id with no rows', async () => {
    const ids = [...IDS, 'missing'];
    const batch = await readSeriesBatch(source, ids, 80, { parallel: 2 });
    for (const [index, id] of ids.entries()) {
      const alone = await readSeries(source, id, 80).catch((error: unknown) => error as Error);
      const got = batch[index]!;
      if (alone instanceof Error) {
        expect(got).toBeInstanceOf(Error);
        expect((got as Error).message).toBe(alone.message);
        expect(alone.message).toContain('missing');
        continue;
      }
      expect(got).not.toBeInstanceOf(Error);
      const series = got as Exclude<typeof got, Error>;
      expect(series.id).toBe(id);
      expect(series.frequency?.label).toBe('1h');
      expect(Array.from(series.timestampsMs)).toEqual(Array.from(alone.timestampsMs));
      expect(Array.from(series.values)).toEqual(Array.from(alone.values));
    }
    const gap = batch[IDS.indexOf('gap')] as { values: Float64Array; timestampsMs: Float64Array };
    // The newest 80 of 99 rows span 81 hours on the regular grid: the missing hour is NaN.
    expect(gap.values.length).toBe(81);
    expect(Array.from(gap.values).filter(Number.isNaN)).toHaveLength(1);
  });

  /** Each id's window read alone (`open`, the single-series statement), and the batch (`readMany`). */
  async function bothWays(window: Record<string, string>, ids: string[], limit: number): Promise<{ alone: (WindowBatch | null)[]; many: (WindowBatch | null)[]; columns: string[] }> {
    const opened = await openSeriesSource({ sourceId: 'app', window, handle: database.handle });
    const windows = await openSeriesWindows(opened.source, opened.base, opened.config);
    try {
      const many = await windows.readMany!(ids, limit);
      const alone: (WindowBatch | null)[] = [];
      for (const id of ids) {
        const whole = await readWholeWindow(await windows.open(id, limit)).catch(() => null);
        alone.push(whole && whole.timestampsMs.length ? whole : null);
      }
      return { alone, many: many.windows, columns: many.columns };
    } finally {
      await windows.close();
    }
  }

  /** A window as plain arrays, rows that share a timestamp in a fixed order (the order among them is unspecified). */
  const plain = (window: WindowBatch | null) => {
    if (!window) return null;
    const names = Object.keys(window.columns);
    const rows = Array.from(window.timestampsMs, (ms, index) => [ms, ...names.map((name) => window.columns[name]![index]!)]);
    rows.sort((a, b) => a[0]! - b[0]! || String(a.slice(1)).localeCompare(String(b.slice(1))));
    return { timestampsMs: rows.map((row) => row[0]), columns: Object.fromEntries(names.map((name, column) => [name, rows.map((row) => row[column + 1])])) };
  };

  it('every column of the batch equals the single-series read: NULLs, a covariate, rows tied at the oldest kept timestamp', async () => {
    const window = { table: TABLE, time: 'at', columns: 'load', covariates: 'other', entity: 'site' };
    const { alone, many, columns } = await bothWays(window, [TIED, 'gap', 'missing', 'plain'], 3);
    expect(columns).toEqual(['load', 'other']);
    expect(many.map(plain)).toEqual(alone.map(plain));
    expect(many[2]).toBeNull();
    // The newest 3 rows end at hour 10, which holds two rows: both are kept, oldest first.
    const hours = (window: WindowBatch | null) => Array.from(window!.timestampsMs, (ms) => (ms - START) / 3_600_000);
    expect(hours(many[0]!)).toEqual([10, 10, 11, 12]);
    expect(plain(many[0]!)!.columns.other).toEqual([10, 13, 11, 12]);
    const wide = await bothWays(window, [TIED], 10);
    expect(wide.many.map(plain)).toEqual(wide.alone.map(plain));
    expect(hours(wide.many[0]!)).toEqual([4, 5, 6, 7, 8, 9, 10, 10, 11, 12]);
    expect(Array.from(wide.many[0]!.columns.load!).filter(Number.isNaN)).toHaveLength(1);
  });

  it('bucketed windows: the batch equals the single-series read, newest buckets kept', async () => {
    const { alone, many } = await bothWays({ table: TABLE, time: 'at', columns: 'load', entity: 'site', bucket: '6h', agg: 'max' }, ['long', TIED, 'plain'], 5);
    expect(many.map(plain)).toEqual(alone.map(plain));
    expect(many[0]!.timestampsMs).toHaveLength(5);
    expect(many[0]!.timestampsMs[4]).toBe(START + 294 * 3_600_000);
  });

  it('keeps a time range of the window', async () => {
    const ranged = await openSeriesSource({ sourceId: 'app', window: { table: TABLE, time: 'at', columns: 'load', entity: 'site', start: new Date(START + 10 * 3_600_000).toISOString(), end: new Date(START + 30 * 3_600_000).toISOString() }, handle: database.handle });
    const batch = await readSeriesBatch(ranged, ['plain', 'long'], 500, { parallel: 1 });
    for (const [index, id] of ['plain', 'long'].entries()) {
      const alone = await readSeries(ranged, id, 500);
      const got = batch[index] as typeof alone;
      expect(Array.from(got.timestampsMs)).toEqual(Array.from(alone.timestampsMs));
      expect(Array.from(got.values)).toEqual(Array.from(alone.values));
      expect(got.timestampsMs[0]).toBe(START + 10 * 3_600_000);
    }
  });
});
