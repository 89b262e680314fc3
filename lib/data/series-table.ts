/**
 * Reading a CSV that may hold many series, in any of the layouts forecasting users have:
 * - single: one series, a timestamp column and value columns (rows sorted here if they are not);
 * - long: series stacked under key columns (`unique_id, ds, y`, `item_id, timestamp, target`, or a
 *   composite key such as `Quarter, Region, State, Purpose, Trips`), in any row order;
 * - wide: one row per series, its values across columns V1..Vn (the M-competition files), with a
 *   frequency and start the user gives, or integer steps.
 * Every series is sorted by time and checked on its own: a duplicate timestamp, a bad cell or a
 * frequency unlike the others' is an error naming the series, the row and the column. The rows
 * come back sorted by series id, then time: the order uploads are stored in.
 */
import { LookaheadError } from '@/lib/core/errors';
import { addSteps, findGaps, frequencyFromLabel, inferFrequency, type Frequency } from '@/lib/core/frequency';
import { formatTimestamp } from '@/lib/core/time-format';
import { badCellError, readCsvColumns, type CsvColumns } from './csv';
import { isEntityName, splitValueColumns } from './roles';
import { readTimestamp } from './timestamps';

export type SeriesLayout = 'single' | 'long' | 'wide';

export interface SeriesSpan {
  /** The series id: the key column's value, or the key values joined by " / ". */
  id: string;
  /** The key columns' values. */
  key: string[];
  /** First row of the series in the table's (sorted) arrays. */
  offset: number;
  length: number;
  startMs: number;
  endMs: number;
  /** The series' own inferred frequency (null when too short to tell). */
  frequency: string | null;
  /** Steps absent against the frequency (gaps are reported, never filled). */
  missingSteps: number;
}

export interface SeriesTable {
  name?: string;
  layout: SeriesLayout;
  /** The file's timestamp column; "ds" for a wide file. */
  timestampColumn: string;
  /** Where the times come from: the file's timestamps, the user's frequency and start, or step numbers. */
  timeAxis: 'timestamps' | 'given' | 'steps';
  /** Columns whose values name a series ([] for one series). */
  keyColumns: string[];
  /** The column that stores the series id: the key column itself, or "unique_id" for a composite key or a wide file. */
  idColumn: string | null;
  targets: string[];
  covariates: string[];
  series: SeriesSpan[];
  /** Sorted by series (in `series` order), then time. */
  timestampsMs: Float64Array;
  values: Record<string, Float64Array>;
  /** Text columns that are not keys (event names, a store column beside one series), in the same order. */
  text: Record<string, string[]>;
  rowCount: number;
  /** The frequency all series share. */
  frequency: Frequency | null;
  warnings: string[];
}

export interface SeriesTableLimits {
  /** Most series a file may hold. */
  maxSeries?: number;
  /** Most points (rows of a long file, values of a wide one). */
  maxPoints?: number;
}

export interface SeriesTableOptions {
  name?: string;
  /** The timestamp column by name; detected when left out. */
  timestampColumn?: string;
  /** The key columns by name; detected when left out. */
  keyColumns?: string[];
  /** Wide files: the time of the first value column and the frequency ("1M", "1D", ...). Without it, steps are numbered. */
  wide?: { frequency: string; start: string };
  limits?: SeriesTableLimits;
}

const DAY = 86_400_000;
/** Separator of composite key values in a series id. */
export const KEY_SEPARATOR = ' / ';
/** How many series a warning names before it says "and N more". */
const NAMED_SERIES = 3;

function csvError(message: string, details?: Record<string, unknown>, code: 'bad_input' | 'too_large' = 'bad_input'): LookaheadError {
  return new LookaheadError('csv', code, message, details ? { details } : {});
}

function quoted(text: string): string {
  return `"${text.length > 60 ? `${text.slice(0, 60)}...` : text}"`;
}

function checkLimits(seriesCount: number, points: number, limits: SeriesTableLimits | undefined): void {
  if (limits?.maxSeries !== undefined && seriesCount > limits.maxSeries) {
    throw csvError(`the file holds ${seriesCount} series; the limit is ${limits.maxSeries} series per file (LOOKAHEAD_UPLOAD_MAX_SERIES); split it into several files`, {
      limit: 'maxSeries',
      value: seriesCount,
      max: limits.maxSeries,
    }, 'too_large');
  }
  if (limits?.maxPoints !== undefined && points > limits.maxPoints) {
    throw csvError(`the file holds ${points} points; the limit is ${limits.maxPoints} points per file (LOOKAHEAD_UPLOAD_MAX_POINTS); split it into several files`, {
      limit: 'maxPoints',
      value: points,
      max: limits.maxPoints,
    }, 'too_large');
  }
}

/** Rows grouped by the values of some columns: the group of every row, and each group's key values. */
interface Grouping {
  groupOfRow: Int32Array;
  keys: string[][];
}

function groupRows(cells: string[][], rowCount: number): Grouping {
  const groupOfRow = new Int32Array(rowCount);
  const keys: string[][] = [];
  if (cells.length === 0) return { groupOfRow, keys: rowCount > 0 ? [[]] : [] };
  const byKey = new Map<string, number>();
  const single = cells.length === 1 ? cells[0]! : null;
  for (let row = 0; row < rowCount; row++) {
    const key = single ? single[row]! : cells.map((column) => column[row]!).join('\u0000');
    let group = byKey.get(key);
    if (group === undefined) {
      group = keys.length;
      byKey.set(key, group);
      keys.push(cells.map((column) => column[row]!));
    }
    groupOfRow[row] = group;
  }
  return { groupOfRow, keys };
}

interface Ordering {
  /** Rows sorted by group rank, then time (file order on ties). */
  order: Int32Array;
  /** Start of each group (by rank) in `order`; one more entry than groups. */
  offsets: Int32Array;
  /** Whether any group needed sorting. */
  reordered: boolean;
  /** The first (group, time) pair that repeats: rows in file order. */
  duplicate: { first: number; second: number } | null;
}

/** Counting sort by rank, then each group by time where it is not sorted already (the common case costs O(rows)). */
function orderRows(grouping: Grouping, rankOfGroup: Int32Array, timestampsMs: Float64Array): Ordering {
  const groups = grouping.keys.length;
  const rows = grouping.groupOfRow.length;
  const offsets = new Int32Array(groups + 1);
  for (let row = 0; row < rows; row++) offsets[rankOfGroup[grouping.groupOfRow[row]!]! + 1]!++;
  for (let rank = 0; rank < groups; rank++) offsets[rank + 1]! += offsets[rank]!;
  const cursor = offsets.slice(0, groups);
  const order = new Int32Array(rows);
  for (let row = 0; row < rows; row++) order[cursor[rankOfGroup[grouping.groupOfRow[row]!]!]!++] = row;
  let reordered = false;
  let duplicate: Ordering['duplicate'] = null;
  for (let rank = 0; rank < groups; rank++) {
    const start = offsets[rank]!;
    const end = offsets[rank + 1]!;
    let sorted = true;
    for (let index = start + 1; index < end; index++) {
      if (timestampsMs[order[index]!]! < timestampsMs[order[index - 1]!]!) {
        sorted = false;
        break;
      }
    }
    if (!sorted) {
      reordered = true;
      const slice = Array.from(order.subarray(start, end)).sort((a, b) => timestampsMs[a]! - timestampsMs[b]! || a - b);
      order.set(slice, start);
    }
    if (duplicate === null) {
      for (let index = start + 1; index < end; index++) {
        if (timestampsMs[order[index]!] === timestampsMs[order[index - 1]!]) {
          duplicate = { first: order[index - 1]!, second: order[index]! };
          break;
        }
      }
    }
  }
  return { order, offsets, reordered, duplicate };
}

const identityRanks = (count: number): Int32Array => Int32Array.from({ length: count }, (_, index) => index);

/** Columns that may name series: text columns whose values repeat, and id-named columns of whole numbers. */
function keyCandidates(table: CsvColumns): { name: string; cells: string[] }[] {
  const candidates: { name: string; cells: string[] }[] = [];
  const allDifferent: { name: string; cells: string[] }[] = [];
  for (const name of table.columns) {
    if (name === table.timestampColumn) continue;
    const text = table.text[name];
    if (text) {
      // A column of all-different values (a comment, a row id) names series only as a last resort
      // (a two-row example file).
      (new Set(text).size < table.rowCount ? candidates : allDifferent).push({ name, cells: text });
      continue;
    }
    const values = table.values[name];
    if (values && isEntityName(name) && values.every((value) => Number.isInteger(value))) {
      candidates.push({ name, cells: Array.from(values, (value) => String(value)) });
    }
  }
  return [...candidates, ...allDifferent];
}

/** Skips NaN (a timestamp cell that did not read), so one bad cell does not make a single series look keyed. */
function isStrictlyIncreasing(timestampsMs: Float64Array): boolean {
  let previous = Number.NEGATIVE_INFINITY;
  for (const time of timestampsMs) {
    if (Number.isNaN(time)) continue;
    if (!(time > previous)) return false;
    previous = time;
  }
  return true;
}

/** Whether a column's values form two or more runs of at least two rows, no value coming back after its run. */
function inContiguousRuns(cells: string[]): boolean {
  const finished = new Set<string>();
  let runs = 0;
  let runLength = 0;
  for (let row = 0; row < cells.length; row++) {
    if (row > 0 && cells[row] === cells[row - 1]) {
      runLength++;
      continue;
    }
    if (row > 0) {
      if (runLength < 2) return false;
      finished.add(cells[row - 1]!);
    }
    if (finished.has(cells[row]!)) return false;
    runs++;
    runLength = 1;
  }
  return runs >= 2 && runLength >= 2;
}

/** Whether column `cells` takes one value within each group. */
function constantWithin(grouping: Grouping, cells: string[]): boolean {
  const seen = new Array<string | undefined>(grouping.keys.length);
  for (let row = 0; row < cells.length; row++) {
    const group = grouping.groupOfRow[row]!;
    const value = seen[group];
    if (value === undefined) seen[group] = cells[row]!;
    else if (value !== cells[row]) return false;
  }
  return true;
}

/**
 * The key columns: none when the timestamps alone are unique and increasing (and no column is
 * named like an id); else the fewest candidate columns under which every (key, time) pair is
 * unique, plus the candidates constant within each of its series (a State beside its Region).
 */
function detectKey(table: CsvColumns, timestampsMs: Float64Array): string[] {
  const candidates = keyCandidates(table);
  if (candidates.length === 0) return [];
  const named = candidates.filter((candidate) => isEntityName(candidate.name));
  if (isStrictlyIncreasing(timestampsMs)) {
    // Unique, increasing timestamps are one series, unless an id-named column splits the rows into
    // runs (series that follow one another in time: A in 2020, B in 2021).
    const sequential = named.find((candidate) => inContiguousRuns(candidate.cells));
    return sequential ? withConstantColumns([sequential], candidates, table.rowCount) : [];
  }
  const unique = (members: { cells: string[] }[]): boolean => {
    const grouping = groupRows(
      members.map((member) => member.cells),
      table.rowCount,
    );
    return orderRows(grouping, identityRanks(grouping.keys.length), timestampsMs).duplicate === null;
  };
  // Id-named columns alone, then one at a time, then all together, minimised.
  for (const candidate of [...named, ...candidates.filter((entry) => !named.includes(entry))]) {
    if (unique([candidate])) return withConstantColumns([candidate], candidates, table.rowCount);
  }
  let key = [...candidates];
  if (!unique(key)) return named.length > 0 ? named.map((entry) => entry.name) : candidates.map((entry) => entry.name);
  // Drop columns that are not needed, those not named like ids first.
  for (const candidate of [...candidates.filter((entry) => !named.includes(entry)), ...named]) {
    const without = key.filter((entry) => entry !== candidate);
    if (without.length > 0 && unique(without)) key = without;
  }
  return withConstantColumns(key, candidates, table.rowCount);
}

function withConstantColumns(key: { name: string; cells: string[] }[], candidates: { name: string; cells: string[] }[], rowCount: number): string[] {
  const grouping = groupRows(
    key.map((member) => member.cells),
    rowCount,
  );
  const kept = candidates.filter((candidate) => key.includes(candidate) || constantWithin(grouping, candidate.cells));
  return kept.map((candidate) => candidate.name);
}

function columnCells(table: CsvColumns, name: string): string[] {
  const text = table.text[name];
  if (text) return text;
  const values = table.values[name];
  if (values) return Array.from(values, (value) => String(value));
  throw csvError(`key column ${quoted(name)} is not in the file; the columns are ${table.columns.map(quoted).join(', ')}`, { column: name });
}

function describeFrequencies(spans: readonly SeriesSpan[]): Map<string, SeriesSpan[]> {
  const byLabel = new Map<string, SeriesSpan[]>();
  for (const span of spans) {
    if (span.frequency === null) continue;
    byLabel.set(span.frequency, [...(byLabel.get(span.frequency) ?? []), span]);
  }
  return byLabel;
}

/** Fills each span's frequency and gaps, and the table's shared frequency (mixed ones are an error). */
function finishSpans(spans: SeriesSpan[], timestampsMs: Float64Array, warnings: string[], given: Frequency | null): Frequency | null {
  for (const span of spans) {
    const times = timestampsMs.subarray(span.offset, span.offset + span.length);
    const frequency = given ?? inferFrequency(times);
    span.frequency = frequency?.label ?? null;
    span.startMs = times[0]!;
    span.endMs = times[times.length - 1]!;
    span.missingSteps = frequency ? findGaps(times, frequency).reduce((total, gap) => total + gap.missingSteps, 0) : 0;
  }
  const byLabel = describeFrequencies(spans);
  if (byLabel.size > 1) {
    const described = [...byLabel.entries()]
      .slice(0, NAMED_SERIES)
      .map(([label, members]) => `${quoted(members[0]!.id)}${members.length > 1 ? ` and ${members.length - 1} more` : ''} ${label}`);
    throw csvError(`series have mixed frequencies (${described.join(', ')}); a file holds series of one frequency: split it, or downsample first`, {
      limit: 'frequency',
      frequencies: [...byLabel.keys()],
    });
  }
  const label = byLabel.keys().next().value;
  const frequency = given ?? (label === undefined ? null : frequencyFromLabel(label));
  const withGaps = spans.filter((span) => span.missingSteps > 0);
  if (frequency && withGaps.length > 0) {
    const named = withGaps.slice(0, NAMED_SERIES).map((span) => `${span.id === '' ? 'the series' : quoted(span.id)} misses ${span.missingSteps}`);
    const more = withGaps.length > NAMED_SERIES ? ` and ${withGaps.length - NAMED_SERIES} more series` : '';
    warnings.push(`gaps against the ${frequency.description} frequency: ${named.join(', ')}${more} (steps missing; kept as gaps, never filled)`);
  }
  return frequency;
}

/** A timestamp cell that does not read, with its series named when the file holds several. */
function badTimestampError(table: CsvColumns, keyColumns: string[]): LookaheadError {
  const { row, error } = table.badTimestamp!;
  if (keyColumns.length === 0) return error;
  const series = keyColumns.map((name) => columnCells(table, name)[row]!).join(KEY_SEPARATOR);
  return new LookaheadError('csv', 'bad_input', `series ${quoted(series)}, ${error.message.replace(/^csv: /, '')}`, {
    details: { ...error.details, series },
    cause: error,
  });
}

function readTimed(table: CsvColumns, options: SeriesTableOptions): SeriesTable {
  const timestampsMs = table.timestampsMs!;
  const timeColumn = table.timestampColumn!;
  // The key is found from the rows that read (a bad row's time is NaN, never equal, never in order).
  const keyColumns = options.keyColumns ?? detectKey(table, timestampsMs);
  if (table.badTimestamp) throw badTimestampError(table, keyColumns);
  const keyCells = keyColumns.map((name) => columnCells(table, name));
  const grouping = groupRows(keyCells, table.rowCount);
  checkLimits(grouping.keys.length, table.rowCount, options.limits);
  const ids = grouping.keys.map((key) => key.join(KEY_SEPARATOR));
  const ranked = ids.map((id, group) => ({ id, group })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rankOfGroup = new Int32Array(ids.length);
  ranked.forEach((entry, rank) => (rankOfGroup[entry.group] = rank));
  const ordering = orderRows(grouping, rankOfGroup, timestampsMs);
  const seriesLabel = (row: number): string => (keyColumns.length === 0 ? '' : `series ${quoted(ids[grouping.groupOfRow[row]!]!)}, `);

  if (ordering.duplicate) {
    const { first, second } = ordering.duplicate;
    const keyText = keyColumns.length ? ` for ${keyColumns.map((name, index) => `${name}=${quoted(keyCells[index]![first]!)}`).join(', ')}` : '';
    throw csvError(
      `${seriesLabel(first)}duplicate timestamp ${table.timestampCells![first]} in column ${quoted(timeColumn)}${keyText} at rows ${table.rowLines[first]} and ${table.rowLines[second]}; each series may have each timestamp once${keyColumns.length ? ` (the key is ${keyColumns.map(quoted).join(' + ')})` : ''}`,
      { row: table.rowLines[second], firstRow: table.rowLines[first], column: timeColumn, series: ids[grouping.groupOfRow[first]!] ?? '' },
    );
  }
  const badCell = table.badCells[0];
  if (badCell) throw badCellError(badCell, keyColumns.length ? ids[grouping.groupOfRow[badCell.row]!] : undefined);

  const keySet = new Set(keyColumns);
  const numeric = table.numericColumns.filter((name) => !keySet.has(name));
  const emptyValues = numeric.every((name) => table.values[name]!.every((value) => Number.isNaN(value)));
  if (numeric.length === 0 || emptyValues) {
    throw csvError(`no column of numbers to forecast beside the key (${keyColumns.map(quoted).join(', ') || 'none'}) and the timestamps (${quoted(timeColumn)}); add a column with values such as 12.5`);
  }
  const { targets, covariates } = splitValueColumns(numeric);
  const order = ordering.order;
  const sortedTimes = new Float64Array(order.length);
  for (let index = 0; index < order.length; index++) sortedTimes[index] = timestampsMs[order[index]!]!;
  const values: Record<string, Float64Array> = {};
  for (const name of [...targets, ...covariates]) {
    const source = table.values[name]!;
    const sorted = new Float64Array(order.length);
    for (let index = 0; index < order.length; index++) sorted[index] = source[order[index]!]!;
    values[name] = sorted;
  }
  const spans: SeriesSpan[] = ranked.map((entry, rank) => ({
    id: entry.id,
    key: grouping.keys[entry.group]!,
    offset: ordering.offsets[rank]!,
    length: ordering.offsets[rank + 1]! - ordering.offsets[rank]!,
    startMs: 0,
    endMs: 0,
    frequency: null,
    missingSteps: 0,
  }));
  const warnings = table.warnings.filter((warning) => !warning.startsWith('column') || !keySet.has(warning.split('"')[1] ?? ''));
  if (ordering.reordered) warnings.push(`rows were not in time order${keyColumns.length ? ' within each series' : ''}; sorted by ${keyColumns.length ? 'series, then ' : ''}time`);
  const text: Record<string, string[]> = {};
  for (const name of Object.keys(table.text).filter((column) => !keySet.has(column))) {
    const cells = table.text[name]!;
    text[name] = Array.from(order, (row) => cells[row]!);
  }
  const frequency = finishSpans(spans, sortedTimes, warnings, null);
  const idColumn = keyColumns.length === 0 ? null : keyColumns.length === 1 ? keyColumns[0]! : table.columns.includes('unique_id') ? 'series_id' : 'unique_id';
  return {
    ...(options.name === undefined ? {} : { name: options.name }),
    layout: keyColumns.length === 0 ? 'single' : 'long',
    timestampColumn: timeColumn,
    timeAxis: 'timestamps',
    keyColumns,
    idColumn,
    targets,
    covariates,
    series: spans,
    timestampsMs: sortedTimes,
    values,
    text,
    rowCount: table.rowCount,
    frequency,
    warnings,
  };
}

/** V1..Vn, d_1..d_n, 1..n: value columns numbered in order. */
function numberedColumns(names: readonly string[]): boolean {
  if (names.length < 2) return false;
  const parsed = names.map((name) => /^(\D*?)_?(\d+)$/.exec(name));
  if (parsed.some((match) => match === null)) return false;
  const prefix = parsed[0]![1];
  return parsed.every((match, index) => match![1] === prefix && (index === 0 || Number(match![2]) === Number(parsed[index - 1]![2]) + 1));
}

/** Whether a file without a timestamp column is wide: id columns of text, then numbered value columns. */
export function isWideTable(table: CsvColumns): boolean {
  return table.timestampColumn === null && Object.keys(table.text).length > 0 && numberedColumns(table.numericColumns);
}

function readWide(table: CsvColumns, options: SeriesTableOptions): SeriesTable {
  const keyColumns = table.columns.filter((name) => table.text[name]);
  const valueColumns = table.numericColumns;
  const warnings: string[] = [];
  let frequency: Frequency | null = null;
  let startMs = 0;
  if (options.wide) {
    try {
      frequency = frequencyFromLabel(options.wide.frequency);
    } catch (error) {
      throw csvError(`frequency ${quoted(options.wide.frequency)} is not one (use 1D, 1W, 1M, 1Q, 1Y, 1h, 15min, ...)`, { field: 'frequency' }, 'bad_input');
    }
    const start = readTimestamp(options.wide.start.trim());
    if (!start.ok) throw csvError(`start ${quoted(options.wide.start)} is not a date; use ISO 8601 such as 2000-01-01 or a period such as 1998 Q1`, { field: 'start' });
    startMs = start.ms;
  } else {
    frequency = frequencyFromLabel('1D');
    warnings.push('a wide file has no dates: steps are numbered as days from 1970-01-01 (step 0); give a frequency and start to place them in time');
  }
  const lengths = table.text[keyColumns[0]!]!.map((_, row) => {
    let length = valueColumns.length;
    while (length > 0 && Number.isNaN(table.values[valueColumns[length - 1]!]![row]!)) length--;
    return length;
  });
  const points = lengths.reduce((total, length) => total + length, 0);
  checkLimits(table.rowCount, points, options.limits);
  const keys = Array.from({ length: table.rowCount }, (_, row) => keyColumns.map((name) => table.text[name]![row]!));
  const ids = keys.map((key) => key.join(KEY_SEPARATOR));
  const seen = new Map<string, number>();
  ids.forEach((id, row) => {
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      throw csvError(`series ${quoted(id)} appears twice, at rows ${table.rowLines[earlier]} and ${table.rowLines[row]}; a wide file has one row per series`, { row: table.rowLines[row], series: id });
    }
    seen.set(id, row);
  });
  const badCell = table.badCells[0];
  if (badCell) throw badCellError(badCell, ids[badCell.row]);
  const rows = ids.map((id, row) => ({ id, row })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const timestampsMs = new Float64Array(points);
  const y = new Float64Array(points);
  const spans: SeriesSpan[] = [];
  const stepTimes = Float64Array.from({ length: valueColumns.length }, (_, step) => (options.wide ? addSteps(startMs, frequency!, step) : step * DAY));
  let offset = 0;
  for (const { id, row } of rows) {
    const length = lengths[row]!;
    for (let step = 0; step < length; step++) {
      timestampsMs[offset + step] = stepTimes[step]!;
      y[offset + step] = table.values[valueColumns[step]!]![row]!;
    }
    spans.push({ id, key: keys[row]!, offset, length, startMs: 0, endMs: 0, frequency: null, missingSteps: 0 });
    offset += length;
  }
  const empty = spans.filter((span) => span.length === 0);
  if (empty.length) throw csvError(`series ${quoted(empty[0]!.id)} (row ${table.rowLines[rows.find((entry) => entry.id === empty[0]!.id)!.row]}) has no values; remove the row or fill it`, { series: empty[0]!.id });
  finishSpans(spans, timestampsMs, warnings, frequency);
  const idColumn = 'unique_id';
  return {
    ...(options.name === undefined ? {} : { name: options.name }),
    layout: 'wide',
    timestampColumn: 'ds',
    timeAxis: options.wide ? 'given' : 'steps',
    keyColumns,
    idColumn,
    targets: ['y'],
    covariates: [],
    series: spans,
    timestampsMs,
    values: { y },
    text: {},
    rowCount: points,
    frequency,
    warnings: [...table.warnings.filter((warning) => !warning.startsWith('no timestamp column')), ...warnings],
  };
}

/** Reads a CSV of one or many series (see the file comment). */
export function readSeriesCsv(text: string, options: SeriesTableOptions = {}): SeriesTable {
  const table = readCsvColumns(text, {
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.timestampColumn ? { timestampColumn: options.timestampColumn } : {}),
    collectBadTimestamp: true,
  });
  return readSeriesColumns(table, options);
}

/**
 * The layouts, keys, sorting and checks of readSeriesCsv over columns already read (a CSV's, or a
 * parquet file's: series-parquet.ts builds the same columns from a parquet file).
 */
export function readSeriesColumns(table: CsvColumns, options: SeriesTableOptions = {}): SeriesTable {
  if (table.timestampsMs && table.timestampColumn) {
    checkLimits(1, table.rowCount, { maxPoints: options.limits?.maxPoints });
    return readTimed(table, options);
  }
  if (isWideTable(table)) return readWide(table, options);
  throw csvError(
    `no timestamp column (the columns are ${table.columns.map(quoted).join(', ')}); add one with dates such as 2024-01-31 or periods such as 1998 Q1, or lay the file out wide (an id column, then values in columns V1..Vn)`,
    { columns: table.columns, problem: 'no_timestamp' },
  );
}

/** e.g. "3 series, 1M, 1998-01 → 2017-10". */
export function describeSeriesTable(table: SeriesTable): string {
  const first = table.series.reduce((earliest, span) => Math.min(earliest, span.startMs), Number.POSITIVE_INFINITY);
  const last = table.series.reduce((latest, span) => Math.max(latest, span.endMs), Number.NEGATIVE_INFINITY);
  return `${table.series.length} series, ${table.frequency?.label ?? 'unknown frequency'}, ${formatTimestamp(first, table.frequency)} → ${formatTimestamp(last, table.frequency)}`;
}
