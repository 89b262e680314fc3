/**
 * A column as the role mapping sees it, whatever the source (a Postgres table, a parquet file):
 * its name, the source's own type name, and what it can be used for.
 */
export type ColumnKind = 'timestamp' | 'number' | 'text' | 'other';

export interface SourceColumn {
  name: string;
  /** The source's type name ("timestamp with time zone", "DOUBLE", ...), shown to the user. */
  type: string;
  kind: ColumnKind;
  nullable: boolean;
}

/** Cuts user input for an error message: the message names the value, not 10 kB of it. */
export function excerpt(value: string, max = 80): string {
  const printable = value.replace(/[\u0000-\u001f\u007f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return printable.length > max ? `${printable.slice(0, max)}... (${value.length} characters)` : printable;
}
