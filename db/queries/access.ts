import 'server-only';
import type { DatabaseHandle } from '../client';

export interface AuditRecord {
  actor: string;
  role: string;
  via: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

/** Appends one row to audit_log. */
export async function insertAuditRecord({ handle, record }: { handle: DatabaseHandle; record: AuditRecord }): Promise<void> {
  await handle.query(`INSERT INTO audit_log (actor, role, via, action, target, details) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`, [
    record.actor.slice(0, 200),
    record.role,
    record.via,
    record.action,
    record.target.slice(0, 500),
    JSON.stringify(record.details ?? {}),
  ]);
}

/**
 * Counts one request for `key` in the current fixed window and returns the count so far (this
 * one included). One statement, so concurrent processes never lose an increment.
 */
export async function countRequest({ handle, key, windowMs, now = new Date() }: { handle: DatabaseHandle; key: string; windowMs: number; now?: Date }): Promise<{ count: number; windowStart: Date }> {
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const rows = await handle.query<{ count: number }>(
    `INSERT INTO rate_limit_buckets (key, window_start, count) VALUES ($1, $2, 1)
     ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_buckets.count + 1
     RETURNING count`,
    [key.slice(0, 300), windowStart.toISOString()],
  );
  return { count: Number(rows[0]!.count), windowStart };
}

/** Drops counters of windows that ended before `before`. */
export async function purgeRateLimitBuckets({ handle, before }: { handle: DatabaseHandle; before: Date }): Promise<void> {
  await handle.query(`DELETE FROM rate_limit_buckets WHERE window_start < $1`, [before.toISOString()]);
}
