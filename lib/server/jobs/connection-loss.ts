/**
 * Whether an error that escaped every handler (an uncaught exception or an unhandled rejection in
 * a worker process) is a lost database connection, which the worker survives: the pools open new
 * connections, and the lease logic hands back any chunk whose write or heartbeat it cost.
 *
 * - Errors thrown inside the database drivers (their frames name node_modules/postgres, pg,
 *   pg-pool or pg-boss): postgres.js's writer throwing on a socket that died with a write queued;
 *   pg-boss completing or failing a queue job without awaiting it.
 * - A bare socket error (ECONNRESET, EPIPE, ECONNREFUSED, ETIMEDOUT) whose stack holds nothing
 *   but Node's own frames: postgres.js sends a statement cancel (a COPY given up mid-way) on a new
 *   connection and drops that promise (3.4.x: `cancel()` returns the canceller's `null`), so when
 *   the network is going down the rejection reaches no one. Our own code never produces such a
 *   stack: anything else still crashes the worker.
 */
const DRIVER_FRAME = /node_modules\/(postgres|pg|pg-pool|pg-boss)\//;
const SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT']);

export function isLostConnection(reason: unknown): boolean {
  if (!(reason instanceof Error)) return false;
  const stack = reason.stack ?? '';
  if (DRIVER_FRAME.test(stack)) return true;
  const code = (reason as { code?: unknown }).code;
  if (typeof code !== 'string' || !SOCKET_CODES.has(code)) return false;
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  return frames.every((line) => /\(node:|at node:/.test(line));
}
