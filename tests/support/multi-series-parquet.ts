import { readFileSync } from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';

/**
 * The multi-series CSV fixtures written as parquet files, the way pandas/pyarrow or polars users
 * have them: text ids as STRING, numbers as DOUBLE (or INT32/INT64 where asked), the time column
 * as a TIMESTAMP (dates) or as STRING (period labels such as "1998 Q1"), empty cells as nulls, and
 * the rows in the CSV's order (a shuffled CSV gives a shuffled parquet file).
 */
export function multiSeriesFixtureText(fileName: string): string {
  return readFileSync(new URL(`../fixtures/multi-series/${fileName}`, import.meta.url), 'utf8');
}

export interface ParquetFixtureOptions {
  /** The time column, written as TIMESTAMP unless `timeAsText`. */
  time?: string;
  timeAsText?: boolean;
  /** Columns written as 32-bit integers. */
  int32?: string[];
  /** Columns written as 64-bit integers (hyparquet reads them as bigint). */
  int64?: string[];
}

/** Writer settings beyond the columns: a compression codec and its compressor. */
export type WriterOptions = Pick<Parameters<typeof parquetWriteBuffer>[0], 'codec' | 'compressors'>;

export function csvToParquet(text: string, options: ParquetFixtureOptions = {}, writer: WriterOptions = {}): Uint8Array {
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const unquote = (cell: string) => cell.replace(/^"(.*)"$/, '$1');
  const names = header!.split(',').map(unquote);
  const rows = lines.map((line) => line.split(',').map(unquote));
  const columnData = names.map((name, index) => {
    const cells = rows.map((row) => row[index] ?? '');
    if (name === options.time && !options.timeAsText) {
      return { name, data: cells.map((cell) => new Date(`${cell}T00:00:00Z`)), type: 'TIMESTAMP' as const, nullable: false };
    }
    const numeric = name !== options.time && cells.every((cell) => cell === '' || Number.isFinite(Number(cell)));
    if (!numeric) return { name, data: cells, type: 'STRING' as const, nullable: true };
    if (options.int32?.includes(name)) return { name, data: cells.map((cell) => (cell === '' ? null : Number(cell))), type: 'INT32' as const, nullable: true };
    if (options.int64?.includes(name)) return { name, data: cells.map((cell) => (cell === '' ? null : BigInt(cell))), type: 'INT64' as const, nullable: true };
    return { name, data: cells.map((cell) => (cell === '' ? null : Number(cell))), type: 'DOUBLE' as const, nullable: true };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData, ...writer }));
}

/** Each fixture as parquet, with the column types its kind of file usually has. */
export const PARQUET_FIXTURES: Record<string, ParquetFixtureOptions> = {
  'long-3-series-gap.csv': { time: 'ds' },
  'long-covariates.csv': { time: 'timestamp', int64: ['target'], int32: ['event_sporting'] },
  'composite-key-quarterly.csv': { time: 'Quarter', timeAsText: true },
  'wide.csv': {},
  'quarterly-labels.csv': { time: 'Quarter', timeAsText: true },
  'long-shuffled.csv': { time: 'ds' },
  'long-duplicate-key.csv': { time: 'ds' },
};

export function fixtureParquet(fileName: string): Uint8Array {
  return csvToParquet(multiSeriesFixtureText(fileName), PARQUET_FIXTURES[fileName]!);
}

/**
 * A real zstd frame (RFC 8878) holding the bytes in raw blocks: Node 20 has no zstd encoder, so
 * this writes ZSTD parquet files (codec in the file, frames and blocks decoded by fzstd) without
 * the entropy stages. Use as the writer's ZSTD compressor.
 */
export function zstdRawFrame(input: Uint8Array): Uint8Array {
  const max = 128 * 1024;
  const blocks: number[] = [];
  let offset = 0;
  do {
    const block = input.subarray(offset, Math.min(input.length, offset + max));
    const last = offset + max >= input.length ? 1 : 0;
    const header = (block.length << 3) | last; // Block_Type 0: Raw_Block
    blocks.push(header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, ...block);
    offset += max;
  } while (offset < input.length);
  const size = input.length;
  // Magic, a descriptor (4-byte content size, single segment), the content size, the blocks.
  return new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0xa0, size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, (size >>> 24) & 0xff, ...blocks]);
}

/** A fixture as a ZSTD-compressed parquet file, as polars writes by default. */
export function fixtureParquetZstd(fileName: string): Uint8Array {
  return csvToParquet(multiSeriesFixtureText(fileName), PARQUET_FIXTURES[fileName]!, { codec: 'ZSTD', compressors: { ZSTD: zstdRawFrame } });
}
