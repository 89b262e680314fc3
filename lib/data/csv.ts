/**
 * Reading a CSV file of time series into columns: header and delimiter detection, the timestamp
 * column, numeric and text columns, frequency and gaps. Every problem with the file is a
 * LookaheadError('csv', 'bad_input') naming the line (1-based, the header is line 1), the column,
 * the offending value and what would be valid.
 */
import { LookaheadError } from '@/lib/core/errors';
import { addSteps, findGaps, inferFrequency, type Frequency, type Gap } from '@/lib/core/frequency';
import { formatTimestamp } from '@/lib/core/time-format';
import { detectDelimiter, readRecords, type Delimiter, type QuoteProblem } from './csv-records';
import { isMissingCell, readNumber } from './numbers';
import { readTimestamp, timestampPattern, type TimestampFormat } from './timestamps';

export type { Delimiter } from './csv-records';

export interface CsvTable {
  name?: string;
  /** Column names in file order; "0", "1", ... when the file has no header. */
  columns: string[];
  hasHeader: boolean;
  delimiter: Delimiter;
  /** Detected (or requested) timestamp column, null when none. */
  timestampColumn: string | null;
  /** Parsed timestamps (UTC ms), in file order. */
  timestampsMs: Float64Array | null;
  timestampFormat: TimestampFormat | null;
  /** Every column (but the timestamp column) whose non-empty cells all parse as numbers. */
  numericColumns: string[];
  /** Numeric columns only; empty cells and NA / NaN / null / None / N/A are NaN. */
  values: Record<string, Float64Array>;
  /** Columns that are mostly text (ids, entity names): their cells as read, trimmed. */
  text: Record<string, string[]>;
  /** Data rows. */
  rowCount: number;
  frequency: Frequency | null;
  /** Gaps against the frequency: reported, never filled. */
  gaps: Gap[];
  /** Human sentences about the file that are not errors. */
  warnings: string[];
}

export interface CsvOptions {
  name?: string;
  /** The timestamp column by name; null for none; detected when left out. */
  timestampColumn?: string | null;
  /** Duplicate or out-of-order timestamps: 'fail' (default) or 'keep' the rows and warn. */
  onDisorder?: 'fail' | 'keep';
}

/**
 * The columns of a file before any check that assumes it holds one series: no order check, no
 * frequency, and a bad number in a numeric column is collected instead of thrown (the reader of
 * many series names the series it belongs to). series-table.ts builds on it.
 */
export interface CsvColumns extends CsvTable {
  /** Line in the file of each data row (the header is line 1). */
  rowLines: number[];
  /** The timestamp column's cells as written, trimmed (for messages). */
  timestampCells: string[] | null;
  /** The first bad cell of each mostly-numeric column, by column. */
  badCells: { row: number; line: number; column: string; value: string }[];
  /**
   * The first timestamp cell that does not read (its row's time is NaN), when the caller asked to
   * collect it rather than throw: the reader of many series names the series it belongs to.
   */
  badTimestamp: { row: number; error: LookaheadError } | null;
}

/** Rows below the first one that header detection looks at. */
const HEADER_SAMPLE_ROWS = 100;
/** Values a column's timestamp detection looks at. */
const TIMESTAMP_SAMPLE_VALUES = 20;

function csvError(message: string, details?: Record<string, unknown>): LookaheadError {
  return new LookaheadError('csv', 'bad_input', message, details ? { details } : {});
}

/** Trims only when needed: most cells have no surrounding space, and trim() allocates. */
function trimCell(cell: string): string {
  return cell.charCodeAt(0) <= 32 || cell.charCodeAt(cell.length - 1) <= 32 ? cell.trim() : cell;
}

/** Longest cell text a message repeats; a runaway cell (a missing quote, a blob) is cut. */
const MESSAGE_VALUE_CHARS = 40;

/** A cell's text in double quotes, for a message. */
function quoteValue(cell: string): string {
  return `"${cell.length > MESSAGE_VALUE_CHARS ? `${cell.slice(0, MESSAGE_VALUE_CHARS)}...` : cell}"`;
}

function describeDelimiter(delimiter: Delimiter): string {
  return delimiter === '\t' ? 'a tab' : `"${delimiter}"`;
}

type CellKind = 'missing' | 'number' | 'timestamp' | 'text';

function cellKind(cell: string, decimalComma: boolean): CellKind {
  const trimmed = trimCell(cell);
  if (isMissingCell(trimmed)) return 'missing';
  if (!Number.isNaN(readNumber(trimmed, decimalComma))) return 'number';
  return readTimestamp(trimmed).format !== null ? 'timestamp' : 'text';
}

/**
 * Whether the first record is a header. It is when:
 * 1. one of its cells is text (not a number, timestamp or missing marker) while most cells below
 *    it in that column are numbers or timestamps ("date" over dates, "OT" over numbers); or
 * 2. its cells are exactly 0, 1, ..., n-1: the column index pandas writes by default
 *    (exchange_rate.csv). With a single column a leading "0" is as likely a count, so there it is a
 *    header only when a value below it is not a whole number; or
 * 3. no column tells (all-text columns), and its cells are all text.
 */
function detectHeader(records: string[][], decimalComma: boolean): boolean {
  const first = records[0]!;
  const sampleEnd = Math.min(records.length, 1 + HEADER_SAMPLE_ROWS);
  if (first.every((cell, index) => trimCell(cell) === String(index))) {
    if (first.length >= 2) return true;
    for (let row = 1; row < sampleEnd; row++) {
      const value = readNumber(trimCell(records[row]![0] ?? ''), decimalComma);
      if (!Number.isInteger(value) && !isMissingCell(trimCell(records[row]![0] ?? ''))) return true;
    }
    return false;
  }
  const firstKinds = first.map((cell) => cellKind(cell, decimalComma));
  for (let column = 0; column < first.length; column++) {
    if (firstKinds[column] !== 'text') continue;
    const counts = { number: 0, timestamp: 0, text: 0, missing: 0 };
    for (let row = 1; row < sampleEnd; row++) counts[cellKind(records[row]![column] ?? '', decimalComma)]++;
    if (counts.number + counts.timestamp > counts.text) return true;
  }
  return firstKinds.includes('text') && firstKinds.every((kind) => kind === 'text' || kind === 'missing');
}

function headerNames(first: string[]): string[] {
  const names = first.map((cell, index) => trimCell(cell) || String(index));
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw csvError(`column name "${name}" appears twice in the header (columns ${earlier + 1} and ${index + 1}); give each column a unique name`, {
        row: 1,
        column: name,
      });
    }
    seen.set(name, index);
  });
  return names;
}

/** Header names that say "time": date, time, timestamp, datetime, ds, month, ... */
function isTimeName(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower.includes('date') || lower.includes('time') || lower.includes('stamp') || lower.includes('epoch')) return true;
  return ['ds', 'dt', 'ts', 'month', 'period', 'year_month', 'yearmonth', 'quarter', 'week', 'yearweek', 'year_quarter', 'yearquarter'].includes(lower.replace(/[^a-z_]/g, ''));
}

function quoteError(problem: QuoteProblem, columns: string[], knownColumns: boolean): LookaheadError {
  const column = knownColumns ? columns[problem.fieldIndex] : undefined;
  const where = column === undefined ? `row ${problem.line}, field ${problem.fieldIndex + 1}` : `row ${problem.line}, column "${column}"`;
  const details = { row: problem.line, column: column ?? null };
  if (problem.kind === 'unclosed-quote') {
    return csvError(`${where}: the quoted value starting "${problem.excerpt}" is never closed; end it with " and write "" for a quote inside a value`, details);
  }
  return csvError(`${where}: text follows the closing quote in ${problem.excerpt}; quote the whole value and write "" for a quote inside it`, details);
}

interface TimestampColumn {
  index: number;
  epoch: boolean;
}

/** Non-missing trimmed cells of a column, the first `limit` of them. */
function sampleColumn(records: string[][], start: number, column: number, limit: number): string[] {
  const sample: string[] = [];
  for (let row = start; row < records.length && sample.length < limit; row++) {
    const cell = trimCell(records[row]![column]!);
    if (!isMissingCell(cell)) sample.push(cell);
  }
  return sample;
}

/**
 * The requested column, else the first whose values have the shape of dates (preferring one
 * with a time-like header), else the first time-named column of epoch seconds or milliseconds.
 */
function chooseTimestampColumn(records: string[][], start: number, columns: string[], hasHeader: boolean, options: CsvOptions): TimestampColumn | null {
  if (options.timestampColumn === null) return null;
  if (options.timestampColumn !== undefined) {
    const index = columns.indexOf(options.timestampColumn);
    if (index < 0) {
      throw csvError(`timestamp column "${options.timestampColumn}" not found; the columns are ${columns.map((name) => `"${name}"`).join(', ')}`, {
        column: options.timestampColumn,
      });
    }
    return { index, epoch: true };
  }
  let dateShaped = -1;
  let namedDateShaped = -1;
  let namedEpoch = -1;
  for (let column = 0; column < columns.length; column++) {
    const sample = sampleColumn(records, start, column, TIMESTAMP_SAMPLE_VALUES);
    if (sample.length === 0) continue;
    const named = hasHeader && isTimeName(columns[column]!);
    // A time-like header needs most values date-shaped (the odd bad one is then an error naming
    // its row); any other column needs them all, so a text column is not taken for dates.
    const dateShapedCount = sample.filter((cell) => readTimestamp(cell).format !== null).length;
    if (dateShapedCount === sample.length || (named && dateShapedCount * 2 > sample.length)) {
      if (dateShaped < 0) dateShaped = column;
      if (named && namedDateShaped < 0) namedDateShaped = column;
    } else if (named && namedEpoch < 0) {
      const firstFormat = readTimestamp(sample[0]!, { epoch: true });
      if (firstFormat.ok && sample.every((cell) => readTimestamp(cell, { epoch: true }).format === firstFormat.format)) namedEpoch = column;
    }
  }
  const index = namedDateShaped >= 0 ? namedDateShaped : dateShaped >= 0 ? dateShaped : namedEpoch;
  return index >= 0 ? { index, epoch: index === namedEpoch } : null;
}

interface ParsedTimestamps {
  timestampsMs: Float64Array;
  format: TimestampFormat | null;
  badTimestamp: CsvColumns['badTimestamp'];
}

/** Throws at the first cell that does not read, or with `collect` keeps it (that row's time NaN) and reads on. */
function parseTimestampColumn(records: string[][], lines: number[], start: number, name: string, choice: TimestampColumn, collect: boolean): ParsedTimestamps {
  const rowCount = records.length - start;
  const timestampsMs = new Float64Array(rowCount);
  const readOptions = { epoch: choice.epoch };
  const rejectAt = (row: number, cell: string, problem: string): LookaheadError =>
    csvError(`row ${lines[row]}, column "${name}": ${problem}`, { row: lines[row], column: name, value: cell });
  let format: TimestampFormat | null = null;
  let formatRow = -1;
  let badTimestamp: ParsedTimestamps['badTimestamp'] = null;
  const reject = (row: number, error: LookaheadError): void => {
    if (!collect) throw error;
    badTimestamp ??= { row: row - start, error };
    timestampsMs[row - start] = Number.NaN;
  };
  for (let row = start; row < records.length; row++) {
    const cell = trimCell(records[row]![choice.index]!);
    const reading = readTimestamp(cell, readOptions);
    if (!reading.ok) {
      if (isMissingCell(cell)) {
        reject(row, rejectAt(row, cell, `the timestamp is missing; every row needs one${format === null ? '' : ` (${timestampPattern(format)})`}`));
      } else if (reading.format !== null) {
        reject(row, rejectAt(row, cell, `${quoteValue(cell)} is not a valid ${reading.invalid} (${reading.reason}); use ${timestampPattern(format ?? reading.format)}`));
      } else {
        const expected = format === null ? 'ISO 8601 such as 2016-07-01 or 2016-07-01 02:00:00' : `${timestampPattern(format)} like row ${lines[formatRow]}`;
        reject(row, rejectAt(row, cell, `${quoteValue(cell)} is not a timestamp; use ${expected}`));
      }
      continue;
    }
    if (!Number.isFinite(reading.ms)) {
      // e.g. hundreds of fraction digits: the text has the right shape but no time it names exists.
      reject(row, rejectAt(row, cell, `${quoteValue(cell)} is not a time that can be represented (too many digits or out of range); use ${timestampPattern(format ?? reading.format)}`));
      continue;
    }
    if (format === null) {
      format = reading.format;
      formatRow = row;
    } else if (reading.format !== format) {
      const example = quoteValue(trimCell(records[formatRow]![choice.index]!));
      reject(row, rejectAt(row, cell, `${quoteValue(cell)} is written differently from row ${lines[formatRow]} (${example}); write every timestamp as ${timestampPattern(format)}`));
      continue;
    }
    timestampsMs[row - start] = reading.ms;
  }
  return { timestampsMs, format, badTimestamp };
}

/** Fails (or, with onDisorder 'keep', warns) on the first repeated or backward timestamp. */
function checkOrder(cells: string[], lines: number[], start: number, name: string, timestampsMs: Float64Array, keep: boolean, warnings: string[]): void {
  const cellAt = (index: number): string => cells[index]!;
  let firstDuplicate = -1;
  let duplicates = 0;
  let firstBackward = -1;
  let backward = 0;
  for (let index = 1; index < timestampsMs.length; index++) {
    const previous = timestampsMs[index - 1]!;
    const current = timestampsMs[index]!;
    if (current > previous) continue;
    const line = lines[start + index]!;
    const previousLine = lines[start + index - 1]!;
    if (current === previous) {
      if (!keep) {
        throw csvError(`duplicate timestamp ${cellAt(index)} in column "${name}" at rows ${previousLine} and ${line}; each timestamp must appear once`, {
          row: line,
          column: name,
          firstRow: previousLine,
        });
      }
      duplicates++;
      if (firstDuplicate < 0) firstDuplicate = index;
    } else {
      if (!keep) {
        throw csvError(`timestamps out of order in column "${name}" at row ${line} (${cellAt(index)} comes after ${cellAt(index - 1)}); sort the file by time`, {
          row: line,
          column: name,
        });
      }
      backward++;
      if (firstBackward < 0) firstBackward = index;
    }
  }
  if (duplicates > 0) {
    const line = lines[start + firstDuplicate]!;
    warnings.push(
      `${duplicates} ${duplicates === 1 ? 'timestamp repeats' : 'timestamps repeat'} the row before in column "${name}" (first: ${cellAt(firstDuplicate)} at rows ${lines[start + firstDuplicate - 1]} and ${line}); rows kept as they are`,
    );
  }
  if (backward > 0) {
    warnings.push(
      `timestamps in column "${name}" go back in time at ${backward} ${backward === 1 ? 'row' : 'rows'} (first: row ${lines[start + firstBackward]}, ${cellAt(firstBackward)} after ${cellAt(firstBackward - 1)}); rows kept in file order`,
    );
  }
}

function countOf(count: number, frequency: Frequency): string {
  if (frequency.step === 1) return `${count} ${frequency.unit}${count === 1 ? '' : 's'}`;
  return `${count} ${count === 1 ? 'step' : 'steps'} of ${frequency.step} ${frequency.unit}s`;
}

/** e.g. "13 months are missing between 1962-01 and 1975-12 (9 gaps; first: 1963-09)". */
function gapWarning(gaps: Gap[], timestampsMs: Float64Array, frequency: Frequency): string {
  const missing = gaps.reduce((total, gap) => total + gap.missingSteps, 0);
  const format = (ms: number): string => formatTimestamp(ms, frequency);
  const span = `between ${format(timestampsMs[0]!)} and ${format(timestampsMs[timestampsMs.length - 1]!)}`;
  const firstMissing = format(addSteps(gaps[0]!.fromMs, frequency, 1));
  const where = gaps.length === 1 ? `first: ${firstMissing}` : `${gaps.length} gaps; first: ${firstMissing}`;
  return `${countOf(missing, frequency)} ${missing === 1 ? 'is' : 'are'} missing ${span} (${where})`;
}

export function parseCsv(text: string, options: CsvOptions = {}): CsvTable {
  const table = readCsvColumns(text, options);
  const { rowLines, timestampCells, badCells, badTimestamp: _collectedNever, ...result } = table;
  const parsed = table.timestampsMs;
  if (parsed && timestampCells) checkOrder(timestampCells, rowLines, 0, table.timestampColumn!, parsed, options.onDisorder === 'keep', result.warnings);
  const first = badCells[0];
  if (first) throw badCellError(first);
  if (parsed) {
    const frequency = inferFrequency(parsed);
    const gaps = frequency ? findGaps(parsed, frequency) : [];
    if (frequency && gaps.length > 0) result.warnings.push(gapWarning(gaps, parsed, frequency));
    return { ...result, frequency, gaps };
  }
  return result;
}

/** "row 7, column "y": "abc" is not a number; ..." (with the series, when a file holds several). */
export function badCellError(cell: CsvColumns['badCells'][number], series?: string): LookaheadError {
  const where = series === undefined ? '' : `series "${series}", `;
  return csvError(`${where}row ${cell.line}, column "${cell.column}": ${quoteValue(cell.value)} is not a number; use a plain decimal such as 12.5, or leave the cell empty for a missing value`, {
    row: cell.line,
    column: cell.column,
    value: cell.value,
    ...(series === undefined ? {} : { series }),
  });
}

/** A file's header, timestamp, numeric and text columns (see CsvColumns). */
export function readCsvColumns(text: string, options: CsvOptions & { collectBadTimestamp?: boolean } = {}): CsvColumns {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const delimiter = detectDelimiter(body);
  // A ";" file is usually written where "," is the decimal mark.
  const decimalComma = delimiter === ';';
  const { records, lines, problem } = readRecords(body, delimiter);
  if (records.length === 0) {
    if (problem) throw quoteError(problem, [], false);
    throw csvError('the file is empty; expected a header line such as "date,value" and then one line per time step');
  }

  const hasHeader = detectHeader(records, decimalComma);
  const columns = hasHeader ? headerNames(records[0]!) : records[0]!.map((_, index) => String(index));
  if (problem) throw quoteError(problem, columns, true);
  const start = hasHeader ? 1 : 0;
  const rowCount = records.length - start;
  if (rowCount === 0) {
    throw csvError(`the file has a header (${columns.join(', ')}) but no data rows; add one line per time step below it`);
  }
  for (let row = start; row < records.length; row++) {
    const fieldCount = records[row]!.length;
    if (fieldCount !== columns.length) {
      const expected = hasHeader ? `the header has ${columns.length}` : `row ${lines[0]} has ${columns.length}`;
      throw csvError(
        `row ${lines[row]} has ${fieldCount} ${fieldCount === 1 ? 'field' : 'fields'} but ${expected}; give every row one value per column, and quote values that contain ${describeDelimiter(delimiter)}`,
        { row: lines[row], fields: fieldCount, expected: columns.length },
      );
    }
  }

  const warnings: string[] = [];
  const choice = chooseTimestampColumn(records, start, columns, hasHeader, options);
  const timestampColumn = choice ? columns[choice.index]! : null;
  const parsed = choice ? parseTimestampColumn(records, lines, start, timestampColumn!, choice, options.collectBadTimestamp === true) : null;
  const rowLines = lines.slice(start);
  const timestampCells = choice ? records.slice(start).map((record) => trimCell(record[choice.index]!)) : null;
  const badCells: CsvColumns['badCells'] = [];

  const numericColumns: string[] = [];
  const values: [string, Float64Array][] = [];
  const textColumns: [string, string[]][] = [];
  const emptyColumns: string[] = [];
  for (let column = 0; column < columns.length; column++) {
    if (column === choice?.index) continue;
    const name = columns[column]!;
    const columnValues = new Float64Array(rowCount);
    let numbers = 0;
    let failures = 0;
    let firstFailure = -1;
    for (let row = start; row < records.length; row++) {
      const cell = trimCell(records[row]![column]!);
      // Numbers first: most cells are numbers, and the missing-marker check allocates.
      const value = readNumber(cell, decimalComma);
      columnValues[row - start] = value;
      if (!Number.isNaN(value)) numbers++;
      else if (!isMissingCell(cell)) {
        failures++;
        if (firstFailure < 0) firstFailure = row;
      }
    }
    if (failures === 0) {
      numericColumns.push(name);
      values.push([name, columnValues]);
      if (numbers === 0) emptyColumns.push(name);
    } else if (numbers > failures) {
      // Mostly numbers: the odd one out is a typo to fix, not a text column.
      badCells.push({ row: firstFailure - start, line: lines[firstFailure]!, column: name, value: trimCell(records[firstFailure]![column]!) });
      numericColumns.push(name);
      values.push([name, columnValues]);
    } else {
      const cells: string[] = new Array<string>(rowCount);
      for (let row = start; row < records.length; row++) cells[row - start] = trimCell(records[row]![column]!);
      textColumns.push([name, cells]);
    }
  }

  if (emptyColumns.length === numericColumns.length) {
    const described = columns.map((name) =>
      name === timestampColumn ? `"${name}" holds timestamps` : emptyColumns.includes(name) ? `"${name}" is empty` : `"${name}" holds text`,
    );
    throw csvError(`no column of numbers to forecast (${described.join(', ')}); add a column with values such as 12.5`);
  }
  for (const name of emptyColumns) warnings.push(`column "${name}" is empty; all its values are missing`);

  if (!parsed) {
    // A time-like header over values we cannot read (01/07/2016, 20160701, month numbers) is
    // worth a sentence: the user probably expected a time axis.
    const timeNamed = options.timestampColumn === undefined && hasHeader ? columns.findIndex(isTimeName) : -1;
    const example = timeNamed >= 0 ? sampleColumn(records, start, timeNamed, 1)[0] : undefined;
    if (example !== undefined) {
      const row = records.findIndex((record, index) => index >= start && trimCell(record[timeNamed]!) === example);
      warnings.push(
        `column "${columns[timeNamed]}" looks like a time column, but ${quoteValue(example)} (row ${lines[row]}) is not a supported timestamp; write ISO 8601 such as 2016-07-01 or 2016-07-01 02:00:00. Rows are taken as consecutive steps`,
      );
    } else if (options.timestampColumn !== null) {
      warnings.push('no timestamp column found; rows are taken as consecutive steps of unknown frequency');
    }
  }

  return {
    ...(options.name === undefined ? {} : { name: options.name }),
    columns,
    hasHeader,
    delimiter,
    timestampColumn,
    timestampsMs: parsed?.timestampsMs ?? null,
    timestampFormat: parsed?.format ?? null,
    numericColumns,
    values: Object.fromEntries(values),
    text: Object.fromEntries(textColumns),
    rowCount,
    frequency: null,
    gaps: [],
    warnings,
    rowLines,
    timestampCells,
    badCells,
    badTimestamp: parsed?.badTimestamp ?? null,
  };
}
