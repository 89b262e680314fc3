import 'server-only';
import type { WriteSession } from '@/db';
import { qualifiedName, quoteIdentifier } from '@/lib/server/sources/identifiers';
import { IngestConfigurationError, IngestSchemaError } from './errors';
import type { IngestColumn, IngestType } from './file-reader';

/**
 * The table rows are loaded into: created from the first file's columns (with an index on
 * entity and time, and as a hypertable when TimescaleDB is installed), or checked against each
 * file when it exists, so a file with other columns fails before any row is written.
 */
export interface TargetTable {
  schema: string;
  name: string;
  /** "schema.name", the key in the ingested-files table. */
  key: string;
  qualified: string;
}

const NAME_PART = /^[a-z_][a-z0-9_]{0,62}$/;

export function parseTableName(value: string): TargetTable {
  const parts = value.split('.');
  const [schema, name] = parts.length === 1 ? ['public', parts[0]!] : parts;
  if (parts.length > 2 || !schema || !name || !NAME_PART.test(schema) || !NAME_PART.test(name)) {
    throw new IngestConfigurationError(`--table "${value.slice(0, 80)}" is not a table name; use lower-case letters, digits and _ (at most 63), optionally as schema.table`);
  }
  return { schema, name, key: `${schema}.${name}`, qualified: qualifiedName(schema, name) };
}

/** A table name from a path: "data/Prices 2024.csv" -> prices_2024. */
export function tableNameFromPath(filePath: string): string {
  const base = filePath.split(/[\\/]/).filter(Boolean).pop() ?? 'data';
  const cleaned = base
    .replace(/\.(parquet|csv)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const name = /^[a-z_]/.test(cleaned) ? cleaned : `t_${cleaned}`;
  return name.slice(0, 63) || 'data';
}

const EQUIVALENT: Record<IngestType, string[]> = {
  timestamptz: ['timestamp with time zone'],
  'double precision': ['double precision', 'real', 'numeric'],
  numeric: ['numeric', 'double precision'],
  bigint: ['bigint', 'numeric'],
  integer: ['integer', 'bigint', 'numeric', 'double precision'],
  boolean: ['boolean'],
  text: ['text', 'character varying'],
};

function indexName(table: TargetTable, suffix: string): string {
  return quoteIdentifier(`${table.name.slice(0, 63 - suffix.length - 1)}_${suffix}`);
}

export async function prepareTable(
  session: WriteSession,
  table: TargetTable,
  columns: IngestColumn[],
  { file, timeColumn, entityColumn, timescaleSchema }: { file: string; timeColumn: string; entityColumn: string | null; timescaleSchema: string | null },
): Promise<'created' | 'existing'> {
  const existing = await session.query<{ name: string; type: string; nullable: string }>(
    `SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [table.schema, table.name],
  );
  if (existing.length === 0) {
    await session.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(table.schema)}`);
    const definitions = columns.map((column) => `${quoteIdentifier(column.name)} ${column.type}${column.name === timeColumn ? ' NOT NULL' : ''}`);
    await session.query(`CREATE TABLE ${table.qualified} (${definitions.join(', ')})`);
    const indexed = entityColumn ? `${quoteIdentifier(entityColumn)}, ${quoteIdentifier(timeColumn)}` : quoteIdentifier(timeColumn);
    await session.query(`CREATE INDEX ${indexName(table, entityColumn ? 'entity_time_idx' : 'time_idx')} ON ${table.qualified} (${indexed})`);
    if (timescaleSchema) {
      await session.query(`SELECT ${timescaleSchema}.create_hypertable($1::regclass, $2::name, if_not_exists => true)`, [table.qualified, timeColumn]);
    }
    return 'created';
  }
  const byName = new Map(existing.map((column) => [column.name, column]));
  for (const column of columns) {
    const found = byName.get(column.name);
    if (!found) {
      throw new IngestSchemaError(`file "${file}" has column "${column.name}" (${column.type}), which table "${table.key}" does not have; its columns: ${existing.map((entry) => entry.name).join(', ')}`, {
        file,
        column: column.name,
      });
    }
    if (!EQUIVALENT[column.type].includes(found.type)) {
      throw new IngestSchemaError(`file "${file}": column "${column.name}" is ${column.type} in the file but ${found.type} in table "${table.key}"`, { file, column: column.name });
    }
  }
  const fileNames = new Set(columns.map((column) => column.name));
  const required = existing.find((column) => column.nullable === 'NO' && !fileNames.has(column.name));
  if (required) {
    throw new IngestSchemaError(`file "${file}" has no column "${required.name}", which table "${table.key}" requires (NOT NULL)`, { file, column: required.name });
  }
  return 'existing';
}
