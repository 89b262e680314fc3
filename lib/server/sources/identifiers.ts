/**
 * SQL identifiers for statements about users' tables. Names only ever come from introspection
 * (the allow-list) and are always quoted here, so a name that looks like SQL stays a name.
 */

/** Postgres truncates identifiers at NAMEDATALEN - 1 bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

export function quoteIdentifier(name: string): string {
  if (name.length === 0 || name.includes('\u0000')) throw new Error(`sources: "${name}" cannot be an SQL identifier`);
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualifiedName(schema: string, name: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;
}

/** The name a table is requested by: "schema.table". */
export function tableKey(schema: string, name: string): string {
  return `${schema}.${name}`;
}
