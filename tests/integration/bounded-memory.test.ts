import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/data-plane';

/**
 * Parquet `/series?entity=` and `/quality` hold a bounded amount in memory: the entity column is
 * read in batches of rows (never a whole file), distinct series are capped (413), and a quality
 * report stops reading at its value cap (413 naming LOOKAHEAD_QUALITY_MAX_VALUES). Real parquet
 * files written by hyparquet-writer, real route handlers.
 */
const ROWS = 100_000;
const SENSORS = ['s1', 's2', 's3', 's4', 's5', 's6', 's7'];
const START_MS = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;
const ROW_GROUP_ROWS = 10_000;

const sensorOf = (row: number) => SENSORS[row % SENSORS.length]!;
const timeOf = (row: number) => START_MS + Math.floor(row / SENSORS.length) * MINUTE;

describe('bounded memory: parquet series listing and quality reports', () => {
  let temp: string;
  let file: string;
  let routes: { series: typeof import('@/app/api/sources/[id]/series/route'); quality: typeof import('@/app/api/sources/[id]/quality/route') };

  beforeAll(async () => {
    temp = mkdtempSync(path.join(os.tmpdir(), 'lookahead-bounded-'));
    file = path.join(temp, 'readings.parquet');
    const rows = Array.from({ length: ROWS }, (_, row) => row);
    writeFileSync(
      file,
      Buffer.from(
        parquetWriteBuffer({
          columnData: [
            { name: 'ts', data: rows.map(timeOf), type: 'TIMESTAMP', nullable: false },
            { name: 'sensor_id', data: rows.map(sensorOf), type: 'STRING', nullable: false },
            { name: 'value', data: rows.map((row) => Math.sin(row / 50)), type: 'DOUBLE', nullable: false },
          ],
          rowGroupSize: ROW_GROUP_ROWS,
        }),
      ),
    );
    Object.assign(process.env, { DATABASE_URL: '', LOOKAHEAD_DATA_DIR: path.join(temp, 'data'), LOOKAHEAD_SOURCES: '', LOOKAHEAD_PARQUET_DIR: temp, LOOKAHEAD_PARQUET_PATTERN: '' });
    (globalThis as { lookaheadDatabase?: Promise<unknown> }).lookaheadDatabase = (await import('@/db')).openDatabase({ dataDir: 'memory://' });
    await (await import('@/db')).migrateDatabase(await (await import('@/db')).getDatabase());
    routes = { series: await import('@/app/api/sources/[id]/series/route'), quality: await import('@/app/api/sources/[id]/quality/route') };
  }, 120_000);

  afterAll(async () => {
    await (await (await import('@/db')).getDatabase()).close();
    delete process.env.LOOKAHEAD_QUALITY_MAX_VALUES;
    delete process.env.LOOKAHEAD_PARQUET_DIR;
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  const reference = SENSORS.map((id) => {
    const rows = Array.from({ length: ROWS }, (_, row) => row).filter((row) => sensorOf(row) === id);
    return { id, rowCount: rows.length, start: new Date(timeOf(rows[0]!)).toISOString(), end: new Date(timeOf(rows[rows.length - 1]!)).toISOString() };
  });

  it('reads an entity column in batches no larger than the cap, never the whole file, and gets the same totals', async () => {
    const { dataPlaneConfig } = await import('@/lib/server/sources');
    const { resolveSource } = await import('@/lib/server/sources');
    const { listParquetSeries } = await import('@/lib/server/parquet/parquet-source');
    const source = await resolveSource('parquet', { config: dataPlaneConfig() });
    if (source.kind !== 'parquet') throw new Error('expected the parquet source');
    const batches: number[] = [];
    const result = await listParquetSeries(source, { entity: 'sensor_id' } as never, { batchRows: 4_096, onBatch: (rows) => batches.push(rows) });
    expect(statSync(file).size).toBeGreaterThan(4_096 * 8);
    expect(Math.max(...batches)).toBeLessThanOrEqual(4_096);
    expect(batches.length).toBe(Math.ceil(ROWS / 4_096));
    expect(batches.reduce((sum, rows) => sum + rows, 0)).toBe(ROWS);
    expect(result).toEqual({ series: reference, truncated: false });
    // The route (default batch size) answers the same.
    const response = await call(routes.series.GET, '/api/sources/parquet/series?entity=sensor_id', { id: 'parquet' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ kind: 'parquet', series: reference, truncated: false });
  });

  it('more distinct series than it tracks is a 413 naming the cap and the fix', async () => {
    const { dataPlaneConfig, resolveSource } = await import('@/lib/server/sources');
    const { listParquetSeries } = await import('@/lib/server/parquet/parquet-source');
    const source = await resolveSource('parquet', { config: dataPlaneConfig() });
    if (source.kind !== 'parquet') throw new Error('expected the parquet source');
    const batches: number[] = [];
    const listing = listParquetSeries(source, { entity: 'sensor_id' } as never, { batchRows: 4_096, maxTrackedSeries: 3, onBatch: (rows) => batches.push(rows) });
    await expect(listing).rejects.toMatchObject({
      code: 'too_large',
      message: 'sources: source "parquet" holds more than 3 series in column "sensor_id"; list some with ids=<id,...>, or pick a column with fewer distinct values',
    });
    // It stopped in the first batch rather than reading on.
    expect(batches).toEqual([4_096]);
    // Naming the series wanted keeps the tracked set small.
    const some = await listParquetSeries(source, { entity: 'sensor_id', ids: ['s2', 's5'] } as never, { maxTrackedSeries: 3 });
    expect(some.series.map((entry) => entry.id)).toEqual(['s2', 's5']);
  });

  it('a quality report over its value cap is a 413 naming the cap, taking at most one batch beyond it', async () => {
    const query = '/api/sources/parquet/quality?entity=sensor_id&series=s1&columns=value&limit=100000';
    const whole = await call(routes.quality.GET, query, { id: 'parquet' });
    expect(whole.status).toBe(200);
    expect((await whole.json()).rows).toBe(reference[0]!.rowCount);

    process.env.LOOKAHEAD_QUALITY_MAX_VALUES = '5000';
    try {
      const capped = await call(routes.quality.GET, query, { id: 'parquet' });
      expect(capped.status).toBe(413);
      const body = await capped.json();
      expect(body.error.message).toBe(
        'sources: a quality report (LOOKAHEAD_QUALITY_MAX_VALUES) reads at most 5000 values (rows x (columns + 1)) and this window holds more; narrow it with start/end or limit, name fewer columns, or downsample with bucket=',
      );
      // Directly: reading stops at the first batch past the cap, before the window is assembled.
      // (A parquet window is planned and read up to its `limit`, then handed out in batches.)
      const { dataPlaneConfig, openWindowReader, readWholeWindow, resolveSource, parseWindowRequest } = await import('@/lib/server/sources');
      const config = dataPlaneConfig();
      const source = await resolveSource('parquet', { config });
      const reader = await openWindowReader(source, parseWindowRequest(new URL(`http://x${query}`).searchParams, { rowCap: config.rowCap }), config);
      const batches: number[] = [];
      await expect(readWholeWindow(reader, { maxValues: 5_000, purpose: 'test', onBatch: (rows) => batches.push(rows) })).rejects.toMatchObject({ code: 'too_large' });
      const read = batches.reduce((sum, rows) => sum + rows, 0);
      expect(read * 2).toBeGreaterThan(5_000);
      expect((read - batches[batches.length - 1]!) * 2).toBeLessThanOrEqual(5_000);
      expect(await reader.next()).toBeNull();
    } finally {
      delete process.env.LOOKAHEAD_QUALITY_MAX_VALUES;
    }
  });
});
