import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asyncBufferFromUrl, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, readWindow, referenceBuckets } from '../support/data-plane';

/**
 * Parquet sources on real files written with hyparquet-writer: a partitioned directory
 * (YYYY/MM/ folders, the file-name pattern), corrupt and truncated files, the byte-range
 * file route, and CSV uploads stored as parquet. The app database is PGlite in a temp folder.
 */
const HOUR = 3_600_000;
const PATTERN = '{entity}_{frequency}_{*}_{year}_{month}_{hash}.parquet';
const ENTITIES = ['AAA', 'BBB'];

function valueAt(entityIndex: number, ms: number): number | null {
  const hour = Math.round(ms / HOUR);
  if ((hour + entityIndex) % 29 === 0) return null;
  return entityIndex * 1000 + (hour % 97) + Math.cos(hour) / 8;
}

function monthHours(year: number, month: number): number[] {
  const hours: number[] = [];
  for (let ms = Date.UTC(year, month - 1, 1); ms < Date.UTC(year, month, 1); ms += HOUR) hours.push(ms);
  return hours;
}

function writeMonth(root: string, entity: string, year: number, month: number, hash: string, folder = `${year}/${String(month).padStart(2, '0')}`): string {
  const entityIndex = ENTITIES.indexOf(entity);
  const hours = monthHours(year, month);
  const bytes = parquetWriteBuffer({
    columnData: [
      { name: 'ts', data: hours, type: 'TIMESTAMP', nullable: false },
      { name: 'close', data: hours.map((ms) => valueAt(entityIndex, ms)), type: 'DOUBLE', nullable: true },
      { name: 'volume', data: hours.map((ms) => (ms / HOUR) % 50), type: 'DOUBLE', nullable: true },
    ],
    rowGroupSize: 100,
  });
  const file = path.join(root, folder, `${entity}_1h_h15_${year}_${String(month).padStart(2, '0')}_${hash}.parquet`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, new Uint8Array(bytes));
  return file;
}

type Routes = {
  sources: typeof import('@/app/api/sources/route');
  tables: typeof import('@/app/api/sources/[id]/tables/route');
  columns: typeof import('@/app/api/sources/[id]/columns/route');
  series: typeof import('@/app/api/sources/[id]/series/route');
  window: typeof import('@/app/api/sources/[id]/window/route');
  files: typeof import('@/app/api/files/[...path]/route');
  uploads: typeof import('@/app/api/uploads/route');
};

describe('data plane: parquet sources, file route, uploads', () => {
  let temp: string;
  let root: string;
  let routes: Routes;
  let aaaJanuary: string;
  const window = (query: string, id = 'parquet') => call(routes.window.GET, `/api/sources/${id}/window?${query}`, { id });
  const file = (segments: string[], headers: Record<string, string> = {}, method = 'GET') =>
    call(routes.files.GET, `/api/files/${segments.join('/')}`, { path: segments }, { headers, method });

  beforeAll(async () => {
    temp = mkdtempSync(path.join(os.tmpdir(), 'lookahead-parquet-'));
    root = path.join(temp, 'lake');
    aaaJanuary = writeMonth(root, 'AAA', 2014, 1, 'a1b2');
    writeMonth(root, 'AAA', 2014, 2, 'c3d4');
    writeMonth(root, 'BBB', 2014, 1, 'e5f6');
    writeMonth(root, 'BBB', 2014, 2, 'a7b8');
    // Named for February but filed under January: skipped with a reason.
    writeMonth(root, 'BBB', 2014, 2, 'dead', '2014/01');
    writeFileSync(path.join(root, '2014', 'notes.parquet'), 'not matching the pattern');
    // 2015: a corrupt file and a truncated one.
    mkdirSync(path.join(root, '2015', '01'), { recursive: true });
    writeFileSync(path.join(root, '2015', '01', 'CCC_1h_h15_2015_01_0bad.parquet'), 'PAR1 this is not parquet at all PAR1');
    const whole = readFileSync(writeMonth(root, 'AAA', 2015, 2, 'cut0'));
    writeFileSync(path.join(root, '2015', '02', 'AAA_1h_h15_2015_02_cut0.parquet'), whole.subarray(0, Math.floor(whole.byteLength / 2)));
    Object.assign(process.env, {
      DATABASE_URL: '',
      LOOKAHEAD_DATA_DIR: path.join(temp, 'data'),
      LOOKAHEAD_PARQUET_DIR: root,
      LOOKAHEAD_PARQUET_PATTERN: PATTERN,
      LOOKAHEAD_UPLOAD_DIR: path.join(temp, 'uploads'),
      LOOKAHEAD_SOURCES: '',
    });
    const { getDatabase, migrateDatabase, openDatabase } = await import('@/db');
    // getDatabase() would open PGlite on disk (seconds of fsync); the process-wide handle it
    // caches is primed with an in-memory one, the same engine.
    (globalThis as { lookaheadDatabase?: Promise<unknown> }).lookaheadDatabase = openDatabase({ dataDir: 'memory://' });
    await migrateDatabase(await getDatabase());
    routes = {
      sources: await import('@/app/api/sources/route'),
      tables: await import('@/app/api/sources/[id]/tables/route'),
      columns: await import('@/app/api/sources/[id]/columns/route'),
      series: await import('@/app/api/sources/[id]/series/route'),
      window: await import('@/app/api/sources/[id]/window/route'),
      files: await import('@/app/api/files/[...path]/route'),
      uploads: await import('@/app/api/uploads/route'),
    };
  }, 120_000);

  afterAll(async () => {
    const { getDatabase } = await import('@/db');
    await (await getDatabase()).close();
    rmSync(temp, { recursive: true, force: true });
  });

  describe('discovery', () => {
    it('the file-name pattern takes entity, year, month and named fields', async () => {
      const { compileFileNamePattern } = await import('@/lib/server/parquet');
      const pattern = compileFileNamePattern(PATTERN);
      expect(pattern.match('AAPL_1min_h15_2014_01_9f2c.parquet')).toEqual({
        entity: 'AAPL',
        year: 2014,
        month: 1,
        fields: { entity: 'AAPL', frequency: '1min', year: '2014', month: '01', hash: '9f2c' },
      });
      expect(pattern.match('AAPL_2014_01.parquet')).toBeNull();
      expect(pattern.match('AAPL_1min_h15_2014_13_9f2c.parquet')).toBeNull();
      expect(() => compileFileNamePattern('{year}/{month}.parquet')).toThrow(/must be a file name/);
    });

    it('finds partitioned files under YYYY/MM and explains the files it skips', async () => {
      const { discoverParquetFiles } = await import('@/lib/server/parquet');
      const { files, skipped } = await discoverParquetFiles(root, PATTERN);
      expect(files.map((entry) => `${entry.relativePath} ${entry.entity} ${entry.year}-${entry.month}`)).toEqual([
        '2014/01/AAA_1h_h15_2014_01_a1b2.parquet AAA 2014-1',
        '2014/01/BBB_1h_h15_2014_01_e5f6.parquet BBB 2014-1',
        '2014/02/AAA_1h_h15_2014_02_c3d4.parquet AAA 2014-2',
        '2014/02/BBB_1h_h15_2014_02_a7b8.parquet BBB 2014-2',
        '2015/01/CCC_1h_h15_2015_01_0bad.parquet CCC 2015-1',
        '2015/02/AAA_1h_h15_2015_02_cut0.parquet AAA 2015-2',
      ]);
      expect(skipped).toEqual([
        { relativePath: '2014/01/BBB_1h_h15_2014_02_dead.parquet', reason: 'file name says month 2 but the file is under 2014/01/' },
        { relativePath: '2014/notes.parquet', reason: `file name does not match the pattern ${PATTERN}` },
      ]);
    });

    it('lists files filtered by year and month ranges, with their file URLs', async () => {
      const body = await (await call(routes.tables.GET, '/api/sources/parquet/tables?years=2014&months=2-12', { id: 'parquet' })).json();
      expect(body.files.map((entry: { path: string }) => entry.path)).toEqual([
        '2014/02/AAA_1h_h15_2014_02_c3d4.parquet',
        '2014/02/BBB_1h_h15_2014_02_a7b8.parquet',
      ]);
      expect(body.files[0].url).toBe('/api/files/parquet/2014/02/AAA_1h_h15_2014_02_c3d4.parquet');
    });

    it('lists series from the file names with row counts and ranges from the footers', async () => {
      const body = await (await call(routes.series.GET, '/api/sources/parquet/series?years=2014', { id: 'parquet' })).json();
      const rows = monthHours(2014, 1).length + monthHours(2014, 2).length;
      expect(body.series).toEqual(
        ENTITIES.map((id) => ({ id, rowCount: rows, start: '2014-01-01T00:00:00.000Z', end: new Date(Date.UTC(2014, 2, 1) - HOUR).toISOString() })),
      );
    });

    it('introspects the columns and suggests roles', async () => {
      const body = await (await call(routes.columns.GET, '/api/sources/parquet/columns', { id: 'parquet' })).json();
      expect(body.columns.map((column: { name: string; kind: string }) => `${column.name}:${column.kind}`)).toEqual(['ts:timestamp', 'close:number', 'volume:number']);
      expect(body.suggested).toEqual({ time: 'ts', targets: ['close', 'volume'], entity: null, covariates: [] });
      expect(body.entityFromFileName).toBe(true);
    });
  });

  describe('windows', () => {
    function reference(entity: string, fromMs: number, toMs: number) {
      const entityIndex = ENTITIES.indexOf(entity);
      const hours = [...monthHours(2014, 1), ...monthHours(2014, 2)].filter((ms) => ms >= fromMs && ms <= toMs);
      return { timestampsMs: hours, values: hours.map((ms) => valueAt(entityIndex, ms) ?? Number.NaN) };
    }

    it('a window across two monthly files equals the generated data', async () => {
      const start = '2014-01-30T00:00:00Z';
      const end = '2014-02-02T12:00:00Z';
      const got = await readWindow(await window(`series=BBB&columns=close&start=${start}&end=${end}&limit=1000`));
      const want = reference('BBB', Date.parse(start), Date.parse(end));
      expect(Array.from(got.timestampsMs)).toEqual(want.timestampsMs);
      expect(Array.from(got.columns.close!)).toEqual(want.values);
    });

    it('the newest `limit` rows read only the row groups that hold them', async () => {
      const { openParquetSourceWindow, directorySource, compileFileNamePattern } = await import('@/lib/server/parquet');
      const { parseWindowRequest } = await import('@/lib/server/sources');
      const source = directorySource({ id: 'parquet', root, pattern: compileFileNamePattern(PATTERN) });
      const reader = await openParquetSourceWindow(source, parseWindowRequest(new URLSearchParams('series=AAA&columns=close&years=2014&limit=50'), { rowCap: 1000 }));
      const batch = await reader.next();
      await reader.close();
      const all = reference('AAA', 0, Number.POSITIVE_INFINITY);
      expect(Array.from(batch!.timestampsMs)).toEqual(all.timestampsMs.slice(-50));
      // January (744 rows) and February (672) in groups of 100: 8 + 7 groups; the newest 50 rows
      // sit in February's last group (72 rows), so that group is the only one read.
      expect(reader.stats).toEqual({ files: 2, rowGroupsTotal: 15, rowGroupsRead: 1 });
    });

    it('start/end prune row groups by their min/max statistics', async () => {
      const { openParquetSourceWindow, directorySource, compileFileNamePattern } = await import('@/lib/server/parquet');
      const { parseWindowRequest } = await import('@/lib/server/sources');
      const source = directorySource({ id: 'parquet', root, pattern: compileFileNamePattern(PATTERN) });
      const reader = await openParquetSourceWindow(
        source,
        parseWindowRequest(new URLSearchParams('series=AAA&columns=close&start=2014-01-10T00:00:00Z&end=2014-01-11T00:00:00Z&limit=1000'), { rowCap: 1000 }),
      );
      const batch = await reader.next();
      await reader.close();
      expect(batch!.timestampsMs.length).toBe(25);
      // Only January's file is opened (partition pruning), and its rows 216..240 lie in group 2 (rows 200-299).
      expect(reader.stats).toEqual({ files: 1, rowGroupsTotal: 8, rowGroupsRead: 1 });
    });

    it('min/max and excludeNulls filters', async () => {
      const got = await readWindow(await window('series=AAA&columns=close&years=2014&months=1&min=10&max=20&excludeNulls=true&limit=1000'));
      const want = reference('AAA', Date.UTC(2014, 0, 1), Date.UTC(2014, 1, 1) - 1);
      const kept = want.timestampsMs.map((ms, index) => [ms, want.values[index]!] as const).filter(([, value]) => value >= 10 && value <= 20);
      expect(Array.from(got.timestampsMs)).toEqual(kept.map(([ms]) => ms));
      expect(Array.from(got.columns.close!)).toEqual(kept.map(([, value]) => value));
    });

    for (const agg of ['avg', 'min', 'max', 'last'] as const) {
      it(`bucket=1D agg=${agg} equals an independent aggregation`, async () => {
        const got = await readWindow(await window(`series=AAA&columns=close&years=2014&bucket=1D&agg=${agg}&limit=10`));
        const all = reference('AAA', 0, Number.POSITIVE_INFINITY);
        const want = referenceBuckets(all.timestampsMs, all.values, 86_400_000, agg);
        expect(Array.from(got.timestampsMs)).toEqual(want.timestampsMs.slice(-10));
        got.columns.close!.forEach((value, index) => expect(value).toBeCloseTo(want.values.slice(-10)[index]!, 9));
      });
    }

    it('a window over several entities needs series=', async () => {
      const response = await window('columns=close&years=2014');
      expect(response.status).toBe(400);
      expect((await response.json()).error.message).toMatch(/^parquet: source "parquet" holds one series per file-name \{entity\}: name one with series=<id>/);
    });

    it('a corrupt file is a 422 naming the file', async () => {
      const response = await window('series=CCC&columns=close&years=2015');
      expect(response.status).toBe(422);
      expect((await response.json()).error.message).toMatch(/^parquet: file "2015\/01\/CCC_1h_h15_2015_01_0bad\.parquet" is not a readable parquet file \(.+\); it may be truncated or corrupt$/);
    });

    it('a truncated file is a 422 naming the file', async () => {
      const response = await window('series=AAA&columns=close&years=2015');
      expect(response.status).toBe(422);
      expect((await response.json()).error.message).toMatch(/^parquet: file "2015\/02\/AAA_1h_h15_2015_02_cut0\.parquet" is not a readable parquet file/);
    });
  });

  describe('file route with HTTP Range', () => {
    const segments = () => ['parquet', '2014', '01', path.basename(aaaJanuary)];

    it('HEAD and a plain GET: whole file, Accept-Ranges, ETag', async () => {
      const bytes = readFileSync(aaaJanuary);
      const head = await call(routes.files.HEAD, `/api/files/${segments().join('/')}`, { path: segments() }, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(bytes.byteLength));
      expect(head.headers.get('accept-ranges')).toBe('bytes');
      const response = await file(segments());
      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/);
      expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    });

    it('a single range is a 206 with Content-Range and exactly those bytes', async () => {
      const bytes = readFileSync(aaaJanuary);
      const response = await file(segments(), { range: 'bytes=100-199' });
      expect(response.status).toBe(206);
      expect(response.headers.get('content-range')).toBe(`bytes 100-199/${bytes.byteLength}`);
      expect(response.headers.get('content-length')).toBe('100');
      expect(Buffer.from(await response.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
    });

    it('a suffix range returns the last N bytes (the parquet footer read)', async () => {
      const bytes = readFileSync(aaaJanuary);
      const response = await file(segments(), { range: 'bytes=-8' });
      expect(response.status).toBe(206);
      expect(response.headers.get('content-range')).toBe(`bytes ${bytes.byteLength - 8}-${bytes.byteLength - 1}/${bytes.byteLength}`);
      const tail = Buffer.from(await response.arrayBuffer());
      expect(tail.subarray(4).toString('latin1')).toBe('PAR1');
    });

    it('an open-ended range and one past the end clamp to the file', async () => {
      const size = readFileSync(aaaJanuary).byteLength;
      const open = await file(segments(), { range: `bytes=${size - 10}-` });
      expect(open.status).toBe(206);
      expect((await open.arrayBuffer()).byteLength).toBe(10);
      const long = await file(segments(), { range: `bytes=${size - 4}-${size + 1000}` });
      expect(long.headers.get('content-range')).toBe(`bytes ${size - 4}-${size - 1}/${size}`);
      await long.body?.cancel();
    });

    it('a range starting past the end is 416 with the size', async () => {
      const size = readFileSync(aaaJanuary).byteLength;
      const response = await file(segments(), { range: `bytes=${size}-${size + 10}` });
      expect(response.status).toBe(416);
      expect(response.headers.get('content-range')).toBe(`bytes */${size}`);
      expect((await file(segments(), { range: 'bytes=-0' })).status).toBe(416);
    });

    it('If-None-Match with the ETag is a 304; a stale If-Range sends the whole file', async () => {
      const etag = (await file(segments(), {}, 'HEAD')).headers.get('etag')!;
      expect((await file(segments(), { 'if-none-match': etag })).status).toBe(304);
      const stale = await file(segments(), { range: 'bytes=0-9', 'if-range': '"old"' });
      expect(stale.status).toBe(200);
      await stale.body?.cancel();
    });

    it('paths outside the lake, files not matching the pattern and unknown sources are 404', async () => {
      for (const bad of [
        ['parquet', '..', '..', 'etc', 'passwd'],
        ['parquet', '2014', 'notes.parquet'],
        ['parquet', '2014', '01', '..', '01', path.basename(aaaJanuary)],
        ['nope', 'x.parquet'],
        ['etth1', 'x.parquet'],
      ]) {
        expect((await file(bad)).status).toBe(404);
      }
    });

    it('hyparquet reads rows over the route the way the browser does', async () => {
      let transferred = 0;
      const fetchThroughRoute: typeof fetch = async (input, init) => {
        const url = new URL(String(input));
        const pathSegments = url.pathname.replace(/^\/api\/files\//, '').split('/');
        const handler = init?.method === 'HEAD' ? routes.files.HEAD : routes.files.GET;
        const response = await handler(new Request(url, init), { params: Promise.resolve({ path: pathSegments }) });
        transferred += Number(response.headers.get('content-length') ?? 0) * (init?.method === 'HEAD' ? 0 : 1);
        return response;
      };
      const remote = await asyncBufferFromUrl({ url: `http://lookahead.test/api/files/${segments().join('/')}`, fetch: fetchThroughRoute });
      const metadata = await parquetMetadataAsync(remote, { initialFetchSize: 4096 });
      const rows = await parquetReadObjects({ file: remote, metadata, columns: ['close'], rowStart: 300, rowEnd: 310 });
      const hours = monthHours(2014, 1).slice(300, 310);
      expect(rows.map((row) => row.close)).toEqual(hours.map((ms) => valueAt(0, ms)));
      expect(transferred).toBeLessThan(readFileSync(aaaJanuary).byteLength);
    });
  });

  describe("the browser worker's reader: HTTP Range over the file route", () => {
    /** The app's routes as the worker's fetch sees them, counting the bytes of every file answer. */
    function routedFetch() {
      const seen = { fileRequests: 0, fileBytes: 0, windowRequests: 0 };
      const fetchThroughRoutes: typeof fetch = async (input, init) => {
        const url = new URL(String(input));
        const request = new Request(url, init);
        const source = url.pathname.match(/^\/api\/sources\/([^/]+)\/tables$/);
        if (source) return routes.tables.GET(request, { params: Promise.resolve({ id: decodeURIComponent(source[1]!) }) });
        if (url.pathname.startsWith('/api/files/')) {
          const segments = url.pathname.replace(/^\/api\/files\//, '').split('/').map(decodeURIComponent);
          const response = await routes.files.GET(request, { params: Promise.resolve({ path: segments }) });
          seen.fileRequests++;
          seen.fileBytes += Number(response.headers.get('content-length') ?? 0);
          return response;
        }
        seen.windowRequests++;
        throw new Error(`unexpected request ${url.pathname}`);
      };
      return { seen, fetch: fetchThroughRoutes };
    }

    async function rangeWindow(query: string, id = 'parquet') {
      const { readParquetRangeWindow } = await import('@/lib/client/parquet-range');
      const routed = routedFetch();
      const progress: [string, number][] = [];
      const result = await readParquetRangeWindow({
        origin: 'http://lookahead.test',
        sourceId: id,
        params: Object.fromEntries(new URLSearchParams(query)),
        fetch: routed.fetch,
        onProgress: (message, fraction) => progress.push([message, fraction]),
      });
      return { ...result, seen: routed.seen, progress };
    }

    for (const query of [
      'series=BBB&columns=close&start=2014-01-30T00:00:00Z&end=2014-02-02T12:00:00Z&limit=1000',
      'series=AAA&columns=close,volume&years=2014&limit=50',
      'series=AAA&columns=close&years=2014&months=1&min=10&max=20&excludeNulls=true&limit=1000',
      'series=BBB&columns=close&covariates=volume&years=2014&bucket=6h&agg=last&limit=30',
    ]) {
      it(`equals the window route: ${query}`, async () => {
        const server = await readWindow(await window(query));
        const browser = await rangeWindow(query);
        expect(Array.from(browser.window.timestampsMs)).toEqual(Array.from(server.timestampsMs));
        for (const column of browser.columns) expect(Array.from(browser.window.columns[column]!)).toEqual(Array.from(server.columns[column]!));
        expect(browser.frequencyLabel).toBe(query.includes('bucket=') ? '6h' : null);
        expect(browser.seen.windowRequests).toBe(0);
      });
    }

    it('fetches the footers and the row groups it needs, a fraction of the files', async () => {
      const browser = await rangeWindow('series=AAA&columns=close&years=2014&limit=50');
      // January and February of AAA are listed; the newest 50 rows lie in February's last group.
      expect(browser.transfer).toMatchObject({ files: 2, rowGroupsTotal: 15, rowGroupsRead: 1 });
      expect(browser.seen.fileBytes).toBe(browser.transfer.bytesFetched);
      expect(browser.transfer.bytesFetched).toBeLessThan(browser.transfer.fileBytes / 4);
      expect(browser.progress.at(-1)![0]).toMatch(/^read 1 of at most \d+ row group\(s\), 50 of 50 rows: [\d.]+ (B|kB) of [\d.]+ kB fetched$/);
      expect(browser.progress.at(-1)![1]).toBe(1);
    });

    it('reads an upload with an entity column the same way', async () => {
      const { source } = await (
        await routes.uploads.POST(new Request('http://lookahead.test/api/uploads?fileName=stores.csv', { method: 'POST', body: ['date,store,sales', ...Array.from({ length: 30 }, (_, hour) => `${new Date(Date.UTC(2024, 5, 1) + hour * HOUR).toISOString()},${hour % 2 ? 'north' : 'south'},${hour}`)].join('\n') }))
      ).json();
      const browser = await rangeWindow('columns=sales&entity=store&series=north&limit=100', source.id);
      expect(Array.from(browser.window.columns.sales!)).toEqual(Array.from({ length: 15 }, (_, index) => 2 * index + 1));
    });

    it("errors read as the server's: a corrupt file, a truncated one, a missing series", async () => {
      await expect(rangeWindow('series=CCC&columns=close&years=2015')).rejects.toThrow(/^parquet: file "2015\/01\/CCC_1h_h15_2015_01_0bad\.parquet" is not a readable parquet file \(.+\); it may be truncated or corrupt$/);
      await expect(rangeWindow('series=AAA&columns=close&years=2015')).rejects.toThrow(/^parquet: file "2015\/02\/AAA_1h_h15_2015_02_cut0\.parquet" is not a readable parquet file/);
      await expect(rangeWindow('columns=close&years=2014')).rejects.toThrow(/^parquet: source "parquet" holds one series per file-name \{entity\}: name one with series=<id>/);
      await expect(rangeWindow('series=AAA&columns=close&bucket=1M')).rejects.toThrow(/^window: bucket 1M is a calendar step/);
    });

    it("a file that vanished after the listing names it and the route's answer", async () => {
      const { readParquetRangeWindow } = await import('@/lib/client/parquet-range');
      const routed = routedFetch();
      const gone: typeof fetch = async (input, init) => (String(input).includes('/api/files/') ? Response.json({ error: { code: 'not_found', message: 'files: no file "x"' } }, { status: 404 }) : routed.fetch(input, init));
      await expect(readParquetRangeWindow({ origin: 'http://lookahead.test', sourceId: 'parquet', params: { series: 'AAA', columns: 'close', years: '2014' }, fetch: gone })).rejects.toThrow(/^files: no file "x"$/);
    });

    it('an aborted read stops with the signal', async () => {
      const { readParquetRangeWindow } = await import('@/lib/client/parquet-range');
      const controller = new AbortController();
      const reading = readParquetRangeWindow({
        origin: 'http://lookahead.test',
        sourceId: 'parquet',
        params: { series: 'AAA', columns: 'close', years: '2014' },
        fetch: routedFetch().fetch,
        signal: controller.signal,
        onProgress: (message) => message.startsWith('read 2 ') && controller.abort(),
      });
      await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    });
  });

  describe('CSV upload stored as parquet', () => {
    const csv = ['date,store,sales,price', ...Array.from({ length: 48 }, (_, hour) => `${new Date(Date.UTC(2024, 4, 1) + hour * HOUR).toISOString()},${hour % 2 ? 'north' : 'south'},${hour * 3},${hour === 5 ? '' : 10 + hour / 4}`)].join('\n');
    const upload = (body: BodyInit, query = 'fileName=sales.csv', headers: Record<string, string> = {}) =>
      routes.uploads.POST(new Request(`http://lookahead.test/api/uploads?${query}`, { method: 'POST', body, headers }));

    it('registers an upload as a source, once per content', async () => {
      const first = await upload(csv);
      expect(first.status).toBe(201);
      const created = await first.json();
      expect(created.source).toMatchObject({ kind: 'upload', name: 'sales', timestampColumn: 'date', columns: ['sales', 'price'], textColumns: ['store'], rowCount: 48, frequency: '1h' });
      const again = await upload(csv);
      expect(again.status).toBe(200);
      expect((await again.json()).source.id).toBe(created.source.id);
      const listed = await (await routes.sources.GET()).json();
      expect(listed.sources.filter((source: { id: string }) => source.id === created.source.id)).toHaveLength(1);
    });

    it('a window of the upload equals the CSV, and an entity column selects a series', async () => {
      const { source } = await (await upload(csv)).json();
      const got = await readWindow(await window('columns=sales,price&limit=100', source.id));
      expect(got.timestampsMs.length).toBe(48);
      expect(got.columns.sales![47]).toBe(141);
      expect(Number.isNaN(got.columns.price![5]!)).toBe(true);
      const north = await readWindow(await window('columns=sales&entity=store&series=north&limit=100', source.id));
      expect(Array.from(north.columns.sales!)).toEqual(Array.from({ length: 24 }, (_, index) => (2 * index + 1) * 3));
    });

    it('serves the stored parquet as an immutable file', async () => {
      const { source } = await (await upload(csv)).json();
      const [, , , id, name] = source.fileUrl.split('/');
      const response = await file([id, name], { range: 'bytes=0-3' });
      expect(response.status).toBe(206);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(Buffer.from(await response.arrayBuffer()).toString('latin1')).toBe('PAR1');
    });

    it('accepts multipart form data', async () => {
      const form = new FormData();
      form.append('file', new Blob([csv.replace('sales', 'revenue')], { type: 'text/csv' }), 'revenue.csv');
      const response = await upload(form, '');
      expect(response.status).toBe(201);
      expect((await response.json()).source.columns).toEqual(['revenue', 'price']);
    });

    it('refuses a CSV without a timestamp column and one over the size limit', async () => {
      const noTime = await upload('a,b\n1,2\n3,4\n');
      expect(noTime.status).toBe(400);
      expect((await noTime.json()).error.message).toMatch(/^upload: "sales\.csv" has no timestamp column/);
      process.env.LOOKAHEAD_UPLOAD_MAX_BYTES = '100';
      try {
        const large = await upload(csv);
        expect(large.status).toBe(413);
        expect((await large.json()).error.message).toMatch(/uploads are limited to 100 bytes/);
        // A chunked body has no Content-Length: reading stops once it passes the limit.
        let sent = 0;
        const endless = new ReadableStream<Uint8Array>({
          pull(controller) {
            sent += 16_384;
            controller.enqueue(new Uint8Array(16_384).fill(65));
          },
        });
        const chunked = await routes.uploads.POST(new Request('http://lookahead.test/api/uploads', { method: 'POST', body: endless, duplex: 'half' } as RequestInit));
        expect(chunked.status).toBe(413);
        expect((await chunked.json()).error.message).toMatch(/^upload: the upload passed \d+ bytes/);
        expect(sent).toBeLessThan(200_000);
      } finally {
        delete process.env.LOOKAHEAD_UPLOAD_MAX_BYTES;
      }
    });
  });
});
