import { IngestQualityError } from './errors';
import type { IngestColumn } from './file-reader';

/**
 * Rows as Postgres COPY text format (https://www.postgresql.org/docs/current/sql-copy.html):
 * tab-separated, `\N` for NULL, backslash, tab and line breaks escaped. Every value is checked
 * against its column's type on the way, so a bad cell fails with its row, column and value.
 */

/** Bytes per chunk handed to COPY: big enough to amortise, small enough to keep memory flat. */
const CHUNK_CHARACTERS = 1 << 20;

function escapeText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (character) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[character]!) : value;
}

/** ISO 8601 with microseconds when the milliseconds have a fraction (parquet MICROS). */
export function timestampText(ms: number): string {
  const whole = Math.floor(ms);
  const iso = new Date(whole).toISOString();
  const micros = Math.round((ms - whole) * 1000);
  return micros === 0 ? iso : `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

export interface CopyContext {
  file: string;
  columns: IngestColumn[];
  timeColumn: string;
}

export function cellText(value: unknown, column: IngestColumn, context: CopyContext, row: number): string {
  const fail = (reason: string) =>
    new IngestQualityError(`file "${context.file}", row ${row + 1}, column "${column.name}": ${reason}`, {
      file: context.file,
      column: column.name,
      row: row + 1,
      value: String(value).slice(0, 80),
    });
  if (value === null || value === undefined) {
    if (column.name === context.timeColumn) throw fail('the timestamp is missing; every row needs one');
    return '\\N';
  }
  switch (column.type) {
    case 'timestamptz': {
      const ms = typeof value === 'number' ? value : value instanceof Date ? value.getTime() : typeof value === 'bigint' ? Number(value) : Number.NaN;
      if (!Number.isFinite(ms)) throw fail(`"${String(value).slice(0, 40)}" is not a timestamp`);
      return timestampText(ms);
    }
    case 'double precision':
    case 'numeric': {
      if (typeof value === 'bigint') return value.toString();
      if (typeof value !== 'number') throw fail(`"${String(value).slice(0, 40)}" is not a number`);
      if (Number.isNaN(value)) return column.type === 'numeric' ? '\\N' : 'NaN';
      return Number.isFinite(value) ? String(value) : value > 0 ? 'Infinity' : '-Infinity';
    }
    case 'bigint':
    case 'integer': {
      if (typeof value === 'bigint') return value.toString();
      if (typeof value !== 'number' || !Number.isInteger(value)) throw fail(`"${String(value).slice(0, 40)}" is not a whole number`);
      return String(value);
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw fail(`"${String(value).slice(0, 40)}" is not true or false`);
      return value ? 't' : 'f';
    case 'text': {
      const text = String(value);
      if (text.includes('\u0000')) throw fail('the text holds a NUL character, which Postgres cannot store');
      return escapeText(text);
    }
  }
}

/** COPY text for batches of rows, about CHUNK_CHARACTERS at a time; counts rows into `progress`. */
export async function* copyTextChunks(batches: AsyncIterable<unknown[][]>, context: CopyContext, progress: { rows: number }): AsyncGenerator<string> {
  let chunk = '';
  const columns = context.columns;
  for await (const rows of batches) {
    for (const row of rows) {
      let line = '';
      for (let index = 0; index < columns.length; index++) {
        if (index) line += '\t';
        line += cellText(row[index], columns[index]!, context, progress.rows);
      }
      chunk += `${line}\n`;
      progress.rows++;
      if (chunk.length >= CHUNK_CHARACTERS) {
        yield chunk;
        chunk = '';
      }
    }
  }
  if (chunk) yield chunk;
}
