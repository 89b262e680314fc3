import 'server-only';
import { isLookaheadError, LookaheadError } from '@/lib/core/errors';
import type { ZodError } from 'zod';

/** Turns any error into a JSON response: bad input as 4xx with its message, the rest logged as 500. */
export function errorResponse(error: unknown): Response {
  if (isLookaheadError(error) && error.expose) {
    return Response.json({ error: { code: error.code, message: error.message, details: error.details } }, { status: error.status });
  }
  console.error(error);
  return Response.json({ error: { code: 'internal', message: 'internal error; see the server log' } }, { status: 500 });
}

/** A zod failure as a LookaheadError naming each bad parameter. */
export function fromZodError(subsystem: string, error: ZodError): LookaheadError {
  const problems = error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`);
  return new LookaheadError(subsystem, 'bad_input', problems.join('; '), { details: { issues: error.issues } });
}
