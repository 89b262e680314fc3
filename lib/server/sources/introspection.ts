import 'server-only';
import { LookaheadError } from '@/lib/core/errors';
import type { ReadSession } from '@/db';
import { excerpt, type ColumnKind, type SourceColumn } from '@/lib/data/columns';
import { qualifiedName, quoteIdentifier, tableKey } from './identifiers';

/**
 * What a SQL source offers, read from information_schema: the tables the configured role can see
 * in the allowed schemas, their columns, and whether TimescaleDB is installed. These lists are the
 * allow-list every identifier in a statement is checked against.
 */

export interface TableInfo {
  schema: string;
  name: string;
  /** "schema.name": how the browser names the table (the `table` parameter). */
  key: string;
  kind: 'table' | 'view';
  hypertable: boolean;
}

export interface SqlColumn extends SourceColumn {
  /** The type for casting a parameter to this column (udt_schema.udt_name, quoted). */
  castType: string;
  dataType: string;
}

export interface TableDescription extends TableInfo {
  /** Quoted schema.name, ready for a statement. */
  qualified: string;
  columns: SqlColumn[];
}

export interface TimescaleInfo {
  version: string;
  /** Schema the extension's functions live in (quoted). */
  schema: string;
}

/**
 * The allow-list of one source: the tables `npm run ingest` loaded into it (its
 * lookahead_ingested_files), every table of the configured `schemas`, and the configured
 * `tables`. Nothing else is offered: an unconfigured source is never the whole database.
 */
export interface TableScope {
  /** Schemas the source may read in full (configured). */
  schemas: readonly string[];
  /** Single tables the source may read, as "schema.name" (configured). */
  tables: readonly string[];
  /** Tables never offered (the app's own bookkeeping), as "schema.name". */
  hidden: ReadonlySet<string>;
}

/** Tables `npm run ingest` has loaded files into (none when the database was never ingested into). */
async function ingestedTables(session: ReadSession): Promise<string[]> {
  const present = await session.query<{ present: boolean }>(`SELECT to_regclass('public.lookahead_ingested_files') IS NOT NULL AS present`);
  if (!present[0]?.present) return [];
  const rows = await session.query<{ key: string }>(`SELECT DISTINCT target_table AS key FROM public.lookahead_ingested_files WHERE status = 'loaded'`);
  return rows.map((row) => row.key);
}

/** Schemas no source offers: Postgres's own, TimescaleDB's internals, drizzle's migration log, the monitoring partitions, the job queue (pg-boss). */
const SYSTEM_SCHEMA_FILTER = `table_schema NOT IN ('pg_catalog', 'information_schema', 'drizzle', 'timescaledb_information', 'timescaledb_experimental', 'lookahead_partitions', 'pgboss')
  AND table_schema NOT LIKE 'pg\\_%' AND table_schema NOT LIKE '\\_timescaledb%'`;

const TIMESTAMP_TYPES = new Set(['timestamp with time zone', 'timestamp without time zone', 'date']);
const NUMBER_TYPES = new Set(['smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric']);
const TEXT_TYPES = new Set(['text', 'character varying', 'character', 'uuid']);

function columnKind(dataType: string): ColumnKind {
  if (TIMESTAMP_TYPES.has(dataType)) return 'timestamp';
  if (NUMBER_TYPES.has(dataType)) return 'number';
  if (TEXT_TYPES.has(dataType)) return 'text';
  return 'other';
}

export async function detectTimescale(session: ReadSession): Promise<TimescaleInfo | null> {
  const rows = await session.query<{ version: string; schema: string }>(
    `SELECT e.extversion AS version, n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb'`,
  );
  const row = rows[0];
  return row ? { version: row.version, schema: quoteIdentifier(row.schema) } : null;
}

async function hypertableKeys(session: ReadSession, timescale: TimescaleInfo | null): Promise<Set<string>> {
  if (!timescale) return new Set();
  const rows = await session.query<{ schema: string; name: string }>(
    'SELECT hypertable_schema AS schema, hypertable_name AS name FROM timescaledb_information.hypertables',
  );
  return new Set(rows.map((row) => tableKey(row.schema, row.name)));
}

export async function listTables(session: ReadSession, scope: TableScope, timescale: TimescaleInfo | null): Promise<TableInfo[]> {
  const allowedTables = [...scope.tables, ...(await ingestedTables(session))];
  if (scope.schemas.length === 0 && allowedTables.length === 0) return [];
  const rows = await session.query<{ schema: string; name: string; type: string }>(
    `SELECT table_schema AS schema, table_name AS name, table_type AS type FROM information_schema.tables
      WHERE ${SYSTEM_SCHEMA_FILTER} AND (table_schema = ANY($1::text[]) OR table_schema || '.' || table_name = ANY($2::text[]))
        AND table_type IN ('BASE TABLE', 'VIEW', 'FOREIGN')
      ORDER BY table_schema, table_name`,
    [scope.schemas, allowedTables],
  );
  const hypertables = await hypertableKeys(session, timescale);
  return rows
    .map((row) => ({
      schema: row.schema,
      name: row.name,
      key: tableKey(row.schema, row.name),
      kind: row.type === 'VIEW' ? ('view' as const) : ('table' as const),
      hypertable: hypertables.has(tableKey(row.schema, row.name)),
    }))
    .filter((table) => !scope.hidden.has(table.key));
}

/**
 * The table named by `requested`: "schema.name" exactly as listed, or a bare name that is unique
 * across the allowed schemas. Anything else is bad input naming what would be valid.
 */
export function findTable(tables: TableInfo[], requested: string, sourceId: string): TableInfo {
  const exact = tables.find((table) => table.key === requested);
  if (exact) return exact;
  const byName = tables.filter((table) => table.name === requested);
  if (byName.length === 1) return byName[0]!;
  const listing = tables.length
    ? `tables: ${tables
        .slice(0, 20)
        .map((table) => table.key)
        .join(', ')}${tables.length > 20 ? `, ... (${tables.length} in all)` : ''}`
    : `it offers no tables (a source offers the tables ingested into it and those of its configured "schemas" and "tables"; LOOKAHEAD_APP_SCHEMAS and LOOKAHEAD_APP_TABLES for "app")`;
  if (byName.length > 1) {
    throw new LookaheadError('sources', 'bad_input', `table "${excerpt(requested)}" is in several schemas of source "${sourceId}"; name it as schema.table (${byName.map((table) => table.key).join(', ')})`);
  }
  throw new LookaheadError('sources', 'bad_input', `table "${excerpt(requested)}" is not in source "${sourceId}"; ${listing}`, {
    details: { table: excerpt(requested) },
  });
}

export async function describeTable(session: ReadSession, table: TableInfo): Promise<TableDescription> {
  const rows = await session.query<{ name: string; data_type: string; udt_schema: string; udt_name: string; is_nullable: string }>(
    `SELECT column_name AS name, data_type, udt_schema, udt_name, is_nullable FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [table.schema, table.name],
  );
  return {
    ...table,
    qualified: qualifiedName(table.schema, table.name),
    columns: rows.map((row) => ({
      name: row.name,
      type: row.data_type,
      dataType: row.data_type,
      kind: columnKind(row.data_type),
      nullable: row.is_nullable === 'YES',
      castType: qualifiedName(row.udt_schema, row.udt_name),
    })),
  };
}
