import { LookaheadError } from '@/lib/core/errors';

/**
 * File-name patterns for partitioned parquet directories, e.g.
 * `{entity}_{frequency}_{*}_{year}_{month}_{hash}.parquet` for
 * `AAPL_1min_h15_2014_01_9f2c.parquet`. `{year}` is 4 digits, `{month}` 1 or 2, `{*}` and any
 * other `{name}` one or more characters (shortest match first); the rest is literal text.
 */
export interface FileNameFields {
  entity: string | null;
  year: number | null;
  month: number | null;
  /** Every named field, as text. */
  fields: Record<string, string>;
}

export interface FileNamePattern {
  source: string;
  hasEntity: boolean;
  match(fileName: string): FileNameFields | null;
}

const TOKEN = /\{([A-Za-z][A-Za-z0-9_]*|\*)\}/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileFileNamePattern(pattern: string): FileNamePattern {
  if (!pattern || pattern.length > 300 || pattern.includes('/') || pattern.includes('\\')) {
    throw new LookaheadError('parquet', 'bad_input', `file-name pattern "${pattern.slice(0, 80)}" must be a file name (no folders) of at most 300 characters, e.g. {entity}_{year}_{month}.parquet`);
  }
  const names: string[] = [];
  let regex = '^';
  let last = 0;
  for (const token of pattern.matchAll(TOKEN)) {
    regex += escapeRegExp(pattern.slice(last, token.index));
    const name = token[1]!;
    if (name === '*') regex += '[^/]+?';
    else {
      if (names.includes(name)) throw new LookaheadError('parquet', 'bad_input', `file-name pattern "${pattern}" names {${name}} twice`);
      names.push(name);
      const body = name === 'year' ? '\\d{4}' : name === 'month' ? '\\d{1,2}' : '[^/]+?';
      regex += `(?<${name}>${body})`;
    }
    last = token.index + token[0].length;
  }
  regex += `${escapeRegExp(pattern.slice(last))}$`;
  if (/[{}]/.test(pattern.replace(TOKEN, ''))) {
    throw new LookaheadError('parquet', 'bad_input', `file-name pattern "${pattern}" has a brace that is not a {field}; fields are {entity}, {year}, {month}, {*} or {anyName}`);
  }
  const compiled = new RegExp(regex);
  return {
    source: pattern,
    hasEntity: names.includes('entity'),
    match(fileName) {
      const found = compiled.exec(fileName);
      if (!found) return null;
      const fields = { ...(found.groups ?? {}) } as Record<string, string>;
      const month = fields.month === undefined ? null : Number(fields.month);
      if (month !== null && (month < 1 || month > 12)) return null;
      return {
        entity: fields.entity ?? null,
        year: fields.year === undefined ? null : Number(fields.year),
        month,
        fields,
      };
    },
  };
}
