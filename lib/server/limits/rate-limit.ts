import 'server-only';
import { countRequest, getDatabase, purgeRateLimitBuckets, type DatabaseHandle } from '@/db';
import { LookaheadError } from '@/lib/core/errors';
import { authMode, principalFromHeaders, trustsProxy } from '@/lib/server/access';

/**
 * Per-caller request limits kept in Postgres (rate_limit_buckets), so they hold across server
 * processes: LOOKAHEAD_RATE_LIMIT requests per minute (default 600 with LOOKAHEAD_AUTH, off in
 * local use, where the one caller owns the server; 0 turns them off) for each
 * token or session name, or for each client address when anonymous. Without
 * LOOKAHEAD_TRUST_PROXY the client address cannot be known (Next.js passes any X-Forwarded-For a
 * client sends), so all anonymous callers share one bucket.
 */
export const RATE_WINDOW_MS = 60_000;
const DEFAULT_PER_MINUTE = 600;

export function rateLimitPerMinute(env: Record<string, string | undefined> = process.env): number {
  const raw = env.LOOKAHEAD_RATE_LIMIT;
  if (raw === undefined || raw.trim() === '') return authMode(env) === 'off' ? 0 : DEFAULT_PER_MINUTE;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new LookaheadError('limits', 'internal', `LOOKAHEAD_RATE_LIMIT must be a whole number of requests per minute (0: off), got "${raw}"`);
  return value;
}

export function rateLimitKey(headers: Headers, env: Record<string, string | undefined> = process.env): string {
  const principal = principalFromHeaders(headers);
  if (principal.via !== 'anonymous') return `${principal.via}:${principal.name}`;
  const forwarded = trustsProxy(env) ? headers.get('x-forwarded-for')?.split(',')[0]?.trim() : undefined;
  return forwarded ? `ip:${forwarded}` : 'anonymous';
}

let lastPurgeMs = 0;

/** Counts this request for its caller; throws a 429 (with retryAfterSeconds) over the limit. The database is opened only when limits are on. */
export async function enforceRateLimit(
  headers: Headers,
  { env = process.env, now = new Date(), handle }: { env?: Record<string, string | undefined>; now?: Date; handle?: DatabaseHandle } = {},
): Promise<void> {
  const limit = rateLimitPerMinute(env);
  if (limit === 0) return;
  handle ??= await getDatabase();
  const key = rateLimitKey(headers, env);
  const { count, windowStart } = await countRequest({ handle, key, windowMs: RATE_WINDOW_MS, now });
  if (now.getTime() - lastPurgeMs > RATE_WINDOW_MS) {
    lastPurgeMs = now.getTime();
    await purgeRateLimitBuckets({ handle, before: new Date(windowStart.getTime() - RATE_WINDOW_MS) });
  }
  if (count > limit) {
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + RATE_WINDOW_MS - now.getTime()) / 1000));
    throw new LookaheadError('limits', 'rate_limited', `${key.startsWith('ip:') || key === 'anonymous' ? 'this address' : key.split(':').slice(1).join(':')} sent over ${limit} requests this minute; retry in ${retryAfterSeconds} s`, {
      details: { retryAfterSeconds, limitPerMinute: limit },
    });
  }
}
