import { LookaheadError, type ErrorCode } from '@/lib/core/errors';

/**
 * A failed answer of one of the app's routes as a LookaheadError: the route's own message and
 * code when it sent them (`{"error":{"code","message"}}`, message "subsystem: ..."), else
 * `fallback` under `subsystem`. The body is read, so the response is spent.
 */
export async function errorFromResponse(response: Response, subsystem: string, fallback: string): Promise<LookaheadError> {
  const body = (await response.json().catch(() => null)) as { error?: { code?: ErrorCode; message?: string } } | null;
  const code: ErrorCode =
    body?.error?.code ?? (response.status === 404 ? 'not_found' : response.status === 413 ? 'too_large' : response.status === 422 || response.status === 416 ? 'unsupported' : response.status >= 500 ? 'internal' : 'bad_input');
  const message = body?.error?.message;
  const prefixed = message?.match(/^([a-z][a-z-]*): ([\s\S]+)$/);
  if (prefixed) return new LookaheadError(prefixed[1]!, code, prefixed[2]!);
  return new LookaheadError(subsystem, code, message ? `${fallback}: ${message}` : fallback);
}
