import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countPoints, getDataset, listDatasets, readSeriesWindow } from '@/db';
import { decodeWindow } from '@/lib/data/arrow-window';
import { parseCsv } from '@/lib/data/csv';
import { loadSampleDatasets } from '@/lib/server/samples';
import { SAMPLE_DATASETS } from '@/lib/server/sample-catalog';
import { streamDatasetWindow } from '@/lib/server/window-stream';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';

const etth1 = parseCsv(readFileSync('data/samples/ETTh1.csv', 'utf8'));

for (const backend of backends) {
  describe.skipIf(!backend.available)(`database layer on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createTestDatabase(backend.name);
      await loadSampleDatasets({ handle: database.handle });
    }, 300_000);

    afterAll(async () => {
      await database?.drop();
    });

    it('loads every sample dataset with its row count and attribution', async () => {
      const datasets = await listDatasets({ handle: database.handle });
      expect(datasets.map((dataset) => dataset.id).sort()).toEqual(SAMPLE_DATASETS.map((sample) => sample.id).sort());
      const stored = await getDataset({ handle: database.handle, id: 'etth1' });
      expect(stored).toMatchObject({ rowCount: 17_420, frequency: '1h', licence: 'CC BY-ND 4.0', timestampColumn: 'date' });
      expect(stored!.columns).toEqual(['HUFL', 'HULL', 'MUFL', 'MULL', 'LUFL', 'LULL', 'OT']);
      expect(await countPoints({ handle: database.handle, datasetId: 'etth1' })).toBe(17_420 * 7);
      const exchange = await getDataset({ handle: database.handle, id: 'exchange-rate' });
      expect(exchange).toMatchObject({ rowCount: 7_588, timestampsSynthetic: true, frequency: '1D' });
    });

    it('stores jsonb columns as JSON arrays, not as JSON strings', async () => {
      const rows = await database.handle.query<{ columns: string; warnings: string }>(
        "SELECT jsonb_typeof(columns) AS columns, jsonb_typeof(warnings) AS warnings FROM datasets WHERE id = 'monthly-milk-incomplete'",
      );
      expect(rows[0]).toEqual({ columns: 'array', warnings: 'array' });
    });

    it('a second load is a no-op and never duplicates rows', async () => {
      const before = await countPoints({ handle: database.handle, datasetId: 'etth1' });
      const results = await loadSampleDatasets({ handle: database.handle });
      expect(results.every((result) => result.status === 'unchanged')).toBe(true);
      expect(await countPoints({ handle: database.handle, datasetId: 'etth1' })).toBe(before);
    });

    it('reads the newest points of a column in time order, equal to the file', async () => {
      const window = await readSeriesWindow({ handle: database.handle, datasetId: 'etth1', column: 'OT', limit: 100 });
      expect(window.values.length).toBe(100);
      const fileValues = etth1.values.OT!.slice(-100);
      const fileTimes = etth1.timestampsMs!.slice(-100);
      expect(Array.from(window.values)).toEqual(Array.from(fileValues));
      expect(Array.from(window.timestampsMs)).toEqual(Array.from(fileTimes));
    });

    it('keeps missing values missing (milk has gaps, not NaN rows; values stay exact)', async () => {
      const milk = await getDataset({ handle: database.handle, id: 'monthly-milk-incomplete' });
      expect(milk!.rowCount).toBe(155);
      expect(milk!.warnings.length).toBeGreaterThan(0);
      // Read the stored points back and compare them with the file: the 13 missing months are
      // absent rows (not NaN or zero rows), and every stored value equals the file's exactly.
      const stored = await readSeriesWindow({ handle: database.handle, datasetId: 'monthly-milk-incomplete', column: milk!.columns[0]!, limit: 10_000 });
      const lines = readFileSync('data/samples/monthly-milk-incomplete.csv', 'utf8').trim().split('\n').slice(1);
      const fileRows = lines.map((line) => {
        const [month, value] = line.split(',');
        return { ms: Date.parse(`${month!.replaceAll('"', '')}-01T00:00:00Z`), value: Number(value) };
      });
      expect(stored.values.length).toBe(155);
      expect(stored.values.some((value) => Number.isNaN(value))).toBe(false);
      expect(Array.from(stored.timestampsMs)).toEqual(fileRows.map((row) => row.ms));
      expect(Array.from(stored.values)).toEqual(fileRows.map((row) => row.value));
      const months = Array.from(stored.timestampsMs, (ms) => new Date(ms).getUTCFullYear() * 12 + new Date(ms).getUTCMonth());
      const missing = months.slice(1).reduce((sum, month, index) => sum + (month - months[index]! - 1), 0);
      expect(missing).toBe(13);
    });

    it('streams a multi-column window as Arrow batches equal to the direct query', async () => {
      const dataset = (await getDataset({ handle: database.handle, id: 'etth1' }))!;
      const stream = streamDatasetWindow(database.handle, dataset, { seriesId: '', columns: ['OT', 'HUFL'], limit: 12_000 });
      const batches: number[] = [];
      const window = await decodeWindow(stream, (rows) => batches.push(rows));
      expect(window.timestampsMs.length).toBe(12_000);
      expect(batches.length).toBeGreaterThan(1);
      expect(Array.from(window.columns.OT!)).toEqual(Array.from(etth1.values.OT!.slice(-12_000)));
      expect(Array.from(window.columns.HUFL!)).toEqual(Array.from(etth1.values.HUFL!.slice(-12_000)));
      expect(Array.from(window.timestampsMs)).toEqual(Array.from(etth1.timestampsMs!.slice(-12_000)));
    });

    it('rejects a column that is not in the dataset, naming the valid ones', async () => {
      const dataset = (await getDataset({ handle: database.handle, id: 'air-passengers' }))!;
      expect(() => streamDatasetWindow(database.handle, dataset, { seriesId: '', columns: ['"; DROP TABLE datasets; --'], limit: 10 })).toThrow(
        'sources: column ""; DROP TABLE datasets; --" is not in source "air-passengers"; valid columns: #Passengers',
      );
      expect((await listDatasets({ handle: database.handle })).length).toBe(SAMPLE_DATASETS.length);
    });

    it('answers a time-window query on (dataset, series, column, ts) with an index range scan', async () => {
      await database.handle.query('ANALYZE series_points');
      const plan = await database.handle.query<Record<string, unknown>>(
        `EXPLAIN (FORMAT JSON) SELECT ts, value FROM series_points
          WHERE dataset_id = 'etth1' AND series_id = '' AND column_name = 'OT'
            AND ts >= '2017-01-01' AND ts < '2017-01-08' ORDER BY ts`,
      );
      const text = JSON.stringify(plan);
      expect(text).toMatch(/Index (Only )?Scan/);
      expect(text).toContain('series_points_dataset_id_series_id_column_name_ts_pk');
    });
  });
}
