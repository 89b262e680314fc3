import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { LookaheadError } from '@/lib/core/errors';
import { parseCsv, type CsvOptions } from '@/lib/data/csv';

const sample = (fileName: string): string => readFileSync(new URL(`../../data/samples/${fileName}`, import.meta.url), 'utf8');
const fixture = (fileName: string): string => readFileSync(new URL(`../fixtures/csv/${fileName}`, import.meta.url), 'utf8');

/** The LookaheadError parseCsv throws for `text` (fails the test when it does not throw one). */
function csvError(text: string, options?: CsvOptions): LookaheadError {
  try {
    parseCsv(text, options);
  } catch (error) {
    expect(error).toBeInstanceOf(LookaheadError);
    const lookaheadError = error as LookaheadError;
    expect(lookaheadError.subsystem).toBe('csv');
    expect(lookaheadError.code).toBe('bad_input');
    return lookaheadError;
  }
  throw new Error('expected parseCsv to throw');
}

const ettColumns = ['date', 'HUFL', 'HULL', 'MUFL', 'MULL', 'LUFL', 'LULL', 'OT'];

describe('parseCsv on the shared sample files', () => {
  it('ETTh1.csv: hourly, 17,420 rows, 7 numeric columns', () => {
    const table = parseCsv(sample('ETTh1.csv'), { name: 'ETTh1' });
    expect(table.name).toBe('ETTh1');
    expect(table.columns).toEqual(ettColumns);
    expect(table.hasHeader).toBe(true);
    expect(table.timestampColumn).toBe('date');
    expect(table.timestampFormat).toBe('datetime');
    expect(table.numericColumns).toEqual(ettColumns.slice(1));
    expect(table.rowCount).toBe(17_420);
    expect(table.frequency).toEqual({ unit: 'hour', step: 1, label: '1h', description: 'hourly' });
    expect(table.gaps).toEqual([]);
    expect(table.warnings).toEqual([]);
    expect(table.timestampsMs![0]).toBe(Date.UTC(2016, 6, 1, 0));
    expect(table.timestampsMs![17_419]).toBe(Date.UTC(2018, 5, 26, 19));
    // Spot values read from the file's first and last lines.
    expect(table.values.HUFL![0]).toBe(5.827000141143799);
    expect(table.values.OT![0]).toBe(30.5310001373291);
    expect(table.values.OT![17_419]).toBe(9.56700038909912);
    expect(table.values.MUFL![17_418]).toBe(5.4720001220703125);
    expect(table.text).toEqual({});
  });

  it('ETTh2.csv: hourly, 17,420 rows', () => {
    const table = parseCsv(sample('ETTh2.csv'));
    expect(table.columns).toEqual(ettColumns);
    expect(table.rowCount).toBe(17_420);
    expect(table.frequency?.label).toBe('1h');
    expect(table.values.HUFL![0]).toBe(41.13000106811523);
    expect(table.values.LULL![2]).toBe(0);
    expect(table.values.OT![17_419]).toBe(45.98649978637695);
    expect(table.values.LUFL![17_419]).toBe(-11.524999618530273);
  });

  it('AirPassengers.csv: monthly YYYY-MM, 144 rows', () => {
    const table = parseCsv(sample('AirPassengers.csv'));
    expect(table.columns).toEqual(['Month', '#Passengers']);
    expect(table.timestampColumn).toBe('Month');
    expect(table.timestampFormat).toBe('year-month');
    expect(table.numericColumns).toEqual(['#Passengers']);
    expect(table.rowCount).toBe(144);
    expect(table.frequency).toEqual({ unit: 'month', step: 1, label: '1M', description: 'monthly' });
    expect(table.gaps).toEqual([]);
    expect(table.timestampsMs![0]).toBe(Date.UTC(1949, 0, 1));
    expect(table.timestampsMs![143]).toBe(Date.UTC(1960, 11, 1));
    expect(table.values['#Passengers']![0]).toBe(112);
    expect(table.values['#Passengers']![143]).toBe(432);
  });

  it('monthly-milk-incomplete.csv: quoted cells, monthly, 13 missing months in 8 gaps', () => {
    const table = parseCsv(sample('monthly-milk-incomplete.csv'));
    expect(table.columns).toEqual(['Month', 'Pounds per cow']);
    expect(table.rowCount).toBe(155);
    expect(table.frequency?.label).toBe('1M');
    expect(table.values['Pounds per cow']![0]).toBe(589);
    expect(table.values['Pounds per cow']![154]).toBe(843);
    // 155 + 13 = 168 months, 1962-01 .. 1975-12.
    expect(table.gaps.reduce((total, gap) => total + gap.missingSteps, 0)).toBe(13);
    expect(table.gaps).toHaveLength(8);
    expect(table.gaps[0]).toEqual({ afterIndex: 19, fromMs: Date.UTC(1963, 7, 1), toMs: Date.UTC(1963, 9, 1), missingSteps: 1 });
    expect(table.gaps.find((gap) => gap.missingSteps === 4)).toMatchObject({ fromMs: Date.UTC(1967, 10, 1), toMs: Date.UTC(1968, 3, 1) });
    expect(table.warnings).toEqual(['13 months are missing between 1962-01 and 1975-12 (8 gaps; first: 1963-09)']);
  });

  it('exchange_rate.csv: header 0..7 over floats, no timestamps, 7,588 rows', () => {
    const table = parseCsv(sample('exchange_rate.csv'));
    expect(table.hasHeader).toBe(true);
    expect(table.columns).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(table.numericColumns).toEqual(table.columns);
    expect(table.rowCount).toBe(7_588);
    expect(table.timestampColumn).toBeNull();
    expect(table.timestampsMs).toBeNull();
    expect(table.timestampFormat).toBeNull();
    expect(table.frequency).toBeNull();
    expect(table.values['0']![0]).toBe(0.7855);
    expect(table.values['7']![0]).toBe(0.525486);
    expect(table.values['1']![7_587]).toBe(1.233905);
    expect(table.warnings).toEqual(['no timestamp column found; rows are taken as consecutive steps of unknown frequency']);
  });

  it('peyton_manning.csv: daily with 59 missing days in 29 gaps', () => {
    const table = parseCsv(sample('peyton_manning.csv'));
    expect(table.columns).toEqual(['timestamp', 'value']);
    expect(table.timestampColumn).toBe('timestamp');
    expect(table.timestampFormat).toBe('date');
    expect(table.rowCount).toBe(2_905);
    expect(table.frequency).toEqual({ unit: 'day', step: 1, label: '1D', description: 'daily' });
    expect(table.timestampsMs![0]).toBe(Date.UTC(2007, 11, 10));
    expect(table.timestampsMs![2_904]).toBe(Date.UTC(2016, 0, 20));
    expect(table.values.value![0]).toBe(9.59076113897809);
    expect(table.values.value![2_904]).toBe(8.89137400948464);
    expect(table.gaps).toHaveLength(29);
    expect(table.gaps[0]).toEqual({ afterIndex: 51, fromMs: Date.UTC(2008, 0, 30), toMs: Date.UTC(2008, 1, 1), missingSteps: 1 });
    expect(table.warnings).toEqual(['59 days are missing between 2007-12-10 and 2016-01-20 (29 gaps; first: 2008-01-31)']);
  });
});

describe('parseCsv rejects bad files with messages naming row, column and value', () => {
  it('duplicate timestamp', () => {
    const error = csvError(fixture('duplicate-timestamp.csv'));
    expect(error.message).toBe('csv: duplicate timestamp 2016-07-01 02:00:00 in column "date" at rows 4 and 5; each timestamp must appear once');
    expect(error.details).toEqual({ row: 5, column: 'date', firstRow: 4 });
  });

  it('timestamps out of order', () => {
    const error = csvError(fixture('unsorted.csv'));
    expect(error.message).toBe(
      'csv: timestamps out of order in column "date" at row 7 (2016-07-01 03:00:00 comes after 2016-07-01 05:00:00); sort the file by time',
    );
    expect(error.details).toEqual({ row: 7, column: 'date' });
  });

  it('non-numeric cell in a numeric column', () => {
    const error = csvError(fixture('non-numeric.csv'));
    expect(error.message).toBe(
      'csv: row 12, column "OT": "abc" is not a number; use a plain decimal such as 12.5, or leave the cell empty for a missing value',
    );
    expect(error.details).toEqual({ row: 12, column: 'OT', value: 'abc' });
  });

  it('ragged row', () => {
    const error = csvError(fixture('ragged-row.csv'));
    expect(error.message).toBe('csv: row 4 has 2 fields but the header has 3; give every row one value per column, and quote values that contain ","');
  });

  it('invalid date 2021-02-30', () => {
    const error = csvError(fixture('invalid-date.csv'));
    expect(error.message).toBe('csv: row 4, column "date": "2021-02-30" is not a valid date (February 2021 has 28 days); use YYYY-MM-DD');
    expect(error.details).toEqual({ row: 4, column: 'date', value: '2021-02-30' });
  });

  it('invalid time 25:00', () => {
    const error = csvError('date,value\n2021-01-01 23:00:00,1\n2021-01-01 25:00:00,2\n');
    expect(error.message).toBe('csv: row 3, column "date": "2021-01-01 25:00:00" is not a valid time (hours run from 00 to 23); use YYYY-MM-DD HH:MM:SS');
  });

  it('empty file', () => {
    expect(csvError(fixture('empty.csv')).message).toBe(
      'csv: the file is empty; expected a header line such as "date,value" and then one line per time step',
    );
  });

  it('blank lines only count as an empty file', () => {
    expect(csvError('\n\r\n\n').message).toBe('csv: the file is empty; expected a header line such as "date,value" and then one line per time step');
  });

  it('header only', () => {
    expect(csvError(fixture('header-only.csv')).message).toBe('csv: the file has a header (date, OT) but no data rows; add one line per time step below it');
  });

  it('no numeric column', () => {
    expect(csvError(fixture('no-numeric-column.csv')).message).toBe(
      'csv: no column of numbers to forecast ("date" holds timestamps, "store" holds text); add a column with values such as 12.5',
    );
  });

  it('unterminated quote', () => {
    const error = csvError(fixture('unterminated-quote.csv'));
    expect(error.message).toBe(
      'csv: row 3, column "store": the quoted value starting "south,12..." is never closed; end it with " and write "" for a quote inside a value',
    );
    expect(error.details).toEqual({ row: 3, column: 'store' });
  });

  it('text after a closing quote', () => {
    expect(csvError('date,store,sales\n2021-01-01,"north"x,10\n').message).toBe(
      'csv: row 2, column "store": text follows the closing quote in "north"x; quote the whole value and write "" for a quote inside it',
    );
  });

  it('missing timestamp', () => {
    expect(csvError('date,value\n2021-01-01,1\n,2\n').message).toBe(
      'csv: row 3, column "date": the timestamp is missing; every row needs one (YYYY-MM-DD)',
    );
  });

  it('text in a timestamp column', () => {
    expect(csvError('date,value\n2021-01-01,1\n2021-01-02,2\nyesterday,3\n').message).toBe(
      'csv: row 4, column "date": "yesterday" is not a timestamp; use YYYY-MM-DD like row 2',
    );
  });

  it('timestamps written two ways', () => {
    expect(csvError('date,value\n2016-07-01 00:00:00,1\n2016-07-01,2\n').message).toBe(
      'csv: row 3, column "date": "2016-07-01" is written differently from row 2 ("2016-07-01 00:00:00"); write every timestamp as YYYY-MM-DD HH:MM:SS',
    );
  });

  it('duplicate column name', () => {
    expect(csvError('date,value,value\n2021-01-01,1,2\n').message).toBe(
      'csv: column name "value" appears twice in the header (columns 2 and 3); give each column a unique name',
    );
  });

  it('requested timestamp column that does not exist', () => {
    expect(csvError('date,value\n2021-01-01,1\n', { timestampColumn: 'when' }).message).toBe(
      'csv: timestamp column "when" not found; the columns are "date", "value"',
    );
  });
});

describe('parseCsv edge cases', () => {
  it('BOM is stripped', () => {
    const table = parseCsv('\ufeffdate,value\n2021-01-01,1\n2021-01-02,2\n');
    expect(table.columns).toEqual(['date', 'value']);
    expect(table.timestampColumn).toBe('date');
  });

  it('CRLF line ends', () => {
    const table = parseCsv('date,value\r\n2021-01-01,1.5\r\n2021-01-02,2.5\r\n');
    expect(table.columns).toEqual(['date', 'value']);
    expect(Array.from(table.values.value!)).toEqual([1.5, 2.5]);
    expect(table.rowCount).toBe(2);
  });

  it('lone CR line ends', () => {
    const table = parseCsv('date,value\r2021-01-01,1\r2021-01-02,2');
    expect(Array.from(table.values.value!)).toEqual([1, 2]);
  });

  it('no trailing newline, and a trailing empty line', () => {
    expect(parseCsv('date,value\n2021-01-01,1\n2021-01-02,2').rowCount).toBe(2);
    expect(parseCsv('date,value\n2021-01-01,1\n2021-01-02,2\n\n').rowCount).toBe(2);
  });

  it('quoted commas, escaped quotes and newlines inside quotes', () => {
    const text = 'date,"sales, total","note"\n2021-01-01,"1",plain\n2021-01-02,2,"said ""hi"", left"\n2021-01-03,3,"two\nlines"\n2021-01-04,x4,z\n';
    const error = csvError(text);
    // The quoted newline in row 4 makes the next record start on line 6.
    expect(error.message).toBe(
      'csv: row 6, column "sales, total": "x4" is not a number; use a plain decimal such as 12.5, or leave the cell empty for a missing value',
    );
    const table = parseCsv(text.replace('x4', '4'));
    expect(table.columns).toEqual(['date', 'sales, total', 'note']);
    expect(Array.from(table.values['sales, total']!)).toEqual([1, 2, 3, 4]);
    expect(table.text.note).toEqual(['plain', 'said "hi", left', 'two\nlines', 'z']);
  });

  it('semicolons, with decimal commas', () => {
    const table = parseCsv('date;value;other\n2021-01-01;1,5;3\n2021-01-02;2,25;4\n');
    expect(table.delimiter).toBe(';');
    expect(table.columns).toEqual(['date', 'value', 'other']);
    expect(Array.from(table.values.value!)).toEqual([1.5, 2.25]);
  });

  it('tabs', () => {
    const table = parseCsv('date\tvalue\n2021-01-01\t1\n2021-01-02\t2\n');
    expect(table.delimiter).toBe('\t');
    expect(table.numericColumns).toEqual(['value']);
  });

  it('epoch seconds under a time-named header', () => {
    const table = parseCsv('timestamp,value\n1467331200,1\n1467334800,2\n1467338400,3\n');
    expect(table.timestampColumn).toBe('timestamp');
    expect(table.timestampFormat).toBe('epoch-seconds');
    expect(Array.from(table.timestampsMs!)).toEqual([Date.UTC(2016, 6, 1, 0), Date.UTC(2016, 6, 1, 1), Date.UTC(2016, 6, 1, 2)]);
    expect(table.frequency?.label).toBe('1h');
    expect(table.numericColumns).toEqual(['value']);
  });

  it('epoch milliseconds under a time-named header', () => {
    const table = parseCsv('ts,value\n1467331200000,1\n1467331800000,2\n');
    expect(table.timestampFormat).toBe('epoch-millis');
    expect(table.frequency?.label).toBe('10min');
  });

  it('epoch-like integers under a plain header stay numbers', () => {
    const table = parseCsv('id,value\n1467331200,1\n1467334800,2\n');
    expect(table.timestampColumn).toBeNull();
    expect(table.numericColumns).toEqual(['id', 'value']);
  });

  it('ISO 8601 with T, Z, offsets and fractional seconds', () => {
    const table = parseCsv('time,value\n2016-07-01T00:00:00Z,1\n2016-07-01T02:00:00.000+01:00,2\n2016-07-01T02:00:00.5Z,3\n');
    expect(table.timestampFormat).toBe('iso');
    expect(Array.from(table.timestampsMs!)).toEqual([Date.UTC(2016, 6, 1, 0), Date.UTC(2016, 6, 1, 1), Date.UTC(2016, 6, 1, 2) + 500]);
  });

  it('a date column is found by its values whatever its header', () => {
    const table = parseCsv('when,value\n2021-01-01,1\n2021-01-08,2\n');
    expect(table.timestampColumn).toBe('when');
    expect(table.frequency?.label).toBe('1W');
  });

  it('a file without a header gets columns "0", "1", ...', () => {
    const table = parseCsv('2021-01-01,1.5,7\n2021-01-02,2.5,8\n');
    expect(table.hasHeader).toBe(false);
    expect(table.columns).toEqual(['0', '1', '2']);
    expect(table.timestampColumn).toBe('0');
    expect(table.numericColumns).toEqual(['1', '2']);
    expect(table.rowCount).toBe(2);
  });

  it('a single column of numbers: "0" over integers is data, "0" over decimals a header', () => {
    expect(parseCsv('0\n5\n3\n').rowCount).toBe(3);
    const withHeader = parseCsv('0\n0.5\n0.25\n');
    expect(withHeader.hasHeader).toBe(true);
    expect(Array.from(withHeader.values['0']!)).toEqual([0.5, 0.25]);
  });

  it('missing values: empty, NA, NaN, null', () => {
    const table = parseCsv('date,value\n2021-01-01,1\n2021-01-02,\n2021-01-03,NA\n2021-01-04,NaN\n2021-01-05,null\n2021-01-06,6\n');
    expect(Array.from(table.values.value!)).toEqual([1, Number.NaN, Number.NaN, Number.NaN, Number.NaN, 6]);
  });

  it('a text (entity) column is kept as text, not an error', () => {
    const table = parseCsv('date,store,sales\n2021-01-01,north,10\n2021-01-02,south,12\n');
    expect(table.numericColumns).toEqual(['sales']);
    expect(table.text).toEqual({ store: ['north', 'south'] });
    expect(table.columns).toEqual(['date', 'store', 'sales']);
  });

  it('hex, Infinity and thousands separators are not numbers', () => {
    for (const bad of ['0x10', 'Infinity', '"1,000"', '1e999', '12abc']) {
      const error = csvError(`date,value\n2021-01-01,1\n2021-01-02,2\n2021-01-03,${bad}\n`);
      expect(error.message).toMatch(/^csv: row 4, column "value": ".*" is not a number/);
    }
  });

  it('onDisorder keep: duplicate and unsorted rows are kept with warnings', () => {
    const duplicate = parseCsv(fixture('duplicate-timestamp.csv'), { onDisorder: 'keep' });
    expect(duplicate.rowCount).toBe(5);
    expect(duplicate.warnings).toContain(
      '1 timestamp repeats the row before in column "date" (first: 2016-07-01 02:00:00 at rows 4 and 5); rows kept as they are',
    );
    const unsorted = parseCsv(fixture('unsorted.csv'), { onDisorder: 'keep' });
    expect(unsorted.rowCount).toBe(7);
    expect(unsorted.warnings).toContain(
      'timestamps in column "date" go back in time at 1 row (first: row 7, 2016-07-01 03:00:00 after 2016-07-01 05:00:00); rows kept in file order',
    );
  });

  it('timestampColumn: null keeps every column as data', () => {
    const table = parseCsv('date,value\n2021-01-01,1\n', { timestampColumn: null });
    expect(table.timestampColumn).toBeNull();
    expect(table.text).toEqual({ date: ['2021-01-01'] });
    expect(table.warnings).toEqual([]);
  });

  it('a time-named column in an unsupported format is reported in a warning', () => {
    const table = parseCsv('date,value\n01/07/2016,1\n02/07/2016,2\n');
    expect(table.timestampColumn).toBeNull();
    expect(table.warnings).toEqual([
      'column "date" looks like a time column, but "01/07/2016" (row 2) is not a supported timestamp; write ISO 8601 such as 2016-07-01 or 2016-07-01 02:00:00. Rows are taken as consecutive steps',
    ]);
  });

  it('a time-named column of plain numbers stays numeric, with a warning', () => {
    const table = parseCsv('Year,Month,value\n1949,1,112\n1949,2,118\n');
    expect(table.timestampColumn).toBeNull();
    expect(table.numericColumns).toEqual(['Year', 'Month', 'value']);
    expect(table.warnings).toEqual([
      'column "Month" looks like a time column, but "1" (row 2) is not a supported timestamp; write ISO 8601 such as 2016-07-01 or 2016-07-01 02:00:00. Rows are taken as consecutive steps',
    ]);
  });

  it('a runaway cell is cut in the message', () => {
    expect(csvError(`date,value\n2021-01-01,1\n2021-01-02,2\n2021-01-03,${'9'.repeat(100)}x\n`).message).toBe(
      `csv: row 4, column "value": "${'9'.repeat(40)}..." is not a number; use a plain decimal such as 12.5, or leave the cell empty for a missing value`,
    );
  });

  it('an empty numeric column is kept and reported', () => {
    const table = parseCsv('date,value,empty\n2021-01-01,1,\n2021-01-02,2,\n');
    expect(table.numericColumns).toEqual(['value', 'empty']);
    expect(table.warnings).toEqual(['column "empty" is empty; all its values are missing']);
  });

  it('hourly gaps are reported in hours', () => {
    const table = parseCsv('date,value\n2021-01-01 00:00,1\n2021-01-01 01:00,2\n2021-01-01 04:00,3\n2021-01-01 05:00,4\n');
    expect(table.gaps).toEqual([{ afterIndex: 1, fromMs: Date.UTC(2021, 0, 1, 1), toMs: Date.UTC(2021, 0, 1, 4), missingSteps: 2 }]);
    expect(table.warnings).toEqual(['2 hours are missing between 2021-01-01 00:00 and 2021-01-01 05:00 (first: 2021-01-01 02:00)']);
  });
});
