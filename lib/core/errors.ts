/**
 * One error type for the whole app. `subsystem` prefixes the message ("csv: ...", "model: ...");
 * `status` is the HTTP status a route handler answers with; `expose` says whether the message is
 * safe to show to the user (true for bad input, false for internal failures, which are logged).
 */
export type ErrorCode =
  | 'bad_input'
  | 'not_found'
  | 'too_large'
  | 'unsupported'
  | 'cancelled'
  | 'conflict'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

const statusByCode: Record<ErrorCode, number> = {
  bad_input: 400,
  not_found: 404,
  too_large: 413,
  unsupported: 422,
  cancelled: 499,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export class LookaheadError extends Error {
  readonly code: ErrorCode;
  readonly subsystem: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    subsystem: string,
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(`${subsystem}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LookaheadError';
    this.code = code;
    this.subsystem = subsystem;
    this.details = options.details;
  }

  get status(): number {
    return statusByCode[this.code];
  }

  /** Internal errors are logged and replaced by a generic message; the rest are shown as they are. */
  get expose(): boolean {
    return this.code !== 'internal';
  }
}

export function isLookaheadError(value: unknown): value is LookaheadError {
  return value instanceof LookaheadError;
}

/** Plain-data form of an error, for crossing a worker or HTTP boundary. */
export interface ErrorPayload {
  code: ErrorCode;
  subsystem: string;
  message: string;
  details?: Record<string, unknown>;
}

export function toErrorPayload(error: unknown): ErrorPayload {
  if (isLookaheadError(error)) {
    return { code: error.code, subsystem: error.subsystem, message: error.message, details: error.details };
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return { code: 'cancelled', subsystem: 'forecast', message: 'forecast: cancelled' };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', subsystem: 'internal', message };
}
