import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';
import { call, readWindow } from '../support/data-plane';
import { csvToParquet, fixtureParquet, fixtureParquetZstd } from '../support/multi-series-parquet';

/**
 * Multi-series uploads through POST /api/uploads on PGlite and on real Postgres: every fixture
 * layout stored as one parquet file sorted by series then time, with row groups cut at series
 * boundaries; /series from the app database; windows of one series equal the file's rows; the
 * browser's Range reader reads one row group of many; refusals leave nothing stored.
 */

const fixture = (fileName: string): string => readFileSync(new URL(`../fixtures/multi-series/${fileName}`, import.meta.url), 'utf8');
const MONTH_2019 = Date.UTC(2019, 0, 1);

/** Rows of one series straight from the fixture text (an independent reading): [ms, value] sorted by time. */
function fixtureRows(fileName: string, id: string): [number, number][] {
  const [, ...lines] = fixture(fileName).trim().split('\n');
  return lines
    .map((line) => line.split(','))
    .filter((cells) => cells[0] === id)
    .map((cells): [number, number] => [Date.parse(`${cells[1]}T00:00:00Z`), Number(cells[2])])
    .sort((a, b) => a[0] - b[0]);
}

/** A long CSV of `series` series x `points` daily points; ids S000.. */
function manySeries(series: number, points: number): string {
  const lines = ['unique_id,ds,y'];
  for (let index = 0; index < series; index++) {
    const id = `S${String(index).padStart(3, '0')}`;
    for (let step = 0; step < points; step++) lines.push(`${id},${new Date(Date.UTC(2020, 0, 1) + step * 86_400_000).toISOString().slice(0, 10)},${index * 1000 + step}`);
  }
  return `${lines.join('\n')}\n`;
}

for (const backend of backends) {
  describe.skipIf(!backend.available)(`multi-series uploads (${backend.name})`, () => {
    let temp: string;
    let database: TestDatabase;
    let routes: {
      uploads: typeof import('@/app/api/uploads/route');
      sources: typeof import('@/app/api/sources/route');
      series: typeof import('@/app/api/sources/[id]/series/route');
      columns: typeof import('@/app/api/sources/[id]/columns/route');
      tables: typeof import('@/app/api/sources/[id]/tables/route');
      window: typeof import('@/app/api/sources/[id]/window/route');
      files: typeof import('@/app/api/files/[...path]/route');
    };
    const upload = (body: string | Uint8Array, query: string) => routes.uploads.POST(new Request(`http://lookahead.test/api/uploads?${query}`, { method: 'POST', body: typeof body === 'string' ? body : new Blob([body as Uint8Array<ArrayBuffer>]) }));
    const seriesOf = async (id: string, query: string) => (await call(routes.series.GET, `/api/sources/${id}/series?${query}`, { id })).json();
    const window = (id: string, query: string) => call(routes.window.GET, `/api/sources/${id}/window?${query}`, { id });
    const storedFiles = () => readdirSync(path.join(temp, 'uploads'), { recursive: false }).sort();
    const seriesRows = async () => Number((await database.handle.query<{ count: string }>('SELECT count(*) AS count FROM upload_series'))[0]!.count);

    beforeAll(async () => {
      temp = mkdtempSync(path.join(os.tmpdir(), 'lookahead-multi-'));
      mkdirSync(path.join(temp, 'uploads'));
      Object.assign(process.env, { LOOKAHEAD_UPLOAD_DIR: path.join(temp, 'uploads'), LOOKAHEAD_DATA_DIR: path.join(temp, 'data'), LOOKAHEAD_SOURCES: '', LOOKAHEAD_PARQUET_DIR: '' });
      delete process.env.LOOKAHEAD_UPLOAD_MAX_SERIES;
      delete process.env.LOOKAHEAD_UPLOAD_MAX_POINTS;
      // The migrations (0007 included) run here, on this backend.
      database = await createTestDatabase(backend.name);
      (globalThis as { lookaheadDatabase?: Promise<unknown> }).lookaheadDatabase = Promise.resolve(database.handle);
      routes = {
        uploads: await import('@/app/api/uploads/route'),
        sources: await import('@/app/api/sources/route'),
        series: await import('@/app/api/sources/[id]/series/route'),
        columns: await import('@/app/api/sources/[id]/columns/route'),
        tables: await import('@/app/api/sources/[id]/tables/route'),
        window: await import('@/app/api/sources/[id]/window/route'),
        files: await import('@/app/api/files/[...path]/route'),
      };
    }, 120_000);

    afterAll(async () => {
      delete (globalThis as { lookaheadDatabase?: Promise<unknown> }).lookaheadDatabase;
      await database?.drop();
      rmSync(temp, { recursive: true, force: true });
    });

    it('long, 3 series with a gap: stored sorted by series then time, /series lists counts and ranges, a window equals the file', async () => {
      const response = await upload(fixture('long-3-series-gap.csv'), 'fileName=long-3-series-gap.csv');
      expect(response.status).toBe(201);
      const { source } = await response.json();
      expect(source).toMatchObject({ layout: 'long', seriesCount: 3, entityColumn: 'unique_id', keyColumns: ['unique_id'], targets: ['y'], rowCount: 107, frequency: '1M' });
      const listed = await seriesOf(source.id, 'time=ds&entity=unique_id');
      expect(listed.series).toEqual([
        { id: 'A', rowCount: 36, start: new Date(MONTH_2019).toISOString(), end: '2021-12-01T00:00:00.000Z', frequency: '1M', missingSteps: 0 },
        { id: 'B', rowCount: 35, start: new Date(MONTH_2019).toISOString(), end: '2021-12-01T00:00:00.000Z', frequency: '1M', missingSteps: 1 },
        { id: 'C', rowCount: 36, start: new Date(MONTH_2019).toISOString(), end: '2021-12-01T00:00:00.000Z', frequency: '1M', missingSteps: 0 },
      ]);
      const columns = await (await call(routes.columns.GET, `/api/sources/${source.id}/columns`, { id: source.id })).json();
      expect(columns.suggested).toMatchObject({ time: 'ds', entity: 'unique_id', targets: ['y'] });
      const b = await readWindow(await window(source.id, 'time=ds&columns=y&entity=unique_id&series=B&limit=1000'));
      const expected = fixtureRows('long-3-series-gap.csv', 'B');
      expect(Array.from(b.timestampsMs)).toEqual(expected.map(([ms]) => ms));
      expect(Array.from(b.columns.y!)).toEqual(expected.map(([, value]) => value));
      // The stored file: ids ascending, time ascending within each.
      const file = await asyncBufferFromFile(path.join(temp, 'uploads', `${source.id}.parquet`));
      const rows = (await parquetReadObjects({ file, columns: ['unique_id', 'ds'] })) as { unique_id: string; ds: Date }[];
      for (let index = 1; index < rows.length; index++) {
        const [previous, current] = [rows[index - 1]!, rows[index]!];
        expect(current.unique_id > previous.unique_id || (current.unique_id === previous.unique_id && current.ds.getTime() > previous.ds.getTime())).toBe(true);
      }
    });

    it('a shuffled file is stored sorted: its window equals the sorted rows', async () => {
      const { source } = await (await upload(fixture('long-shuffled.csv'), 'fileName=long-shuffled.csv')).json();
      const c = await readWindow(await window(source.id, 'time=ds&columns=y&entity=unique_id&series=C&limit=1000'));
      const expected = fixtureRows('long-shuffled.csv', 'C');
      expect(Array.from(c.timestampsMs)).toEqual(expected.map(([ms]) => ms));
      expect(Array.from(c.columns.y!)).toEqual(expected.map(([, value]) => value));
      expect(source.warnings.join(' ')).toContain('sorted by series, then time');
    });

    it('covariates, a composite key with quarterly labels, and a wide file with a given start', async () => {
      const covariates = (await (await upload(fixture('long-covariates.csv'), 'fileName=long-covariates.csv')).json()).source;
      expect(covariates).toMatchObject({ entityColumn: 'item_id', targets: ['target'], covariates: ['sell_price', 'event_sporting'], seriesCount: 2, frequency: '1D' });
      const withPrice = await readWindow(await window(covariates.id, 'time=timestamp&columns=target&covariates=sell_price&entity=item_id&series=HOBBIES_2_010&limit=10'));
      expect(Array.from(withPrice.columns.sell_price!)).toHaveLength(10);

      const composite = (await (await upload(fixture('composite-key-quarterly.csv'), 'fileName=tourism.csv')).json()).source;
      expect(composite).toMatchObject({ layout: 'long', seriesCount: 4, entityColumn: 'unique_id', keyColumns: ['Region', 'State', 'Purpose'], frequency: '1Q', timestampColumn: 'Quarter' });
      const listed = await seriesOf(composite.id, 'time=Quarter&entity=unique_id');
      expect(listed.series.map((entry: { id: string }) => entry.id)).toContain('Sydney / New South Wales / Holiday');
      const sydney = await readWindow(await window(composite.id, `time=Quarter&columns=Trips&entity=unique_id&series=${encodeURIComponent('Sydney / New South Wales / Holiday')}&limit=100`));
      expect(sydney.timestampsMs.length).toBe(24);
      expect(sydney.timestampsMs[0]).toBe(Date.UTC(1998, 0, 1));
      expect(sydney.columns.Trips![0]).toBe(245);

      const wide = (await (await upload(fixture('wide.csv'), 'fileName=m4.csv&frequency=1Y&start=2000-01-01')).json()).source;
      expect(wide).toMatchObject({ layout: 'wide', seriesCount: 3, entityColumn: 'unique_id', frequency: '1Y', timestampColumn: 'ds' });
      const y2 = await readWindow(await window(wide.id, 'time=ds&columns=y&entity=unique_id&series=Y2&limit=100'));
      expect(y2.timestampsMs.length).toBe(11);
      expect(y2.timestampsMs[0]).toBe(Date.UTC(2000, 0, 1));
      expect(y2.columns.y![2]).toBe(2394);
      const steps = await upload(fixture('wide.csv'), 'fileName=m4.csv');
      expect((await steps.json()).source).toMatchObject({ layout: 'wide', frequency: '1D', start: '1970-01-01T00:00:00.000Z' });
      expect((await upload(fixture('wide.csv'), 'fileName=m4.csv&frequency=1Y')).status).toBe(400);
    });

    it('quarterly labels with one key column: stored at quarter starts, /series lists both regions', async () => {
      const response = await upload(fixture('quarterly-labels.csv'), 'fileName=quarterly-labels.csv');
      expect(response.status).toBe(201);
      const { source } = await response.json();
      expect(source).toMatchObject({ layout: 'long', seriesCount: 2, entityColumn: 'Region', keyColumns: ['Region'], targets: ['Trips'], timestampColumn: 'Quarter', frequency: '1Q', rowCount: 40 });
      const listed = await seriesOf(source.id, 'time=Quarter&entity=Region');
      expect(listed.series.map((entry: { id: string; rowCount: number; start: string; end: string }) => [entry.id, entry.rowCount, entry.start, entry.end])).toEqual([
        ['Melbourne', 20, '1998-01-01T00:00:00.000Z', '2002-10-01T00:00:00.000Z'],
        ['Perth', 20, '1998-01-01T00:00:00.000Z', '2002-10-01T00:00:00.000Z'],
      ]);
      const perth = await readWindow(await window(source.id, 'time=Quarter&columns=Trips&entity=Region&series=Perth&limit=100'));
      const expected = fixture('quarterly-labels.csv')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(','))
        .filter((cells) => cells[1] === 'Perth');
      expect(Array.from(perth.columns.Trips!)).toEqual(expected.map((cells) => Number(cells[2])));
      expect(perth.timestampsMs[3]).toBe(Date.UTC(1998, 9, 1));
    });

    it('parquet uploads of every layout are stored as the CSV of the same rows is; the duplicate key is refused and nothing stored', async () => {
      const layouts: [string, Record<string, unknown>, string][] = [
        ['long-3-series-gap.csv', { layout: 'long', seriesCount: 3, entityColumn: 'unique_id', frequency: '1M', rowCount: 107 }, 'time=ds&entity=unique_id'],
        ['long-covariates.csv', { layout: 'long', seriesCount: 2, entityColumn: 'item_id', targets: ['target'], covariates: ['sell_price', 'event_sporting'] }, 'time=timestamp&entity=item_id'],
        ['composite-key-quarterly.csv', { layout: 'long', seriesCount: 4, keyColumns: ['Region', 'State', 'Purpose'], frequency: '1Q' }, 'time=Quarter&entity=unique_id'],
        ['wide.csv', { layout: 'wide', seriesCount: 3, frequency: '1D' }, 'time=ds&entity=unique_id'],
        ['quarterly-labels.csv', { layout: 'long', seriesCount: 2, entityColumn: 'Region', frequency: '1Q' }, 'time=Quarter&entity=Region'],
        ['long-shuffled.csv', { layout: 'long', seriesCount: 3, entityColumn: 'unique_id', frequency: '1M' }, 'time=ds&entity=unique_id'],
      ];
      for (const [fileName, expected, seriesQuery] of layouts) {
        const parquetName = fileName.replace(/\.csv$/, '.parquet');
        const response = await upload(fixtureParquet(fileName), `fileName=${parquetName}`);
        expect(response.status, parquetName).toBe(201);
        const { source } = await response.json();
        expect(source, parquetName).toMatchObject(expected);
        // The same series, counts and ranges as the CSV upload of the same rows.
        const fromCsv = (await (await upload(fixture(fileName), `fileName=${fileName}`)).json()).source;
        expect((await seriesOf(source.id, seriesQuery)).series, parquetName).toEqual((await seriesOf(fromCsv.id, seriesQuery)).series);
      }
      const shuffled = (await (await upload(fixtureParquet('long-shuffled.csv'), 'fileName=long-shuffled.parquet')).json()).source;
      const c = await readWindow(await window(shuffled.id, 'time=ds&columns=y&entity=unique_id&series=C&limit=1000'));
      const expected = fixtureRows('long-shuffled.csv', 'C');
      expect(Array.from(c.timestampsMs)).toEqual(expected.map(([ms]) => ms));
      expect(Array.from(c.columns.y!)).toEqual(expected.map(([, value]) => value));

      // ZSTD, as polars writes by default: the same series as the CSV.
      const zstd = await upload(fixtureParquetZstd('composite-key-quarterly.csv'), 'fileName=tourism-zstd.parquet');
      expect(zstd.status).toBe(201);
      const zstdSource = (await zstd.json()).source;
      expect(zstdSource).toMatchObject({ layout: 'long', seriesCount: 4, frequency: '1Q' });
      const fromCsv = (await (await upload(fixture('composite-key-quarterly.csv'), 'fileName=composite-key-quarterly.csv')).json()).source;
      expect((await seriesOf(zstdSource.id, 'time=Quarter&entity=unique_id')).series).toEqual((await seriesOf(fromCsv.id, 'time=Quarter&entity=unique_id')).series);

      const filesBefore = storedFiles();
      const rowsBefore = await seriesRows();
      const lzo = await upload(csvToParquet(fixture('long-3-series-gap.csv'), { time: 'ds' }, { codec: 'LZO', compressors: { LZO: (input: Uint8Array) => input } }), 'fileName=lzo.parquet');
      expect(lzo.status).toBe(400);
      expect((await lzo.json()).error.message).toMatch(/^parquet: "lzo" could not be decoded \(.*LZO.*\)/);
      const duplicate = await upload(fixtureParquet('long-duplicate-key.csv'), 'fileName=dup.parquet');
      expect(duplicate.status).toBe(400);
      expect((await duplicate.json()).error.message).toContain('series "B", duplicate timestamp 2020-05-01 in column "ds" for unique_id="B" at rows 17 and 18');
      const truncated = await upload(new TextEncoder().encode('PAR1 not really'), 'fileName=cut.parquet');
      expect(truncated.status).toBe(400);
      expect((await truncated.json()).error.message).toContain('does not start and end with the parquet magic bytes');
      process.env.LOOKAHEAD_UPLOAD_MAX_SERIES = '2';
      try {
        // Bytes not uploaded before (the same bytes are answered from the store): the rows reversed.
        const [header, ...lines] = fixture('composite-key-quarterly.csv').trim().split('\n');
        const fresh = csvToParquet([header, ...lines.reverse()].join('\n'), { time: 'Quarter', timeAsText: true });
        const tooMany = await upload(fresh, 'fileName=too-many.parquet');
        expect(tooMany.status).toBe(413);
        expect((await tooMany.json()).error.message).toContain('the file holds 4 series; the limit is 2 series per file (LOOKAHEAD_UPLOAD_MAX_SERIES)');
      } finally {
        delete process.env.LOOKAHEAD_UPLOAD_MAX_SERIES;
      }
      expect(storedFiles()).toEqual(filesBefore);
      expect(await seriesRows()).toBe(rowsBefore);
    });

    it('row groups hold whole series, and the Range reader reads one of them for one series', async () => {
      const { source } = await (await upload(manySeries(200, 200), 'fileName=many.csv')).json();
      expect(source.seriesCount).toBe(200);
      const file = await asyncBufferFromFile(path.join(temp, 'uploads', `${source.id}.parquet`));
      const metadata = await parquetMetadataAsync(file);
      expect(metadata.row_groups.map((group) => Number(group.num_rows))).toEqual([10_000, 10_000, 10_000, 10_000]);
      const idRanges = metadata.row_groups.map((group) => {
        const statistics = group.columns[0]!.meta_data!.statistics!;
        return [statistics.min_value, statistics.max_value];
      });
      expect(idRanges).toEqual([
        ['S000', 'S049'],
        ['S050', 'S099'],
        ['S100', 'S149'],
        ['S150', 'S199'],
      ]);
      const { readParquetRangeWindow } = await import('@/lib/client/parquet-range');
      let fileBytes = 0;
      const routed: typeof fetch = async (input, init) => {
        const url = new URL(String(input));
        const request = new Request(url, init);
        if (url.pathname.endsWith('/tables')) return routes.tables.GET(request, { params: Promise.resolve({ id: source.id }) });
        const segments = url.pathname.replace(/^\/api\/files\//, '').split('/').map(decodeURIComponent);
        const response = await routes.files.GET(request, { params: Promise.resolve({ path: segments }) });
        fileBytes += Number(response.headers.get('content-length') ?? 0);
        return response;
      };
      const result = await readParquetRangeWindow({ origin: 'http://lookahead.test', sourceId: source.id, params: { time: 'ds', columns: 'y', entity: 'unique_id', series: 'S123', limit: '1000' }, fetch: routed });
      expect(result.transfer).toMatchObject({ rowGroupsTotal: 4, rowGroupsRead: 1 });
      expect(Array.from(result.window.columns.y!)).toEqual(Array.from({ length: 200 }, (_, step) => 123_000 + step));
      expect(fileBytes).toBeLessThan(result.transfer.fileBytes / 3);
    });

    it('a database failure half-way leaves neither the file nor the source row', async () => {
      const filesBefore = storedFiles();
      const uploadsBefore = Number((await database.handle.query<{ count: string }>('SELECT count(*) AS count FROM uploaded_sources'))[0]!.count);
      // Fault injection: the series table is away, so the transaction fails after the source row.
      await database.handle.query('ALTER TABLE upload_series RENAME TO upload_series_away');
      try {
        const response = await upload(`${fixture('long-3-series-gap.csv')}\n\n`, 'fileName=half.csv');
        expect(response.status).toBe(500);
      } finally {
        await database.handle.query('ALTER TABLE upload_series_away RENAME TO upload_series');
      }
      expect(storedFiles()).toEqual(filesBefore);
      expect(Number((await database.handle.query<{ count: string }>('SELECT count(*) AS count FROM uploaded_sources'))[0]!.count)).toBe(uploadsBefore);
    });

    it('refusals name the limit or the series, answer 4xx, and store nothing', async () => {
      const filesBefore = storedFiles();
      const rowsBefore = await seriesRows();
      const sourcesBefore = (await (await routes.sources.GET()).json()).sources.length;

      const duplicate = await upload(fixture('long-duplicate-key.csv'), 'fileName=dup.csv');
      expect(duplicate.status).toBe(400);
      expect((await duplicate.json()).error.message).toContain('series "B", duplicate timestamp 2020-05-01 in column "ds" for unique_id="B" at rows 18 and 19');

      const mixed = await upload('id,ds,y\nA,2020-01-01,1\nA,2020-02-01,2\nA,2020-03-01,3\nB,2020-01-01,4\nB,2020-01-02,5\nB,2020-01-03,6\n', 'fileName=mixed.csv');
      expect(mixed.status).toBe(400);
      expect((await mixed.json()).error.message).toContain('series have mixed frequencies');

      process.env.LOOKAHEAD_UPLOAD_MAX_SERIES = '2';
      try {
        const tooMany = await upload(`${fixture('long-shuffled.csv')}\n`, 'fileName=too-many.csv');
        expect(tooMany.status).toBe(413);
        expect((await tooMany.json()).error.message).toContain('the file holds 3 series; the limit is 2 series per file (LOOKAHEAD_UPLOAD_MAX_SERIES)');
      } finally {
        delete process.env.LOOKAHEAD_UPLOAD_MAX_SERIES;
      }
      process.env.LOOKAHEAD_UPLOAD_MAX_POINTS = '50';
      try {
        const tooLong = await upload(manySeries(2, 30), 'fileName=too-long.csv');
        expect(tooLong.status).toBe(413);
        expect((await tooLong.json()).error).toMatchObject({ code: 'too_large', details: { limit: 'maxPoints', value: 60, max: 50 } });
      } finally {
        delete process.env.LOOKAHEAD_UPLOAD_MAX_POINTS;
      }
      expect(storedFiles()).toEqual(filesBefore);
      expect(await seriesRows()).toBe(rowsBefore);
      expect((await (await routes.sources.GET()).json()).sources.length).toBe(sourcesBefore);
    });
  });
}
