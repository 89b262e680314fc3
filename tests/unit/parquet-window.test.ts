import { parquetWriteBuffer } from 'hyparquet-writer';
import type { AsyncBuffer } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { frequencyFromLabel } from '@/lib/core/frequency';
import {
  checkFileSeries,
  footerFetchSize,
  openParquetBuffer,
  parquetColumns,
  planParquetWindow,
  readParquetWindow,
  type ParquetFile,
  type ParquetReadProgress,
} from '@/lib/data/parquet';
import { windowRequestFromJson, windowRequestToJson, type WindowRequest } from '@/lib/data/window-request';
import { referenceBuckets } from '../support/data-plane';

/**
 * The shared parquet window (lib/data/parquet: the server's reader and the browser worker's) on
 * parquet files written in memory with hyparquet-writer, against a naive reference that filters
 * every row and keeps the newest ones. Row groups overlap in time and arrive out of order in one
 * file, so pruning and the early stop are checked where they are easiest to get wrong.
 */

const HOUR = 3_600_000;
const START_MS = Date.UTC(2024, 0, 1);
const ENTITIES = ['alpha', 'beta'];

interface Row {
  ts: number;
  site: string;
  value: number | null;
  temp: number;
}

/** Hour `hour` of `site`: a wave plus a site offset; every 13th reading is missing. */
function rowAt(site: string, hour: number): Row {
  const siteIndex = ENTITIES.indexOf(site);
  const value = (hour + siteIndex) % 13 === 0 ? null : siteIndex * 100 + 20 * Math.sin(hour / 5) + (hour % 7);
  return { ts: START_MS + hour * HOUR, site, value, temp: 10 + (hour % 24) / 2 };
}

function writeRows(rows: Row[], { rowGroupSize, statistics = true }: { rowGroupSize: number; statistics?: boolean }): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: [
      { name: 'ts', data: rows.map((row) => row.ts), type: 'TIMESTAMP', nullable: false },
      { name: 'site', data: rows.map((row) => row.site), type: 'STRING', nullable: false },
      { name: 'value', data: rows.map((row) => row.value), type: 'DOUBLE', nullable: true },
      { name: 'temp', data: rows.map((row) => row.temp), type: 'DOUBLE', nullable: false },
    ],
    rowGroupSize,
    statistics,
  });
}

/** An in-memory AsyncBuffer that counts the bytes read from it. */
function memoryBuffer(bytes: ArrayBuffer): AsyncBuffer & { bytesRead: number } {
  const buffer = {
    byteLength: bytes.byteLength,
    bytesRead: 0,
    slice(start: number, end?: number) {
      const slice = bytes.slice(start, end);
      buffer.bytesRead += slice.byteLength;
      return slice;
    },
  };
  return buffer;
}

async function open(name: string, bytes: ArrayBuffer): Promise<ParquetFile & { file: { bytesRead: number } }> {
  return (await openParquetBuffer(memoryBuffer(bytes), name)) as ParquetFile & { file: { bytesRead: number } };
}

function request(fields: Partial<WindowRequest>): WindowRequest {
  return { excludeNulls: false, limit: 10_000, ...fields };
}

/** Every row that passes the request, newest `limit` of them, oldest first: no statistics, no early stop. */
function reference(rows: Row[], want: WindowRequest): { timestampsMs: number[]; value: number[]; temp: number[] } {
  const kept = rows
    .filter((row) => (want.series === undefined || !want.entity ? true : row.site === want.series))
    .filter((row) => (!want.start || row.ts >= want.start.getTime()) && (!want.end || row.ts <= want.end.getTime()))
    // Filters apply to every target (as in SQL), never to covariates.
    .filter((row) =>
      (want.columns ?? []).every((target) => {
        const value = row[target as 'value' | 'temp'];
        return value === null ? !want.excludeNulls : (want.min === undefined || value >= want.min) && (want.max === undefined || value <= want.max);
      }),
    )
    .sort((a, b) => a.ts - b.ts);
  if (want.bucket) {
    const bucketMs = want.bucket.step * { second: 1e3, minute: 6e4, hour: HOUR, day: 24 * HOUR, week: 168 * HOUR }[want.bucket.unit as 'hour'];
    const timestampsMs = kept.map((row) => row.ts);
    const value = referenceBuckets(timestampsMs, kept.map((row) => row.value ?? Number.NaN), bucketMs, want.agg ?? 'avg');
    const temp = referenceBuckets(timestampsMs, kept.map((row) => row.temp), bucketMs, want.agg ?? 'avg');
    return { timestampsMs: value.timestampsMs.slice(-want.limit), value: value.values.slice(-want.limit), temp: temp.values.slice(-want.limit) };
  }
  const newest = kept.slice(-want.limit);
  return { timestampsMs: newest.map((row) => row.ts), value: newest.map((row) => row.value ?? Number.NaN), temp: newest.map((row) => row.temp) };
}

function expectWindow(got: { timestampsMs: Float64Array; columns: Record<string, Float64Array> }, want: ReturnType<typeof reference>, columns = ['value']): void {
  expect(Array.from(got.timestampsMs)).toEqual(want.timestampsMs);
  got.columns.value!.forEach((value, index) => (Number.isNaN(want.value[index]!) ? expect(value).toBeNaN() : expect(value).toBeCloseTo(want.value[index]!, 9)));
  if (columns.includes('temp')) got.columns.temp!.forEach((value, index) => expect(value).toBeCloseTo(want.temp[index]!, 9));
}

const OPTIONS = { label: 'source "test"', seriesFromFileNames: false };

/** One site's 600 hours, in time order, row groups of 50. */
const ordered = ENTITIES.slice(0, 1).flatMap((site) => Array.from({ length: 600 }, (_, hour) => rowAt(site, hour)));
const orderedBytes = writeRows(ordered, { rowGroupSize: 50 });

/**
 * Both sites, 400 hours each, sorted by site then time (the entity statistics separate them),
 * split over two files; the second file's rows are shuffled so its row groups overlap in time.
 */
const bySite = ENTITIES.flatMap((site) => Array.from({ length: 400 }, (_, hour) => rowAt(site, hour)));
const firstHalf = bySite.filter((row) => row.ts < START_MS + 200 * HOUR);
const secondHalf = bySite.filter((row) => row.ts >= START_MS + 200 * HOUR);
const shuffled = [...secondHalf].sort((a, b) => ((a.ts / HOUR) * 7919 + a.site.length) % 97 - ((b.ts / HOUR) * 7919 + b.site.length) % 97 || a.ts - b.ts);

async function read(files: ParquetFile[], want: WindowRequest, options = OPTIONS) {
  const plan = planParquetWindow(files, want, options);
  const window = await readParquetWindow(plan);
  return { plan, window };
}

describe('parquet window (lib/data/parquet) against a naive reference', () => {
  it('the newest `limit` rows read only the newest row groups', async () => {
    const file = await open('ordered.parquet', orderedBytes);
    const footerBytes = file.file.bytesRead;
    const want = request({ columns: ['value', 'temp'], limit: 70 });
    const { plan, window } = await read([file], want);
    expectWindow(window, reference(ordered, want), ['value', 'temp']);
    // 600 rows in groups of 50: 70 rows need the last two groups only.
    expect(plan.stats).toEqual({ files: 1, rowGroupsTotal: 12, rowGroupsRead: 2 });
    expect(file.file.bytesRead - footerBytes).toBeLessThan(orderedBytes.byteLength / 4);
  });

  it('start and end prune row groups by their time statistics', async () => {
    const file = await open('ordered.parquet', orderedBytes);
    const want = request({ columns: ['value'], start: new Date(START_MS + 120 * HOUR), end: new Date(START_MS + 180 * HOUR) });
    const { plan, window } = await read([file], want);
    expectWindow(window, reference(ordered, want));
    // Hours 120..180 lie in groups 2 and 3 (rows 100-199).
    expect(plan.stats.rowGroupsRead).toBe(2);
  });

  it('an entity column selects the series, and its statistics skip the other series', async () => {
    const files = [await open('first.parquet', writeRows(firstHalf, { rowGroupSize: 40 })), await open('second.parquet', writeRows(secondHalf, { rowGroupSize: 40 }))];
    const want = request({ columns: ['value', 'temp'], entity: 'site', series: 'beta', limit: 150 });
    const { plan, window } = await read(files, want);
    expectWindow(window, reference(bySite, want), ['value', 'temp']);
    // beta's newest 150 rows (hours 250-399) sit in the second file's last 4 groups of 40; alpha's groups, skipped by
    // their entity statistics, are never read.
    expect(plan.stats).toEqual({ files: 2, rowGroupsTotal: 20, rowGroupsRead: 4 });
  });

  it('row groups that overlap in time, out of order, still give the newest rows', async () => {
    const files = [await open('first.parquet', writeRows(firstHalf, { rowGroupSize: 40 })), await open('shuffled.parquet', writeRows(shuffled, { rowGroupSize: 40 }))];
    for (const limit of [1, 37, 150, 399, 400, 10_000]) {
      const want = request({ columns: ['value'], entity: 'site', series: 'alpha', limit });
      expectWindow((await read(files, want)).window, reference(bySite, want));
    }
  });

  it('files without statistics read every group and give the same window', async () => {
    const file = await open('plain.parquet', writeRows(ordered, { rowGroupSize: 50, statistics: false }));
    const want = request({ columns: ['value'], start: new Date(START_MS + 100 * HOUR), limit: 30, min: 0, excludeNulls: true });
    const { plan, window } = await read([file], want);
    expectWindow(window, reference(ordered, want));
    expect(plan.candidates).toHaveLength(12);
  });

  it('min, max and excludeNulls filter rows (and groups whose values all fall outside)', async () => {
    const file = await open('ordered.parquet', orderedBytes);
    for (const filters of [{ min: 5, max: 15 }, { min: 5, max: 15, excludeNulls: true }, { max: -10 }, { min: 24, excludeNulls: true }]) {
      const withCovariate = request({ columns: ['value'], covariates: ['temp'], ...filters });
      expectWindow((await read([file], withCovariate)).window, reference(ordered, withCovariate), ['value', 'temp']);
    }
    // Two targets: a row passes when both do.
    const twoTargets = request({ columns: ['value', 'temp'], min: 12, max: 20 });
    const both = await read([file], twoTargets);
    expect(both.window.timestampsMs.length).toBeGreaterThan(0);
    expectWindow(both.window, reference(ordered, twoTargets), ['value', 'temp']);
    // Values stay within -20..26: min=1000 with excludeNulls prunes every group by its statistics.
    const none = await read([file], request({ columns: ['value'], min: 1000, excludeNulls: true }));
    expect(none.plan.candidates).toHaveLength(0);
    expect(none.window.timestampsMs.length).toBe(0);
  });

  for (const agg of ['avg', 'min', 'max', 'last'] as const) {
    for (const label of ['1D', '5h', '1W']) {
      it(`bucket=${label} agg=${agg} equals an independent aggregation from 2000-01-03`, async () => {
        const files = [await open('first.parquet', writeRows(firstHalf, { rowGroupSize: 40 })), await open('shuffled.parquet', writeRows(shuffled, { rowGroupSize: 40 }))];
        const want = request({ columns: ['value', 'temp'], entity: 'site', series: 'beta', bucket: frequencyFromLabel(label), agg, limit: 3 });
        const { plan, window } = await read(files, want);
        expect(plan.frequencyLabel).toBe(label);
        expectWindow(window, reference(bySite, want), ['value', 'temp']);
      });
    }
  }

  it('reports each row group as it is read, and stops early', async () => {
    const file = await open('ordered.parquet', orderedBytes);
    const seen: ParquetReadProgress[] = [];
    const plan = planParquetWindow([file], request({ columns: ['value'], limit: 120 }), OPTIONS);
    await readParquetWindow(plan, { onRowGroup: (progress) => seen.push(progress) });
    expect(seen).toEqual([
      { rowGroupsRead: 1, rowGroupsPlanned: 12, collected: 50, limit: 120 },
      { rowGroupsRead: 2, rowGroupsPlanned: 12, collected: 100, limit: 120 },
      { rowGroupsRead: 3, rowGroupsPlanned: 12, collected: 120, limit: 120 },
    ]);
  });

  it("an aborted read stops before the next row group with the signal's reason", async () => {
    const file = await open('ordered.parquet', orderedBytes);
    const controller = new AbortController();
    const plan = planParquetWindow([file], request({ columns: ['value'] }), OPTIONS);
    const reading = readParquetWindow(plan, { signal: controller.signal, onRowGroup: (progress) => progress.rowGroupsRead === 2 && controller.abort() });
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(plan.stats.rowGroupsRead).toBe(2);
  });
});

describe('parquet window: plans and errors', () => {
  it('maps parquet types to column kinds', async () => {
    const file = await open('ordered.parquet', orderedBytes);
    expect(parquetColumns(file.metadata).map((column) => `${column.name}:${column.kind}:${column.type}`)).toEqual([
      'ts:timestamp:INT64 TIMESTAMP_MILLIS',
      'site:text:BYTE_ARRAY UTF8',
      'value:number:DOUBLE',
      'temp:number:DOUBLE',
    ]);
  });

  it('a footer is read with a fetch sized to the file, not hyparquet\'s 512 kB default', async () => {
    expect(footerFetchSize(100)).toBe(8);
    expect(footerFetchSize(1_024_000)).toBe(2_000);
    expect(footerFetchSize(1e9)).toBe(65_536);
    const file = await open('ordered.parquet', orderedBytes);
    expect(file.file.bytesRead).toBeLessThan(Number(file.metadata.metadata_length) + footerFetchSize(orderedBytes.byteLength) + 8);
  });

  it('a corrupt or truncated file is an error naming it', async () => {
    await expect(openParquetBuffer(memoryBuffer(new TextEncoder().encode('PAR1 not parquet PAR1').buffer as ArrayBuffer), '2024/01/x.parquet')).rejects.toThrow(
      /^parquet: file "2024\/01\/x\.parquet" is not a readable parquet file \(.+\); it may be truncated or corrupt$/,
    );
    await expect(openParquetBuffer(memoryBuffer(orderedBytes.slice(0, orderedBytes.byteLength / 2)), 'half.parquet')).rejects.toThrow(/^parquet: file "half\.parquet" is not a readable parquet file/);
  });

  it('a row group that cannot be decoded names the file', async () => {
    const file = await open('ordered.parquet', orderedBytes);
    // Same footer, page bytes zeroed: the footer reads, the data does not.
    const broken = orderedBytes.slice(0);
    new Uint8Array(broken).fill(0, 4, orderedBytes.byteLength - Number(file.metadata.metadata_length) - 8);
    const plan = planParquetWindow([{ ...file, file: memoryBuffer(broken) }], request({ columns: ['value'], limit: 10 }), OPTIONS);
    await expect(readParquetWindow(plan)).rejects.toThrow(/^parquet: file "ordered\.parquet" is not a readable parquet file/);
  });

  it('no files, a column that is not there, files that disagree, and series without an entity', async () => {
    const file = await open('ordered.parquet', orderedBytes);
    expect(() => planParquetWindow([], request({}), OPTIONS)).toThrow('parquet: source "test" has no files for this window (check series, years, months, start and end)');
    expect(() => planParquetWindow([file], request({ columns: ['nope'] }), OPTIONS)).toThrow(/^sources: target column "nope" is not in source "test"; columns: ts, site, value, temp$/);
    const other = await open('2024/02/other.parquet', parquetWriteBuffer({ columnData: [{ name: 'ts', data: [START_MS], type: 'TIMESTAMP' }, { name: 'value', data: ['x'], type: 'STRING' }] }));
    expect(() => planParquetWindow([file, other], request({ columns: ['value'] }), OPTIONS)).toThrow(
      'parquet: file "2024/02/other.parquet" has column "value" as BYTE_ARRAY UTF8, not DOUBLE as in the other files; all files of a source need the same columns',
    );
    expect(() => planParquetWindow([file], request({ columns: ['value'], series: 'alpha' }), OPTIONS)).toThrow('parquet: series "alpha" needs an entity: map one with entity=<column>');
    expect(() => planParquetWindow([file], request({ columns: ['value'], entity: 'site' }), OPTIONS)).toThrow('parquet: source "test" holds one series per "site": name one with series=<id>');
  });

  it('series from file names: one series per window, and an unknown one is named', () => {
    const base = { sourceId: 'lake', seriesFromFileNames: true };
    expect(() => checkFileSeries({ ...base, series: undefined, selectedEntities: ['a', 'b'] })).toThrow(/^parquet: source "lake" holds one series per file-name \{entity\}: name one with series=<id>/);
    expect(() => checkFileSeries({ ...base, series: 'zz', selectedEntities: [], allEntities: ['a', 'b'] })).toThrow('parquet: series "zz" is not an {entity} of any file of source "lake"; GET /api/sources/lake/series lists them');
    expect(() => checkFileSeries({ ...base, series: 'a', selectedEntities: ['a'], allEntities: ['a', 'b'] })).not.toThrow();
    expect(() => checkFileSeries({ ...base, seriesFromFileNames: false, series: undefined, selectedEntities: ['a', 'b'] })).not.toThrow();
  });

  it('a window request survives its JSON form (what the server sends the browser)', () => {
    const want = request({ columns: ['value'], series: 'x', start: new Date('2024-01-02T03:00:00Z'), bucket: frequencyFromLabel('5min'), agg: 'max', min: -1, excludeNulls: true, limit: 12 });
    const json = JSON.parse(JSON.stringify(windowRequestToJson(want)));
    expect(json).toEqual({ columns: ['value'], series: 'x', start: '2024-01-02T03:00:00.000Z', bucket: '5min', agg: 'max', min: -1, excludeNulls: true, limit: 12 });
    expect(windowRequestFromJson(json)).toEqual(want);
  });
});
