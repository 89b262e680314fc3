import type { Aggregation } from './window-request';
import { quoteIdentifier } from './identifiers';
import type { SqlColumn, TimescaleInfo } from './introspection';
import type { ResolvedRoles } from '@/lib/data/roles';

/**
 * The statements that read a window of a user's table. Identifiers are introspected and quoted;
 * values never appear in the text: they are bound as parameters of one set_config() call and read
 * back inside the statement with current_setting(), because the fast path is COPY, which takes no
 * bind parameters. Pure: text in, text out.
 */

export interface WindowFilters {
  /** One series; or `{ list }`: many series of the table at once (each its own window, see buildWindowStatements). */
  series?: string | { list: readonly string[] };
  start?: Date;
  end?: Date;
  min?: number;
  max?: number;
  excludeNulls: boolean;
}

export interface WindowStatementInput {
  table: string;
  roles: ResolvedRoles<SqlColumn>;
  filters: WindowFilters;
  bucket?: { seconds: number; agg: Aggregation };
  limit: number;
  rowCap: number;
  timescale: TimescaleInfo | null;
}

export interface WindowStatements {
  /** `SELECT set_config(...)` with one bind parameter per value; run it first, in the same transaction. */
  settings: { text: string; params: string[] };
  /** Binary COPY of rows (timestamp, float8...), oldest first. */
  copy: string;
  /** The same rows as a query: (ts_ms float8, c0 float8, ...), for cursors. */
  select: string;
  /** Output column names, in order (targets, then covariates). */
  columns: string[];
}

/** Bucket boundaries start from a Monday, as TimescaleDB's time_bucket does, so weeks agree. */
const BUCKET_ORIGIN = '2000-01-03 00:00:00';

function setting(name: string): string {
  return `current_setting('lookahead.${name}')`;
}

function timestampExpression(column: SqlColumn): string {
  const quoted = `t.${quoteIdentifier(column.name)}`;
  // A date is midnight UTC of that day; binary COPY of a timestamp is 8 bytes, of a date 4.
  return column.dataType === 'date' ? `${quoted}::timestamp` : quoted;
}

function originLiteral(column: SqlColumn): string {
  return column.dataType === 'timestamp with time zone' ? `TIMESTAMPTZ '${BUCKET_ORIGIN}+00'` : `TIMESTAMP '${BUCKET_ORIGIN}'`;
}

export function buildWindowStatements(input: WindowStatementInput): WindowStatements {
  const { roles, filters } = input;
  const settingNames: string[] = [];
  const settingValues: string[] = [];
  const bind = (name: string, value: string) => {
    settingNames.push(name);
    settingValues.push(value);
    return setting(name);
  };

  const time = `t.${quoteIdentifier(roles.time.name)}`;
  const conditions = [`${time} IS NOT NULL`];
  const list = typeof filters.series === 'object' && roles.entity ? filters.series.list : null;
  if (list) {
    // Each series of the list is one LATERAL run of the single-series statement (`s.id`, below).
    conditions.push(`t.${quoteIdentifier(roles.entity!.name)} = CAST(s.id AS ${roles.entity!.castType})`);
  } else if (typeof filters.series === 'string' && roles.entity) {
    conditions.push(`t.${quoteIdentifier(roles.entity.name)} = CAST(${bind('series', filters.series)} AS ${roles.entity.castType})`);
  }
  if (filters.start) conditions.push(`${time} >= ${bind('start', filters.start.toISOString())}::timestamptz`);
  if (filters.end) conditions.push(`${time} <= ${bind('end', filters.end.toISOString())}::timestamptz`);
  const minimum = filters.min === undefined ? null : bind('min', String(filters.min));
  const maximum = filters.max === undefined ? null : bind('max', String(filters.max));
  for (const target of roles.targets) {
    const column = `t.${quoteIdentifier(target.name)}`;
    if (filters.excludeNulls) conditions.push(`${column} IS NOT NULL`);
    if (minimum) conditions.push(`(${column} IS NULL OR ${column} >= ${minimum}::float8)`);
    if (maximum) conditions.push(`(${column} IS NULL OR ${column} <= ${maximum}::float8)`);
  }
  const where = conditions.join(' AND ');
  const limit = `${bind('limit', String(input.limit))}::int8`;
  const cap = `${bind('cap', String(input.rowCap))}::int8`;
  const valueColumns = [...roles.targets, ...roles.covariates];
  const aliases = valueColumns.map((_, index) => `c${index}`);

  const copyTimestamp = (expression: string) => `${expression} AS ts`;
  const selectTimestamp = (expression: string) => `date_part('epoch', ${expression}) * 1000 AS ts_ms`;
  let statement: (timestampOutput: (expression: string) => string) => string;
  /** The window newest first, as (ts, c0, ...): what a list of series aggregates per series. */
  let newestFirst: string;
  if (!input.bucket) {
    const values = valueColumns.map((column, index) => `t.${quoteIdentifier(column.name)}::float8 AS ${aliases[index]}`).join(', ');
    // The newest `limit` rows: find the oldest timestamp among them, then read forwards from it.
    // Rows that share that timestamp are all kept, so a tie can add a few rows beyond `limit`.
    statement = (timestampOutput) => `WITH boundary AS (
  SELECT ${time} AS b FROM ${input.table} AS t WHERE ${where} ORDER BY ${time} DESC OFFSET ${limit} - 1 LIMIT 1
)
SELECT ${timestampOutput(timestampExpression(roles.time))}, ${values}
FROM ${input.table} AS t
WHERE ${where} AND ${time} >= COALESCE((SELECT b FROM boundary), '-infinity')
ORDER BY ${time}
LIMIT ${cap}`;
    // One backward index scan: FETCH ... WITH TIES keeps every row that shares the oldest kept
    // timestamp, as the boundary above does.
    newestFirst = `SELECT n.* FROM (
    SELECT ${timestampExpression(roles.time)} AS ts, ${values}
    FROM ${input.table} AS t WHERE ${where} ORDER BY ${time} DESC FETCH FIRST (${limit}) ROWS WITH TIES
  ) AS n LIMIT ${cap}`;
  } else {
    const width = `make_interval(secs => ${bind('bucket_seconds', String(input.bucket.seconds))}::float8)`;
    const source = timestampExpression(roles.time);
    const bucket = input.timescale
      ? `${input.timescale.schema}.time_bucket(${width}, ${source}, origin => ${originLiteral(roles.time)})`
      : `date_bin(${width}, ${source}, ${originLiteral(roles.time)})`;
    const aggregates = valueColumns
      .map((column, index) => `${aggregate(input.bucket!.agg, `t.${quoteIdentifier(column.name)}`, time, input.timescale)}::float8 AS ${aliases[index]}`)
      .join(', ');
    const newestBuckets = `SELECT ${bucket} AS bucket, ${aggregates}
  FROM ${input.table} AS t WHERE ${where}
  GROUP BY 1 ORDER BY 1 DESC LIMIT ${limit}`;
    const bucketValues = aliases.map((alias) => `q.${alias}`).join(', ');
    newestFirst = `SELECT q.bucket AS ts, ${bucketValues} FROM (${newestBuckets}) AS q`;
    statement = (timestampOutput) => `SELECT ${timestampOutput('q.bucket')}, ${bucketValues} FROM (
  ${newestBuckets}
) AS q
ORDER BY q.bucket`;
  }

  // Many series in one statement: the list (a JSON array, any characters) is a setting like the
  // other values, bound before the settings statement is built.
  const ids = list ? `${bind('series_list', JSON.stringify(list))}::jsonb` : null;
  // Planner settings for this transaction only. A window is short index work, yet a list of series
  // costs enough for JIT to compile it (tens of ms each time); and "the newest N rows of a series"
  // is a backward index scan that stops after N, where the planner, knowing ~N rows match, picks a
  // bitmap heap scan of every row of the series and then sorts them. Measured on a 614,400-row
  // (series, time)-indexed table, 64 series x 512 rows by binary COPY: 236 ms as planned, 102 ms
  // without JIT, 35 ms also without bitmap scans. Bucketed windows keep bitmap scans: they read
  // whole time ranges, which a bitmap scan reads in block order.
  const planner = [`set_config('jit', 'off', true)`, ...(input.bucket ? [] : [`set_config('enable_bitmapscan', 'off', true)`])];
  const settingsText = `SELECT ${[...settingNames.map((name, index) => `set_config('lookahead.${name}', $${index + 1}, true)`), ...planner].join(', ')}`;
  if (ids) {
    // One row per series of the list: (ord, ts[], c0[], ...), numbered from 1 in the list's order,
    // each array the series' window NEWEST FIRST (readers reverse it). A row per point would cost
    // Postgres a COPY message per point and the driver a buffer per message; an array is one
    // message per series. Measured on 64 series x 512 points: 20 ms as rows, 13 ms as arrays.
    const many = `SELECT s.ord::float8 AS ord, w.ts, ${aliases.map((alias) => `w.${alias}`).join(', ')}
FROM jsonb_array_elements_text(${ids}) WITH ORDINALITY AS s(id, ord)
CROSS JOIN LATERAL (
  SELECT array_agg(x.ts) AS ts, ${aliases.map((alias) => `array_agg(x.${alias}) AS ${alias}`).join(', ')}
  FROM (${newestFirst}) AS x
) AS w
ORDER BY s.ord`;
    return {
      settings: { text: settingsText, params: settingValues },
      copy: `COPY (/* lookahead:window-many */ ${many}) TO STDOUT (FORMAT binary)`,
      select: `/* lookahead:window-many */ ${many}`,
      columns: ['ord', ...valueColumns.map((column) => column.name)],
    };
  }
  return {
    settings: { text: settingsText, params: settingValues },
    copy: `COPY (/* lookahead:window */ ${statement(copyTimestamp)}) TO STDOUT (FORMAT binary)`,
    select: `/* lookahead:window */ ${statement(selectTimestamp)}`,
    columns: valueColumns.map((column) => column.name),
  };
}

function aggregate(agg: Aggregation, column: string, time: string, timescale: TimescaleInfo | null): string {
  switch (agg) {
    case 'avg':
    case 'min':
    case 'max':
      return `${agg}(${column})`;
    case 'last':
      // The latest non-missing value of the bucket, as avg/min/max also skip NULLs.
      return timescale
        ? `${timescale.schema}.last(${column}, ${time}) FILTER (WHERE ${column} IS NOT NULL)`
        : `(array_agg(${column} ORDER BY ${time} DESC) FILTER (WHERE ${column} IS NOT NULL))[1]`;
  }
}
