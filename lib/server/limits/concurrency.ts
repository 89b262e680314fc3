import 'server-only';
import { LookaheadError } from '@/lib/core/errors';

/**
 * At most LOOKAHEAD_MAX_HEAVY (default: 4) CPU-heavy requests (server forecasts, uploads,
 * quality reports) run at once in this process; the next one is answered 429 with Retry-After
 * at once instead of queueing behind them.
 */
const globalForSlots = globalThis as unknown as { lookaheadHeavySlots?: { running: number } };

export function maxHeavyRequests(env: Record<string, string | undefined> = process.env): number {
  const value = Number(env.LOOKAHEAD_MAX_HEAVY ?? 4);
  return Number.isInteger(value) && value > 0 ? value : 4;
}

export async function withHeavySlot<T>(kind: string, work: () => Promise<T>, env: Record<string, string | undefined> = process.env): Promise<T> {
  const slots = (globalForSlots.lookaheadHeavySlots ??= { running: 0 });
  const limit = maxHeavyRequests(env);
  if (slots.running >= limit) {
    throw new LookaheadError('limits', 'rate_limited', `${limit} heavy requests (forecasts, uploads, quality reports) are already running; retry ${kind} in a few seconds`, {
      details: { retryAfterSeconds: 2, maxHeavy: limit },
    });
  }
  slots.running++;
  try {
    return await work();
  } finally {
    slots.running--;
  }
}

export function heavyRequestsRunning(): number {
  return globalForSlots.lookaheadHeavySlots?.running ?? 0;
}
