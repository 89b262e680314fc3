import 'server-only';
import { isLookaheadError, LookaheadError } from '@/lib/core/errors';

/**
 * Database errors worth showing the user, by SQLSTATE (postgres.js and PGlite both put it on
 * `code`): a statement timeout, a value that does not fit the column, a table the role may not
 * read. Everything else stays internal (logged, not shown).
 */
/** postgres.js's and Node's codes for a connection that went away (SQLSTATE class 08 and 57P0x are the server's). */
const CONNECTION_LOST = new Set(['CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

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
  if (CONNECTION_LOST.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') {
    return new LookaheadError('sources', 'unavailable', `source "${context.sourceId}": the database connection was lost during the read (the server restarted or the network dropped); retry in a few seconds`, {
      cause: error,
      details: { retryAfterSeconds: 2 },
    });
  }
  if (code === '42501') {
    return new LookaheadError('sources', 'not_found', `source "${context.sourceId}": the table is not readable with the configured role`, { cause: error });
  }
  return error;
}
