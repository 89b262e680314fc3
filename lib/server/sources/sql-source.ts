import 'server-only';
import { LookaheadError } from '@/lib/core/errors';
import type { WindowBatch } from '@/lib/data/arrow-window';
import type { ReadSession, SqlConnection } from '@/db';
import { excerpt } from '@/lib/data/columns';
import { quoteIdentifier } from './identifiers';
import type { DataPlaneConfig } from './config';
import { fromDatabaseError } from './database-errors';
import { describeTable, detectTimescale, findTable, listTables, type SqlColumn, type TableDescription, type TableInfo, type TableScope, type TimescaleInfo } from './introspection';
import { entityCandidates, resolveRoles, suggestRoles, type RoleMapping, type ResolvedRoles } from '@/lib/data/roles';
import { buildWindowStatements, type WindowFilters } from './sql-window';
import type { WindowRequest } from './window-request';
import type { WindowReader } from './window-reader';

/** A Postgres database (the app's or one from LOOKAHEAD_SOURCES) as a source of tables. */
export interface SqlSource {
  kind: 'sql';
  id: string;
  name: string;
  connection: SqlConnection;
  scope: TableScope;
}

/** Rows per batch read from the database (and per Arrow record batch). */
export const SQL_BATCH_ROWS = 65_536;
/** Entities listed by /series at most. */
export const MAX_LISTED_SERIES = 10_000;

/**
 * How windows are read from Postgres: binary COPY (fast: no per-row parsing in JavaScript) or a
 * postgres.js cursor (LOOKAHEAD_SQL_READER=cursor). PGlite always uses a SQL cursor.
 */
export type SqlReaderKind = 'copy' | 'cursor';

function readerKind(): SqlReaderKind {
  return process.env.LOOKAHEAD_SQL_READER === 'cursor' ? 'cursor' : 'copy';
}

async function withSession<T>(source: SqlSource, config: DataPlaneConfig, work: (session: ReadSession) => Promise<T>): Promise<T> {
  const session = await source.connection.openReadSession({ statementTimeoutMs: config.statementTimeoutMs, idleTimeoutMs: config.idleTimeoutMs });
  try {
    return await work(session);
  } catch (error) {
    throw fromDatabaseError(error, { sourceId: source.id, statementTimeoutMs: config.statementTimeoutMs });
  } finally {
    await session.close();
  }
}

function requireTableParameter(source: SqlSource, request: { table?: string }): string {
  if (!request.table) {
    throw new LookaheadError('sources', 'bad_input', `source "${source.id}" holds tables: name one with table=<schema.table> (GET /api/sources/${source.id}/tables lists them)`);
  }
  return request.table;
}

async function resolveTable(session: ReadSession, source: SqlSource, requested: string, timescale: TimescaleInfo | null): Promise<TableDescription> {
  const tables = await listTables(session, source.scope, timescale);
  return describeTable(session, findTable(tables, requested, source.id));
}

export async function listSqlTables(source: SqlSource, config: DataPlaneConfig): Promise<{ tables: TableInfo[]; timescale: TimescaleInfo | null }> {
  return withSession(source, config, async (session) => {
    const timescale = await detectTimescale(session);
    return { tables: await listTables(session, source.scope, timescale), timescale };
  });
}

export interface TableColumnsResult {
  table: TableInfo;
  columns: { name: string; type: string; kind: SqlColumn['kind']; nullable: boolean }[];
  suggested: RoleMapping;
  downsampling: 'time_bucket' | 'date_bin';
}

export async function describeSqlTable(source: SqlSource, request: { table?: string }, config: DataPlaneConfig): Promise<TableColumnsResult> {
  const requested = requireTableParameter(source, request);
  return withSession(source, config, async (session) => {
    const timescale = await detectTimescale(session);
    const table = await resolveTable(session, source, requested, timescale);
    return {
      table: { schema: table.schema, name: table.name, key: table.key, kind: table.kind, hypertable: table.hypertable },
      columns: table.columns.map(({ name, type, kind, nullable }) => ({ name, type, kind, nullable })),
      suggested: suggestRoles(table.columns),
      downsampling: timescale ? 'time_bucket' : 'date_bin',
    };
  });
}

export interface SeriesEntry {
  id: string;
  rowCount: number;
  start: string | null;
  end: string | null;
}

/** `maxSeries` (default MAX_LISTED_SERIES, for the UI's list) caps the listing; a job lists up to its own per-job limit. */
export async function listSqlSeries(source: SqlSource, request: WindowRequest, config: DataPlaneConfig, maxSeries: number = MAX_LISTED_SERIES): Promise<{ series: SeriesEntry[]; truncated: boolean }> {
  const requested = requireTableParameter(source, request);
  return withSession(source, config, async (session) => {
    const table = await resolveTable(session, source, requested, await detectTimescale(session));
    const roles = resolveRoles(table.columns, { time: request.time, targets: request.columns, entity: request.entity }, `table "${table.key}"`);
    const candidates = entityCandidates(table.columns);
    if (roles.entity && !candidates.includes(roles.entity.name)) {
      throw new LookaheadError('sources', 'bad_input', `column "${roles.entity.name}" of table "${table.key}" does not look like a series id, so its values are not listed; entity candidates: ${candidates.join(', ') || 'none'}`);
    }
    const time = `t.${quoteIdentifier(roles.time.name)}`;
    const entity = roles.entity ? `t.${quoteIdentifier(roles.entity.name)}` : null;
    const conditions = [`${time} IS NOT NULL`, `($1::timestamptz IS NULL OR ${time} >= $1::timestamptz)`, `($2::timestamptz IS NULL OR ${time} <= $2::timestamptz)`];
    if (entity) conditions.push(`($3::text[] IS NULL OR ${entity}::text = ANY($3::text[]))`);
    const rows = await session.query<{ id: string | null; row_count: string | number; start_ms: number | null; end_ms: number | null }>(
      `/* lookahead:series */ SELECT ${entity ? `${entity}::text` : "''"} AS id, count(*) AS row_count,
         date_part('epoch', min(${time})) * 1000 AS start_ms, date_part('epoch', max(${time})) * 1000 AS end_ms
       FROM ${table.qualified} AS t WHERE ${conditions.join(' AND ')}
       ${entity ? `GROUP BY ${entity} ORDER BY 1` : ''} LIMIT ${Math.floor(maxSeries) + 1}`,
      [request.start ?? null, request.end ?? null, ...(entity ? [request.ids ?? null] : [])],
    );
    const iso = (ms: number | null) => (ms === null ? null : new Date(Math.round(Number(ms))).toISOString());
    const series = rows
      .filter((row) => Number(row.row_count) > 0)
      .slice(0, maxSeries)
      .map((row) => ({ id: row.id ?? '', rowCount: Number(row.row_count), start: iso(row.start_ms), end: iso(row.end_ms) }));
    return { series, truncated: rows.length > maxSeries };
  });
}

async function checkSeries(session: ReadSession, source: SqlSource, table: TableDescription, roles: ResolvedRoles<SqlColumn>, series: string | undefined): Promise<void> {
  if (!roles.entity) {
    if (series !== undefined && series !== '') {
      throw new LookaheadError('sources', 'bad_input', `series "${excerpt(series)}" needs an entity column; map one with entity=<column> (table "${table.key}")`);
    }
    return;
  }
  if (series === undefined) {
    throw new LookaheadError(
      'sources',
      'bad_input',
      `table "${table.key}" holds one series per "${roles.entity.name}": name one with series=<id> (GET /api/sources/${source.id}/series?table=${encodeURIComponent(table.key)}&entity=${encodeURIComponent(roles.entity.name)} lists them)`,
    );
  }
  const found = await session.query(`SELECT 1 AS found FROM ${table.qualified} AS t WHERE t.${quoteIdentifier(roles.entity.name)} = CAST($1 AS ${roles.entity.castType}) LIMIT 1`, [series]);
  if (found.length === 0) {
    throw new LookaheadError('sources', 'bad_input', `series "${excerpt(series)}" is not in column "${roles.entity.name}" of table "${table.key}"; GET /api/sources/${source.id}/series lists the series`, {
      details: { series: excerpt(series) },
    });
  }
}

interface WindowTable {
  table: TableDescription;
  roles: ResolvedRoles<SqlColumn>;
  timescale: TimescaleInfo | null;
}

async function resolveWindowTable(session: ReadSession, source: SqlSource, requested: string, request: WindowRequest): Promise<WindowTable> {
  const timescale = await detectTimescale(session);
  const table = await resolveTable(session, source, requested, timescale);
  const roles = resolveRoles(
    table.columns,
    { time: request.time, targets: request.columns, entity: request.entity, covariates: request.covariates },
    `table "${table.key}"`,
  );
  return { table, roles, timescale };
}

/** The window statements of `request` on a resolved table: one series (or none), or `{ list }` of many. */
function windowStatementsFor({ table, roles, timescale }: WindowTable, request: WindowRequest, series: WindowFilters['series'], limit: number, config: DataPlaneConfig) {
  return buildWindowStatements({
    table: table.qualified,
    roles,
    filters: { series, start: request.start, end: request.end, min: request.min, max: request.max, excludeNulls: request.excludeNulls },
    bucket: request.bucket ? { seconds: bucketSeconds(request.bucket), agg: request.agg ?? 'avg' } : undefined,
    limit,
    rowCap: config.rowCap,
    timescale,
  });
}

/** Checks the series and starts reading on `session`; `onClose` runs when the reader is closed, `onError` when a read fails. */
async function startSqlWindow(
  session: ReadSession,
  source: SqlSource,
  { table, roles, timescale }: WindowTable,
  request: WindowRequest,
  config: DataPlaneConfig,
  kind: SqlReaderKind,
  { onClose, onError, checkWhenEmpty = false }: { onClose(): Promise<void>; onError(error: unknown): unknown; checkWhenEmpty?: boolean },
): Promise<WindowReader> {
  // checkWhenEmpty: only a window without rows asks whether the series exists (one query less per series when reading many).
  if (!checkWhenEmpty) await checkSeries(session, source, table, roles, request.series);
  const statements = windowStatementsFor({ table, roles, timescale }, request, roles.entity ? request.series : undefined, request.limit, config);
  await session.query(statements.settings.text, statements.settings.params);
  const rows = kind === 'copy' && session.copyOutBinary ? copyRows(session, statements.copy, statements.columns.length) : cursorRows(session, statements.select, statements.columns.length);
  let closed = false;
  let sawRows = false;
  return {
    columns: statements.columns,
    frequencyLabel: request.bucket?.label ?? null,
    async next() {
      try {
        const batch = await rows.next();
        if (!batch) {
          if (checkWhenEmpty && !sawRows) await checkSeries(session, source, table, roles, request.series);
          sawRows = true;
          return null;
        }
        sawRows = true;
        return { timestampsMs: batch.timestampsMs, columns: Object.fromEntries(statements.columns.map((name, index) => [name, batch.columns[index]!])) } satisfies WindowBatch;
      } catch (error) {
        throw onError(error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await rows.close().catch(() => undefined);
      await onClose();
    },
  };
}

/**
 * Opens a window of a table: resolves the table and roles against introspection, checks the
 * series, and starts reading. The read-only session stays open until the reader is closed.
 */
export async function openSqlWindow(source: SqlSource, request: WindowRequest, config: DataPlaneConfig, kind: SqlReaderKind = readerKind()): Promise<WindowReader> {
  const requested = requireTableParameter(source, request);
  const session = await source.connection.openReadSession({ statementTimeoutMs: config.statementTimeoutMs, idleTimeoutMs: config.idleTimeoutMs });
  const mapError = (error: unknown) => fromDatabaseError(error, { sourceId: source.id, statementTimeoutMs: config.statementTimeoutMs });
  try {
    const resolved = await resolveWindowTable(session, source, requested, request);
    return await startSqlWindow(session, source, resolved, request, config, kind, { onClose: () => session.close(), onError: mapError });
  } catch (error) {
    await session.close();
    throw mapError(error);
  }
}

/** Windows of one series after another of the same table (`open` closes the previous reader). */
export interface SeriesWindows {
  open(series: string, limit: number): Promise<WindowReader>;
  /**
   * Where the source can (a SQL table with a series id column, binary COPY): the windows of many
   * series in one statement, in the order asked; a series without rows answers null (`open` it
   * to learn why). Value columns as `open`'s reader names them.
   */
  readMany?(series: readonly string[], limit: number): Promise<{ columns: string[]; windows: (WindowBatch | null)[] }>;
  close(): Promise<void>;
}

/**
 * Windows of many series of one table through one read-only session, the table and roles
 * resolved once (a job reads thousands of series: introspection per series would cost more than
 * the reads). After a failed read the session is dropped and the next series opens a fresh one.
 */
export async function openSqlSeriesWindows(source: SqlSource, request: WindowRequest, config: DataPlaneConfig, kind: SqlReaderKind = readerKind()): Promise<SeriesWindows> {
  const requested = requireTableParameter(source, request);
  const mapError = (error: unknown) => fromDatabaseError(error, { sourceId: source.id, statementTimeoutMs: config.statementTimeoutMs });
  let state: { session: ReadSession; resolved: WindowTable } | null = null;
  let current: WindowReader | null = null;
  const drop = () => {
    const stale = state;
    state = null;
    return stale?.session.close().catch(() => undefined);
  };
  const connect = async () => {
    const session = await source.connection.openReadSession({ statementTimeoutMs: config.statementTimeoutMs, idleTimeoutMs: config.idleTimeoutMs });
    try {
      return { session, resolved: await resolveWindowTable(session, source, requested, request) };
    } catch (error) {
      await session.close();
      throw mapError(error);
    }
  };
  state = await connect();
  return {
    async open(series, limit) {
      await current?.close();
      current = null;
      state ??= await connect();
      const { session, resolved } = state;
      try {
        current = await startSqlWindow(session, source, resolved, { ...request, series, limit }, config, kind, {
          checkWhenEmpty: true,
          onClose: async () => undefined,
          onError: (error) => {
            // A series that is not in the table leaves the transaction usable; a database error may not.
            if (!(error instanceof LookaheadError)) void drop();
            return mapError(error);
          },
        });
        return current;
      } catch (error) {
        // A series that is not in the table leaves the transaction usable; anything else may not.
        if (!(error instanceof LookaheadError)) void drop();
        throw mapError(error);
      }
    },
    ...(kind === 'copy' && state.session.copyOutBinarySeries && state.resolved.roles.entity
      ? {
          async readMany(series: readonly string[], limit: number) {
            await current?.close();
            current = null;
            state ??= await connect();
            const { session, resolved } = state;
            const statements = windowStatementsFor(resolved, request, { list: series }, limit, config);
            const names = statements.columns.slice(1);
            const windows: (WindowBatch | null)[] = new Array(series.length).fill(null);
            try {
              await session.query(statements.settings.text, statements.settings.params);
              const rows = session.copyOutBinarySeries!(statements.copy, { valueColumns: names.length });
              try {
                for (let row = await rows.next(); row; row = await rows.next()) {
                  const index = row.ord - 1;
                  if (!Number.isInteger(index) || index < 0 || index >= series.length) throw new Error(`copy: series number ${row.ord} is outside the list of ${series.length}`);
                  // A series without rows (a NULL array) stays null: `open` it to learn why.
                  if (row.timestampsMs && row.timestampsMs.length > 0) {
                    const ordered = oldestFirst(row.timestampsMs, row.columns);
                    windows[index] = { timestampsMs: ordered.timestampsMs, columns: Object.fromEntries(names.map((name, column) => [name, ordered.columns[column]!])) };
                  }
                }
              } finally {
                await rows.close().catch(() => undefined);
              }
            } catch (error) {
              if (!(error instanceof LookaheadError)) void drop();
              throw mapError(error);
            }
            return { columns: names, windows };
          },
        }
      : {}),
    async close() {
      await current?.close();
      current = null;
      await drop();
    },
  };
}

/**
 * A series' window oldest first. The list statement hands each window newest first, so it is
 * reversed in place; should a window come in any other order, it is sorted by time (stable: rows
 * sharing a timestamp keep their order).
 */
export function oldestFirst(timestampsMs: Float64Array, columns: Float64Array[]): { timestampsMs: Float64Array; columns: Float64Array[] } {
  let descending = true;
  let ascending = true;
  for (let index = 1; index < timestampsMs.length && (descending || ascending); index++) {
    if (timestampsMs[index]! > timestampsMs[index - 1]!) descending = false;
    if (timestampsMs[index]! < timestampsMs[index - 1]!) ascending = false;
  }
  if (ascending) return { timestampsMs, columns };
  if (descending) return { timestampsMs: timestampsMs.reverse(), columns: columns.map((column) => column.reverse()) };
  const order = Array.from(timestampsMs.keys()).sort((a, b) => timestampsMs[a]! - timestampsMs[b]! || a - b);
  return { timestampsMs: Float64Array.from(order, (at) => timestampsMs[at]!), columns: columns.map((column) => Float64Array.from(order, (at) => column[at]!)) };
}

function bucketSeconds(frequency: NonNullable<WindowRequest['bucket']>): number {
  const seconds = { second: 1, minute: 60, hour: 3_600, day: 86_400, week: 604_800 } as Record<string, number>;
  return frequency.step * seconds[frequency.unit]!;
}

interface ColumnBatch {
  timestampsMs: Float64Array;
  columns: Float64Array[];
}

interface RowSource {
  next(): Promise<ColumnBatch | null>;
  close(): Promise<void>;
}

function copyRows(session: ReadSession, copyStatement: string, valueColumns: number): RowSource {
  return session.copyOutBinary!(copyStatement, { valueColumns, batchRows: SQL_BATCH_ROWS });
}

function cursorRows(session: ReadSession, select: string, valueColumns: number): RowSource {
  const cursor = session.cursor<Record<string, number | string | null>>(select, [], SQL_BATCH_ROWS);
  const names = Array.from({ length: valueColumns }, (_, index) => `c${index}`);
  return {
    async next() {
      const rows = await cursor.next();
      if (!rows || rows.length === 0) return null;
      const timestampsMs = new Float64Array(rows.length);
      const columns = names.map(() => new Float64Array(rows.length));
      for (let index = 0; index < rows.length; index++) {
        const row = rows[index]!;
        timestampsMs[index] = Math.round(Number(row.ts_ms) * 1000) / 1000;
        for (let column = 0; column < valueColumns; column++) {
          const value = row[names[column]!];
          columns[column]![index] = value === null || value === undefined ? Number.NaN : Number(value);
        }
      }
      return { timestampsMs, columns };
    },
    close: () => cursor.close(),
  };
}
