/**
 * Reading a parquet file of one or many series into the same table readSeriesCsv gives: the
 * columns are read with hyparquet (timestamps and dates as times, numbers and 64-bit integers as
 * values, strings as text), then readSeriesColumns finds the layout and the key (a composite one
 * too), sorts each series and checks it (duplicates, bad timestamps and mixed frequencies name the
 * series, row and column). A string time column may hold ISO dates or period labels (1998 Q1,
 * 2019-W05, 2020M03). Rows are numbered from 1 in the file's order.
 */
import { parquetMetadata, parquetRead, parquetSchema, type Compressors } from 'hyparquet';
import { decompressBrotli, decompressGzip, decompressLz4, decompressLz4Raw, decompressZstd } from 'hyparquet-compressors';
import { LookaheadError } from '@/lib/core/errors';
import type { CsvColumns } from './csv';
import { readSeriesColumns, type SeriesTable, type SeriesTableOptions } from './series-table';
import { readTimestamp } from './timestamps';

/** Whether bytes are a parquet file: "PAR1" at both ends. */
export function isParquetBytes(bytes: Uint8Array): boolean {
  const n = bytes.byteLength;
  const magic = (offset: number) => bytes[offset] === 0x50 && bytes[offset + 1] === 0x41 && bytes[offset + 2] === 0x52 && bytes[offset + 3] === 0x31;
  return n >= 12 && magic(0) && magic(n - 4);
}

/**
 * Codecs beyond hyparquet's own (SNAPPY, UNCOMPRESSED): polars writes ZSTD by default, Spark and
 * pyarrow can write GZIP, BROTLI or LZ4.
 */
const COMPRESSORS: Compressors = {
  GZIP: decompressGzip,
  BROTLI: decompressBrotli,
  ZSTD: (input, length) => decompressZstd(input, new Uint8Array(length)),
  LZ4: decompressLz4,
  LZ4_RAW: decompressLz4Raw,
};

function parquetError(message: string, details?: Record<string, unknown>): LookaheadError {
  return new LookaheadError('parquet', 'bad_input', message, details ? { details } : {});
}

/** Names a time column usually has (statsforecast's ds, AutoGluon's timestamp, tsibble's Quarter). */
const TIME_NAMES = /^(ds|ts|time|timestamp|time_?stamp|datetime|date|period|quarter|week|month|year)$/i;
const isTimeName = (name: string): boolean => TIME_NAMES.test(name);

/** Values a string column's timestamp detection looks at. */
const TIMESTAMP_SAMPLE = 20;

type Cell = unknown;

function isoCell(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/**
 * Whether a string column holds times: its first non-empty values all read as timestamps (or
 * periods), or most of them do and its name is a time's (then the bad cells are reported).
 */
function looksLikeTimes(name: string, cells: readonly Cell[]): boolean {
  let seen = 0;
  let read = 0;
  for (const cell of cells) {
    if (cell === null || cell === undefined || cell === '') continue;
    if (typeof cell === 'string' && readTimestamp(cell.trim()).ok) read++;
    if (++seen >= TIMESTAMP_SAMPLE) break;
  }
  return seen > 0 && (read === seen || (isTimeName(name) && read * 2 > seen));
}

/** The columns of a parquet file as the CSV reader would have given them. */
export async function readParquetColumns(buffer: ArrayBuffer, options: { name?: string; timestampColumn?: string; maxColumns?: number; maxRows?: number } = {}): Promise<CsvColumns> {
  let metadata;
  try {
    metadata = parquetMetadata(buffer);
  } catch (error) {
    throw new LookaheadError('parquet', 'bad_input', `${options.name ? `"${options.name}" ` : 'the file '}is not a readable parquet file (${(error as Error).message}); write it with pandas/pyarrow or polars`, { cause: error });
  }
  const schema = parquetSchema(metadata);
  const nested = schema.children.filter((child) => child.children.length > 0).map((child) => child.element.name);
  if (nested.length) throw parquetError(`column ${nested.map((name) => `"${name}"`).join(', ')} is nested (a list or struct); flatten the file to one value per cell`, { columns: nested });
  const names = schema.children.map((child) => child.element.name);
  if (options.maxColumns !== undefined && names.length > options.maxColumns) {
    throw parquetError(`the file has ${names.length} columns; uploads may have at most ${options.maxColumns}: keep the time column and the series you need`, { limit: 'maxColumns', value: names.length, max: options.maxColumns });
  }
  const rowCount = Number(metadata.num_rows);
  // Checked on the footer, before anything is decoded: a few compressed MiB can hold a billion rows.
  if (!Number.isSafeInteger(rowCount) || rowCount < 0) throw parquetError(`the footer gives ${String(metadata.num_rows)} rows; the file is damaged`);
  if (options.maxRows !== undefined && rowCount > options.maxRows) {
    throw new LookaheadError('parquet', 'too_large', `the file holds ${rowCount} rows; the limit is ${options.maxRows} points per file (LOOKAHEAD_UPLOAD_MAX_POINTS); split it into several files`, {
      details: { limit: 'maxPoints', value: rowCount, max: options.maxRows },
    });
  }
  const cells: Record<string, Cell[]> = Object.fromEntries(names.map((name) => [name, new Array<Cell>(rowCount)]));
  try {
    await parquetRead({
      file: buffer,
      metadata,
      compressors: COMPRESSORS,
      onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
        const target = cells[columnName];
        if (!target) return;
        for (let row = rowStart; row < rowEnd && row < rowCount; row++) target[row] = columnData[row - rowStart];
      },
    });
  } catch (error) {
    // A codec not supported (LZO), a damaged page: the reader's words, as a 400.
    throw new LookaheadError('parquet', 'bad_input', `${options.name ? `"${options.name}"` : 'the file'} could not be decoded (${(error as Error).message.slice(0, 200)}); write it again with pandas/pyarrow or polars (SNAPPY, ZSTD, GZIP, BROTLI or LZ4)`, { cause: error });
  }

  const kindOf = (column: Cell[]): 'time' | 'number' | 'text' | 'empty' => {
    for (const cell of column) {
      if (cell === null || cell === undefined) continue;
      if (cell instanceof Date) return 'time';
      if (typeof cell === 'number' || typeof cell === 'bigint') return 'number';
      return 'text';
    }
    return 'empty';
  };
  const kinds = Object.fromEntries(names.map((name) => [name, kindOf(cells[name]!)]));
  let timestampColumn: string | null = null;
  if (options.timestampColumn) {
    if (!names.includes(options.timestampColumn)) throw parquetError(`timestamp column "${options.timestampColumn}" is not in the file; the columns are ${names.map((name) => `"${name}"`).join(', ')}`);
    timestampColumn = options.timestampColumn;
  } else {
    const times = names.filter((name) => kinds[name] === 'time');
    const textTimes = names.filter((name) => kinds[name] === 'text' && looksLikeTimes(name, cells[name]!));
    const candidates = [...times, ...textTimes];
    timestampColumn = candidates.find((name) => isTimeName(name)) ?? candidates[0] ?? null;
  }

  const values: Record<string, Float64Array> = {};
  const text: Record<string, string[]> = {};
  const numericColumns: string[] = [];
  for (const name of names) {
    if (name === timestampColumn) continue;
    const column = cells[name]!;
    const kind = kinds[name];
    if (kind === 'number' || kind === 'empty') {
      values[name] = Float64Array.from(column, (cell) => (cell === null || cell === undefined ? Number.NaN : Number(cell)));
      numericColumns.push(name);
    } else {
      text[name] = column.map((cell) => (cell === null || cell === undefined ? '' : cell instanceof Date ? isoCell(cell.getTime()) : String(cell).trim()));
    }
  }

  let timestampsMs: Float64Array | null = null;
  let timestampCells: string[] | null = null;
  let badTimestamp: CsvColumns['badTimestamp'] = null;
  if (timestampColumn) {
    const column = cells[timestampColumn]!;
    timestampsMs = new Float64Array(rowCount);
    timestampCells = new Array<string>(rowCount);
    for (let row = 0; row < rowCount; row++) {
      const cell = column[row];
      let ms = Number.NaN;
      let written = '';
      if (cell instanceof Date) {
        ms = cell.getTime();
        written = Number.isFinite(ms) ? isoCell(ms) : 'an invalid date';
      } else if (cell !== null && cell !== undefined) {
        written = String(cell).trim();
        const reading = readTimestamp(written);
        if (reading.ok) ms = reading.ms;
      }
      timestampsMs[row] = ms;
      timestampCells[row] = written;
      if (Number.isNaN(ms) && badTimestamp === null) {
        const message =
          cell === null || cell === undefined
            ? `row ${row + 1}, column "${timestampColumn}": the timestamp is missing; every row needs one`
            : `row ${row + 1}, column "${timestampColumn}": "${written.slice(0, 40)}" is not a timestamp; use ISO 8601 such as 2024-01-31 or a period such as 1998 Q1`;
        badTimestamp = { row, error: new LookaheadError('csv', 'bad_input', message, { details: { row: row + 1, column: timestampColumn, value: written.slice(0, 40) } }) };
      }
    }
  }
  return {
    ...(options.name === undefined ? {} : { name: options.name }),
    columns: names,
    hasHeader: true,
    delimiter: ',',
    timestampColumn,
    timestampsMs,
    timestampFormat: null,
    numericColumns,
    values,
    text,
    rowCount,
    frequency: null,
    gaps: [],
    warnings: [],
    rowLines: Array.from({ length: rowCount }, (_, row) => row + 1),
    timestampCells,
    badCells: [],
    badTimestamp,
  };
}

/** Reads a parquet file of one or many series (single, long or wide), as readSeriesCsv reads a CSV. */
export async function readSeriesParquet(buffer: ArrayBuffer, options: SeriesTableOptions & { maxColumns?: number } = {}): Promise<SeriesTable> {
  const table = await readParquetColumns(buffer, {
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.timestampColumn ? { timestampColumn: options.timestampColumn } : {}),
    ...(options.maxColumns === undefined ? {} : { maxColumns: options.maxColumns }),
    // Every layout has at least one point per row, so more rows than points is over the cap.
    ...(options.limits?.maxPoints === undefined ? {} : { maxRows: options.limits.maxPoints }),
  });
  try {
    return readSeriesColumns(table, options);
  } catch (error) {
    // The shared checks speak of "csv"; say "parquet" for a parquet file, same message and details.
    if (error instanceof LookaheadError && error.subsystem === 'csv') {
      throw new LookaheadError('parquet', error.code, error.message.replace(/^csv: /, ''), { ...(error.details ? { details: error.details } : {}), cause: error });
    }
    throw error;
  }
}
