import { describe, expect, it } from 'vitest';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { LookaheadError } from '@/lib/core/errors';
import { readSeriesCsv, type SeriesTable } from '@/lib/data/series-table';
import { isParquetBytes, readSeriesParquet } from '@/lib/data/series-parquet';
import { csvToParquet, fixtureParquet, multiSeriesFixtureText, PARQUET_FIXTURES, zstdRawFrame } from '../support/multi-series-parquet';

/**
 * Parquet files of many series (written with hyparquet-writer, the way pyarrow/polars files hold
 * them: STRING ids, TIMESTAMP or STRING period times, DOUBLE/INT32/INT64 values, nulls) read to the
 * same table as the CSV of the same rows: the layout, the key, the order, every value.
 */
const bufferOf = (bytes: Uint8Array): ArrayBuffer => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

function comparable(table: SeriesTable) {
  return {
    layout: table.layout,
    keyColumns: table.keyColumns,
    idColumn: table.idColumn,
    targets: table.targets,
    covariates: table.covariates,
    timestampColumn: table.timestampColumn,
    frequency: table.frequency?.label ?? null,
    series: table.series,
    timestampsMs: Array.from(table.timestampsMs),
    values: Object.fromEntries(Object.entries(table.values).map(([name, values]) => [name, Array.from(values)])),
  };
}

async function parquetFailure(bytes: Uint8Array): Promise<LookaheadError> {
  try {
    await readSeriesParquet(bufferOf(bytes));
  } catch (error) {
    expect(error).toBeInstanceOf(LookaheadError);
    return error as LookaheadError;
  }
  throw new Error('expected readSeriesParquet to throw');
}

describe('readSeriesParquet', () => {
  for (const fileName of Object.keys(PARQUET_FIXTURES).filter((name) => name !== 'long-duplicate-key.csv')) {
    it(`${fileName} as parquet reads as the CSV does`, async () => {
      const bytes = fixtureParquet(fileName);
      expect(isParquetBytes(bytes)).toBe(true);
      const fromParquet = await readSeriesParquet(bufferOf(bytes));
      const fromCsv = readSeriesCsv(multiSeriesFixtureText(fileName));
      expect(comparable(fromParquet)).toEqual(comparable(fromCsv));
      expect(fromParquet.series.length).toBeGreaterThan(1);
    });
  }

  it('a shuffled parquet file is sorted by series, then time, and says so', async () => {
    const table = await readSeriesParquet(bufferOf(fixtureParquet('long-shuffled.csv')));
    expect(table.warnings.join(' ')).toContain('sorted by series, then time');
    for (const span of table.series) {
      const times = table.timestampsMs.subarray(span.offset, span.offset + span.length);
      for (let index = 1; index < times.length; index++) expect(times[index]!).toBeGreaterThan(times[index - 1]!);
    }
  });

  it('quarterly period labels in a STRING column are times at the quarter start, frequency 1Q', async () => {
    const table = await readSeriesParquet(bufferOf(fixtureParquet('composite-key-quarterly.csv')));
    expect(table.timestampColumn).toBe('Quarter');
    expect(table.keyColumns).toEqual(['Region', 'State', 'Purpose']);
    expect(table.frequency?.label).toBe('1Q');
    expect(table.timestampsMs[1]).toBe(Date.UTC(1998, 3, 1));
  });

  it('a duplicated (id, time) pair is refused, naming the series, the rows and the column', async () => {
    const error = await parquetFailure(fixtureParquet('long-duplicate-key.csv'));
    expect(error.subsystem).toBe('parquet');
    // Rows of a parquet file count from 1 (the CSV's lines count its header too).
    expect(error.message).toBe(
      'parquet: series "B", duplicate timestamp 2020-05-01 in column "ds" for unique_id="B" at rows 17 and 18; each series may have each timestamp once (the key is "unique_id")',
    );
  });

  it('a missing or unreadable time names the series and the row', async () => {
    const text = 'unique_id,ds,y\nA,2020 Q1,1\nA,2020 Q2,2\nB,2020 Q1,3\nB,2020 Q7,4\n';
    const error = await parquetFailure(csvToParquet(text, { time: 'ds', timeAsText: true }));
    expect(error.message).toMatch(/^parquet: series "B", row 4, column "ds": "2020 Q7" is not a timestamp/);
  });

  it('mixed frequencies and caps are refused the same way as in a CSV', async () => {
    const mixed = await parquetFailure(csvToParquet('id,ds,y\nA,2020-01-01,1\nA,2020-02-01,2\nA,2020-03-01,3\nB,2020-01-01,4\nB,2020-01-02,5\nB,2020-01-03,6\n', { time: 'ds' }));
    expect(mixed.message).toContain('series have mixed frequencies ("A" 1M, "B" 1D)');
    const capped = await readSeriesParquet(bufferOf(fixtureParquet('long-3-series-gap.csv')), { limits: { maxSeries: 2 } }).catch((error: LookaheadError) => error);
    expect(capped).toBeInstanceOf(LookaheadError);
    expect((capped as LookaheadError).code).toBe('too_large');
    expect((capped as LookaheadError).message).toContain('the file holds 3 series; the limit is 2 series per file');
  });

  it('a DATE column (days since 1970) is the time, FLOAT values the target', async () => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'item_id', data: ['B', 'A', 'B', 'A', 'B', 'A'] },
        { name: 'date', data: [2, 0, 0, 1, 1, 2].map((day) => new Date(Date.UTC(2024, 0, 1 + day))) },
        { name: 'sales', data: [6, 1, 4, 2, 5, 3] },
      ],
      schema: [
        { name: 'root', num_children: 3 },
        { name: 'item_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'date', type: 'INT32', converted_type: 'DATE', repetition_type: 'REQUIRED' },
        { name: 'sales', type: 'FLOAT', repetition_type: 'REQUIRED' },
      ],
    });
    const table = await readSeriesParquet(buffer);
    expect([table.layout, table.keyColumns, table.timestampColumn, table.targets, table.frequency?.label]).toEqual(['long', ['item_id'], 'date', ['sales'], '1D']);
    expect(Array.from(table.values.sales!)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(table.series[1]!.startMs).toBe(Date.UTC(2024, 0, 1));
  });

  describe('compression codecs', () => {
    const text = multiSeriesFixtureText('long-3-series-gap.csv');
    const expected = readSeriesCsv(text);
    const codecs = {
      GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input)),
      BROTLI: (input: Uint8Array) => new Uint8Array(brotliCompressSync(input)),
      ZSTD: zstdRawFrame,
    } as const;

    for (const codec of Object.keys(codecs) as (keyof typeof codecs)[]) {
      it(`${codec} (polars writes ZSTD, Spark and pyarrow GZIP or BROTLI) reads as the CSV does`, async () => {
        const bytes = csvToParquet(text, { time: 'ds' }, { codec, compressors: { [codec]: codecs[codec] } });
        expect(parquetMetadata(bufferOf(bytes)).row_groups[0]!.columns.map((column) => column.meta_data!.codec)).toEqual([codec, codec, codec]);
        expect(comparable(await readSeriesParquet(bufferOf(bytes)))).toEqual(comparable(expected));
      });
    }

    it('a codec nobody decodes (LZO) is a 400 naming it', async () => {
      const bytes = csvToParquet(text, { time: 'ds' }, { codec: 'LZO', compressors: { LZO: (input: Uint8Array) => input } });
      const error = await parquetFailure(bytes);
      expect(error.code).toBe('bad_input');
      expect(error.message).toMatch(/^parquet: the file could not be decoded \(.*LZO.*\); write it again/);
    });
  });

  it('rows over the points cap are refused from the footer, before decoding', async () => {
    const error = await readSeriesParquet(bufferOf(fixtureParquet('long-3-series-gap.csv')), { limits: { maxPoints: 100 } }).catch((failure: LookaheadError) => failure);
    expect(error).toBeInstanceOf(LookaheadError);
    expect((error as LookaheadError).code).toBe('too_large');
    expect((error as LookaheadError).message).toBe('parquet: the file holds 107 rows; the limit is 100 points per file (LOOKAHEAD_UPLOAD_MAX_POINTS); split it into several files');
  });

  it('bytes that are not parquet are named', async () => {
    expect(isParquetBytes(new TextEncoder().encode('unique_id,ds,y\n'))).toBe(false);
    const broken = fixtureParquet('long-3-series-gap.csv').slice(0, 200);
    const error = await readSeriesParquet(bufferOf(new Uint8Array([...broken, 0x50, 0x41, 0x52, 0x31]))).catch((failure: LookaheadError) => failure);
    expect(error).toBeInstanceOf(LookaheadError);
    expect((error as LookaheadError).message).toMatch(/^parquet: the file is not a readable parquet file/);
  });
});
