import 'server-only';
import { isLookaheadError, LookaheadError } from '@/lib/core/errors';

/**
 * Database errors worth showing the user, by SQLSTATE (postgres.js and PGlite both put it on
 * `code`): a statement timeout, a value that does not fit the column, a table the role may not
 * read. Everything else stays internal (logged, not shown).
 */
export function fromDatabaseError(error: unknown, context: { sourceId: string; statementTimeoutMs: number }): unknown {
  if (isLookaheadError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code !== 'string') return error;
  if (code === '57014') {
    return new LookaheadError(
      'sources',
      'too_large',
      `source "${context.sourceId}": the query ran past the statement timeout of ${context.statementTimeoutMs} ms; narrow start/end or downsample with bucket=`,
      { cause: error },
    );
  }
  if (code.startsWith('22')) {
    return new LookaheadError('sources', 'bad_input', `source "${context.sourceId}": a parameter does not fit its column (${message})`, { cause: error });
  }
  if (code === '42501') {
    return new LookaheadError('sources', 'not_found', `source "${context.sourceId}": the table is not readable with the configured role`, { cause: error });
  }
  return error;
}
