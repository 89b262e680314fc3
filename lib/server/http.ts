import 'server-only';
import { isLookaheadError, LookaheadError } from '@/lib/core/errors';
import { PoolBusyError } from '@/db';
import type { ZodError } from 'zod';

/** Turns any error into a JSON response: bad input as 4xx with its message, the rest logged as 500. */
export function errorResponse(error: unknown): Response {
  if (error instanceof PoolBusyError || (error instanceof Error && error.cause instanceof PoolBusyError)) {
    const busy = (error instanceof PoolBusyError ? error : (error as Error).cause) as PoolBusyError;
    const why = busy.reason === 'queue' ? 'too many readers are waiting ahead of this one' : 'the readers holding them have stalled';
    return Response.json(
      { error: { code: 'unavailable', message: `The server is busy: every database connection is in use and ${why}. Retry in a few seconds.` } },
      { status: 503, headers: { 'retry-after': '2' } },
    );
  }
  if (isLookaheadError(error) && error.expose) {
    const retryAfter = error.details?.retryAfterSeconds;
    return Response.json(
      { error: { code: error.code, message: error.message, details: error.details } },
      { status: error.status, headers: typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : undefined },
    );
  }
  // Driver errors, file paths and configuration excerpts stay in the server log; the page gets a
  // stable code and a sentence, plus an id to find the log line.
  const reference = Math.random().toString(36).slice(2, 10);
  console.error(`[error ${reference}]`, error);
  return Response.json(
    { error: { code: 'internal', message: `Something went wrong on the server; the operator can find the cause in the server log under reference ${reference}.`, reference } },
    { status: 500 },
  );
}

/**
 * A zod failure as a LookaheadError naming each bad parameter once: the message says what is
 * wrong with each, `details.fields` only where (for a page to highlight), not the issues again.
 */
export function fromZodError(subsystem: string, error: ZodError): LookaheadError {
  const fields = [...new Set(error.issues.map((issue) => issue.path.join('.') || 'input'))];
  const problems = [...new Set(error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`))];
  return new LookaheadError(subsystem, 'bad_input', problems.join('; '), { details: { fields } });
}
