import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { LookaheadError } from '@/lib/core/errors';
import { readSeriesCsv, type SeriesTable, type SeriesTableOptions } from '@/lib/data/series-table';
import { readPeriod } from '@/lib/data/periods';
import { readTimestamp } from '@/lib/data/timestamps';
import { suggestRoles } from '@/lib/data/roles';
import type { SourceColumn } from '@/lib/data/columns';

const fixture = (fileName: string): string => readFileSync(new URL(`../fixtures/multi-series/${fileName}`, import.meta.url), 'utf8');

function failure(text: string, options?: SeriesTableOptions): LookaheadError {
  try {
    readSeriesCsv(text, options);
  } catch (error) {
    expect(error).toBeInstanceOf(LookaheadError);
    expect((error as LookaheadError).subsystem).toBe('csv');
    return error as LookaheadError;
  }
  throw new Error('expected readSeriesCsv to throw');
}

/** The values of one series, by id. */
function seriesValues(table: SeriesTable, id: string, column = table.targets[0]!): { times: number[]; values: number[] } {
  const span = table.series.find((entry) => entry.id === id)!;
  expect(span, `series ${id}`).toBeDefined();
  return {
    times: Array.from(table.timestampsMs.subarray(span.offset, span.offset + span.length)),
    values: Array.from(table.values[column]!.subarray(span.offset, span.offset + span.length)),
  };
}

/** Rows are sorted by series id, then time, and the spans tile the arrays. */
function expectSortedBySeries(table: SeriesTable): void {
  let offset = 0;
  table.series.forEach((span, index) => {
    expect(span.offset).toBe(offset);
    offset += span.length;
    if (index > 0) expect(span.id > table.series[index - 1]!.id).toBe(true);
    const times = table.timestampsMs.subarray(span.offset, span.offset + span.length);
    for (let step = 1; step < times.length; step++) expect(times[step]!).toBeGreaterThan(times[step - 1]!);
  });
  expect(offset).toBe(table.timestampsMs.length);
}

describe('period labels', () => {
  it('quarters in the ways statistics offices write them read as the quarter start', () => {
    for (const text of ['1998 Q1', '1998Q1', '1998-Q1', 'Q1 1998', '1998 q1']) expect(readPeriod(text)).toEqual({ ok: true, ms: Date.UTC(1998, 0, 1), format: 'quarter' });
    expect(readPeriod('2017 Q4')).toEqual({ ok: true, ms: Date.UTC(2017, 9, 1), format: 'quarter' });
    expect(readPeriod('1998 Q5')).toMatchObject({ ok: false, format: 'quarter', reason: expect.stringContaining('Q1 to Q4') });
  });

  it('ISO weeks start on the Monday of the week holding January 4th', () => {
    // 2019-W01 starts Monday 2018-12-31; W05 four weeks later.
    expect(readPeriod('2019-W01')).toEqual({ ok: true, ms: Date.UTC(2018, 11, 31), format: 'iso-week' });
    expect(readPeriod('2019-W05')).toEqual({ ok: true, ms: Date.UTC(2019, 0, 28), format: 'iso-week' });
    expect(readPeriod('2020 W53')).toEqual({ ok: true, ms: Date.UTC(2020, 11, 28), format: 'iso-week' });
    expect(readPeriod('2019-W53')).toMatchObject({ ok: false, format: 'iso-week', reason: '2019 has ISO weeks W01 to W52' });
  });

  it('months as YYYYMmm and tsibble yearmonth', () => {
    for (const text of ['2020M03', '2020-M03', '2020 M03', '2020 Mar', '2020 March']) expect(readPeriod(text)).toEqual({ ok: true, ms: Date.UTC(2020, 2, 1), format: 'month-label' });
    expect(readPeriod('2020M13')).toMatchObject({ ok: false, format: 'month-label' });
  });

  it('readTimestamp reads them after the ISO forms, and leaves text alone', () => {
    expect(readTimestamp('1998 Q3')).toEqual({ ok: true, ms: Date.UTC(1998, 6, 1), format: 'quarter' });
    expect(readTimestamp('2016-07-01')).toEqual({ ok: true, ms: Date.UTC(2016, 6, 1), format: 'date' });
    expect(readTimestamp('Adelaide').ok).toBe(false);
    expect(readTimestamp('Adelaide').format).toBeNull();
    expect(readTimestamp('1998 Q7')).toMatchObject({ ok: false, format: 'quarter' });
  });
});

describe('readSeriesCsv: long format', () => {
  it('three series with one gap: detected key, per-series frequency, the gap named', () => {
    const table = readSeriesCsv(fixture('long-3-series-gap.csv'));
    expect(table.layout).toBe('long');
    expect(table.keyColumns).toEqual(['unique_id']);
    expect(table.idColumn).toBe('unique_id');
    expect(table.targets).toEqual(['y']);
    expect(table.series.map((span) => [span.id, span.length, span.frequency, span.missingSteps])).toEqual([
      ['A', 36, '1M', 0],
      ['B', 35, '1M', 1],
      ['C', 36, '1M', 0],
    ]);
    expect(table.frequency?.label).toBe('1M');
    expect(table.warnings.join(' ')).toContain('"B" misses 1');
    expectSortedBySeries(table);
    const b = seriesValues(table, 'B');
    expect(b.times).not.toContain(Date.UTC(2020, 2, 1));
    expect(b.values[0]).toBe(50);
    expect(table.series[0]!.startMs).toBe(Date.UTC(2019, 0, 1));
    expect(table.series[0]!.endMs).toBe(Date.UTC(2021, 11, 1));
  });

  it('covariates beside the target are split by the roles code', () => {
    const table = readSeriesCsv(fixture('long-covariates.csv'));
    expect(table.keyColumns).toEqual(['item_id']);
    expect(table.timestampColumn).toBe('timestamp');
    expect(table.targets).toEqual(['target']);
    expect(table.covariates).toEqual(['sell_price', 'event_sporting']);
    expect(table.series.map((span) => span.id)).toEqual(['FOODS_1_001', 'HOBBIES_2_010']);
    expect(table.frequency?.label).toBe('1D');
    const hobbies = seriesValues(table, 'HOBBIES_2_010', 'sell_price');
    expect(hobbies.values.slice(0, 8)).toEqual([1, 1, 1, 1, 1, 1, 1, 0.5]);
  });

  it('a composite key of three columns with quarterly period labels', () => {
    const table = readSeriesCsv(fixture('composite-key-quarterly.csv'));
    expect(table.keyColumns).toEqual(['Region', 'State', 'Purpose']);
    expect(table.idColumn).toBe('unique_id');
    expect(table.timestampColumn).toBe('Quarter');
    expect(table.frequency?.label).toBe('1Q');
    expect(table.series.map((span) => span.id)).toEqual([
      'Adelaide / South Australia / Business',
      'Adelaide / South Australia / Holiday',
      'Sydney / New South Wales / Business',
      'Sydney / New South Wales / Holiday',
    ]);
    expect(table.series[2]!.key).toEqual(['Sydney', 'New South Wales', 'Business']);
    expect(table.series.every((span) => span.length === 24)).toBe(true);
    const sydney = seriesValues(table, 'Sydney / New South Wales / Holiday');
    expect(sydney.times[0]).toBe(Date.UTC(1998, 0, 1));
    expect(sydney.times[1]).toBe(Date.UTC(1998, 3, 1));
    expect(sydney.values[0]).toBe(245);
  });

  it('quarterly labels with one key column', () => {
    const table = readSeriesCsv(fixture('quarterly-labels.csv'));
    expect(table.keyColumns).toEqual(['Region']);
    expect(table.series.map((span) => [span.id, span.length])).toEqual([
      ['Melbourne', 20],
      ['Perth', 20],
    ]);
    expect(table.frequency?.label).toBe('1Q');
    expect(table.series[1]!.endMs).toBe(Date.UTC(2002, 9, 1));
  });

  it('a shuffled file is accepted and sorted by series, then time', () => {
    const table = readSeriesCsv(fixture('long-shuffled.csv'));
    expect(table.series.map((span) => [span.id, span.length, span.missingSteps])).toEqual([
      ['A', 36, 0],
      ['B', 36, 0],
      ['C', 36, 0],
    ]);
    expectSortedBySeries(table);
    expect(table.warnings.join(' ')).toContain('rows were not in time order within each series; sorted');
    // Same values as the file's own line for A, 2019-07-01.
    const a = seriesValues(table, 'A');
    expect(a.values[6]).toBe(106);
  });

  it('a duplicated (id, time) pair is refused, naming the series, both rows and the column', () => {
    const error = failure(fixture('long-duplicate-key.csv'));
    expect(error.message).toBe(
      'csv: series "B", duplicate timestamp 2020-05-01 in column "ds" for unique_id="B" at rows 18 and 19; each series may have each timestamp once (the key is "unique_id")',
    );
    expect(error.details).toMatchObject({ row: 19, firstRow: 18, column: 'ds', series: 'B' });
  });

  it('a bad cell names the series, the row and the column', () => {
    const text = 'unique_id,ds,y\nA,2020-01-01,1\nA,2020-02-01,2\nA,2020-03-01,3\nB,2020-01-01,4\nB,2020-02-01,x5\nB,2020-03-01,6\n';
    expect(failure(text).message).toBe('csv: series "B", row 6, column "y": "x5" is not a number; use a plain decimal such as 12.5, or leave the cell empty for a missing value');
  });

  it('a bad timestamp cell names the series, the row and the column', () => {
    const text = 'unique_id,ds,y\nA,2020-01-01,1\nA,2020-02-01,2\nA,2020-03-01,3\nB,2020-01-01,4\nB,2020-02-31,5\nB,2020-03-01,6\n';
    const error = failure(text);
    expect(error.message).toMatch(/^csv: series "B", row 6, column "ds": "2020-02-31" is not a valid /);
    expect(error.details).toMatchObject({ row: 6, column: 'ds', value: '2020-02-31', series: 'B' });
    expect(error.cause).toBeInstanceOf(LookaheadError);
    const missing = failure('unique_id,ds,y\nA,2020-01-01,1\nA,2020-02-01,2\nB,2020-01-01,4\nB,,5\n');
    expect(missing.message).toMatch(/^csv: series "B", row 5, column "ds": the timestamp is missing; every row needs one/);
    const composite = failure('Region,Purpose,Quarter,Trips\nAdelaide,Business,1998 Q1,1\nAdelaide,Business,1998 Q2,2\nAdelaide,Holiday,1998 Q1,3\nAdelaide,Holiday,1998 Q9,4\n');
    expect(composite.message).toMatch(/^csv: series "Adelaide \/ Holiday", row 5, column "Quarter": /);
  });

  it('a bad timestamp in a single series is reported as before, with no series invented from a text column', () => {
    const error = failure('ds,store,y\n2020-01-01,S1,1\n2020-02-01,S1,2\nsoon,S1,3\n2020-04-01,S1,4\n');
    expect(error.message).toBe('csv: row 4, column "ds": "soon" is not a timestamp; use YYYY-MM-DD like row 2');
    expect(error.details).not.toHaveProperty('series');
  });

  it('series that follow one another in time under an id-named column are read as separate series', () => {
    const text = 'unique_id,ds,y\nA,2020-01-01,1\nA,2020-02-01,2\nA,2020-03-01,3\nB,2020-04-01,10\nB,2020-05-01,11\nB,2020-06-01,12\n';
    const table = readSeriesCsv(text);
    expect(table.layout).toBe('long');
    expect(table.keyColumns).toEqual(['unique_id']);
    expect(table.series.map((span) => [span.id, span.length])).toEqual([
      ['A', 3],
      ['B', 3],
    ]);
    expect(seriesValues(table, 'B').values).toEqual([10, 11, 12]);
    expect(table.frequency?.label).toBe('1M');
  });

  it('increasing time stays one series when the runs are not a clean split', () => {
    // A value that comes back after its run (a regime label), a one-row run, or a column not named
    // like an id: one series, the column kept as text.
    const back = readSeriesCsv('series,ds,y\nA,2020-01-01,1\nA,2020-02-01,2\nB,2020-03-01,3\nB,2020-04-01,4\nA,2020-05-01,5\nA,2020-06-01,6\n');
    expect(back.layout).toBe('single');
    expect(back.text.series).toEqual(['A', 'A', 'B', 'B', 'A', 'A']);
    expect(readSeriesCsv('unique_id,ds,y\nA,2020-01-01,1\nA,2020-02-01,2\nB,2020-03-01,3\n').layout).toBe('single');
    expect(readSeriesCsv('phase,ds,y\nbefore,2020-01-01,1\nbefore,2020-02-01,2\nafter,2020-03-01,3\nafter,2020-04-01,4\n').layout).toBe('single');
  });

  it('mixed frequencies across series are refused, naming them', () => {
    const text = 'id,ds,y\nA,2020-01-01,1\nA,2020-02-01,2\nA,2020-03-01,3\nB,2020-01-01,4\nB,2020-01-02,5\nB,2020-01-03,6\n';
    const error = failure(text);
    expect(error.message).toContain('series have mixed frequencies ("A" 1M, "B" 1D)');
    expect(error.details).toMatchObject({ limit: 'frequency' });
  });

  it('caps on series and points are refused with too_large, naming the limit', () => {
    const text = fixture('long-3-series-gap.csv');
    const series = failure(text, { limits: { maxSeries: 2 } });
    expect(series.code).toBe('too_large');
    expect(series.message).toContain('the file holds 3 series; the limit is 2 series per file');
    const points = failure(text, { limits: { maxPoints: 100 } });
    expect(points.code).toBe('too_large');
    expect(points.message).toContain('the file holds 107 points; the limit is 100 points per file');
  });

  it('a single series stays single, and unsorted rows are sorted', () => {
    const table = readSeriesCsv('date,value\n2020-01-03,3\n2020-01-01,1\n2020-01-02,2\n');
    expect(table.layout).toBe('single');
    expect(table.keyColumns).toEqual([]);
    expect(table.series).toHaveLength(1);
    expect(Array.from(table.values.value!)).toEqual([1, 2, 3]);
    expect(table.frequency?.label).toBe('1D');
  });

  it('period label columns give times at the period start and their frequency: YYYYMmm months, ISO weeks, quarters', () => {
    const months = readSeriesCsv('series_id,period,value\nA,2020M01,1\nA,2020M02,2\nA,2020M03,3\nB,2020M01,4\nB,2020M02,5\nB,2020M03,6\n');
    expect([months.layout, months.keyColumns, months.frequency?.label]).toEqual(['long', ['series_id'], '1M']);
    expect(Array.from(months.timestampsMs.subarray(0, 3))).toEqual([Date.UTC(2020, 0, 1), Date.UTC(2020, 1, 1), Date.UTC(2020, 2, 1)]);
    const weeks = readSeriesCsv('store,week,sales\nS1,2019-W52,1\nS1,2020-W01,2\nS1,2020-W02,3\nS2,2019-W52,4\nS2,2020-W01,5\nS2,2020-W02,6\n');
    expect([weeks.keyColumns, weeks.frequency?.label]).toEqual([['store'], '1W']);
    // 2020-W01 starts Monday 2019-12-30, across the year end.
    expect(Array.from(weeks.timestampsMs.subarray(0, 3))).toEqual([Date.UTC(2019, 11, 23), Date.UTC(2019, 11, 30), Date.UTC(2020, 0, 6)]);
    const quarters = readSeriesCsv('Quarter,Region,Trips\n1998 Q3,X,1\n1998 Q4,X,2\n1999 Q1,X,3\n1998 Q3,Y,4\n1998 Q4,Y,5\n1999 Q1,Y,6\n');
    expect([quarters.frequency?.label, quarters.timestampsMs[2]]).toEqual(['1Q', Date.UTC(1999, 0, 1)]);
  });

  it('targets and covariates are split as the SQL role mapping splits the same columns', () => {
    const table = readSeriesCsv(fixture('long-covariates.csv'));
    // The columns of the same table in Postgres: text id, timestamptz, double precision values.
    const columns: SourceColumn[] = [
      { name: 'item_id', type: 'text', kind: 'text', nullable: false },
      { name: 'timestamp', type: 'timestamp with time zone', kind: 'timestamp', nullable: false },
      ...[...table.targets, ...table.covariates].map((name): SourceColumn => ({ name, type: 'double precision', kind: 'number', nullable: true })),
    ];
    const sql = suggestRoles(columns);
    expect({ targets: table.targets, covariates: table.covariates }).toEqual({ targets: sql.targets, covariates: sql.covariates });
    expect(sql.entity).toBe(table.keyColumns[0]);
  });

  it('a numeric id column is a key', () => {
    const table = readSeriesCsv('store_id,date,sales\n1,2020-01-01,5\n2,2020-01-01,6\n1,2020-01-02,7\n2,2020-01-02,8\n');
    expect(table.keyColumns).toEqual(['store_id']);
    expect(table.targets).toEqual(['sales']);
    expect(seriesValues(table, '2').values).toEqual([6, 8]);
  });
});

describe('readSeriesCsv: wide format', () => {
  it('V1..Vn with integer steps: one series per row, ragged ends trimmed', () => {
    const table = readSeriesCsv(fixture('wide.csv'));
    expect(table.layout).toBe('wide');
    expect(table.timeAxis).toBe('steps');
    expect(table.keyColumns).toEqual(['V1']);
    expect(table.series.map((span) => [span.id, span.length])).toEqual([
      ['Y1', 14],
      ['Y2', 11],
      ['Y3', 13],
    ]);
    const y2 = seriesValues(table, 'Y2');
    expect(y2.values.slice(0, 3)).toEqual([2070, 2104, 2394]);
    expect(y2.times.slice(0, 2)).toEqual([0, 86_400_000]);
    expect(table.warnings.join(' ')).toContain('steps are numbered as days from 1970-01-01');
  });

  it('with a user-given frequency and start', () => {
    const table = readSeriesCsv(fixture('wide.csv'), { wide: { frequency: '1Y', start: '2000-01-01' } });
    expect(table.timeAxis).toBe('given');
    expect(table.frequency?.label).toBe('1Y');
    const y3 = seriesValues(table, 'Y3');
    expect(y3.times[0]).toBe(Date.UTC(2000, 0, 1));
    expect(y3.times[12]).toBe(Date.UTC(2012, 0, 1));
    expect(failure(fixture('wide.csv'), { wide: { frequency: 'fortnightly', start: '2000-01-01' } }).message).toContain('frequency "fortnightly" is not one');
  });

  it('a file with neither timestamps nor a wide layout says which layouts are accepted', () => {
    expect(failure('a,b\n1,2\n3,4\n').message).toContain('lay the file out wide (an id column, then values in columns V1..Vn)');
  });
});

describe("the README's CSV examples", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## CSV files'), readme.indexOf('## Your own data'));
  const examples = [...section.matchAll(/```csv\n([\s\S]*?)```/g)].map((match) => match[1]!);

  it('shows five layouts, three lines each', () => {
    expect(examples).toHaveLength(5);
    for (const example of examples) expect(example.trim().split('\n')).toHaveLength(3);
  });

  it('every example reads', () => {
    const [single, long, composite, periods, wide] = examples.map((example) => readSeriesCsv(example));
    expect([single!.layout, single!.series.length]).toEqual(['single', 1]);
    expect([long!.layout, long!.keyColumns, long!.targets, long!.covariates]).toEqual(['long', ['unique_id'], ['y'], ['sell_price']]);
    expect(composite!.keyColumns).toEqual(['Region', 'State', 'Purpose']);
    expect(composite!.series.map((span) => span.id)).toEqual(['Adelaide / South Australia / Business', 'Adelaide / South Australia / Holiday']);
    expect([periods!.timestampsMs[0], periods!.frequency?.label]).toEqual([Date.UTC(2019, 0, 28), '1W']);
    expect([wide!.layout, wide!.series.map((span) => span.length)]).toEqual(['wide', [3, 2]]);
  });
});
