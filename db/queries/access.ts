import 'server-only';
import type { DatabaseHandle } from '../client';
import { auditLog } from '../schema-access';

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
  // Through drizzle: it sends jsonb as an object on both drivers (a raw string parameter would be stored as a JSON string on postgres.js).
  await handle.db.insert(auditLog).values({
    actor: record.actor.slice(0, 200),
    role: record.role,
    via: record.via,
    action: record.action,
    target: record.target.slice(0, 500),
    details: record.details ?? {},
  });
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
