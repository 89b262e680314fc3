/**
 * Token buckets per key (a client address): `perMinute` tokens refill evenly, a burst of the
 * same size. Keys idle for a full refill are forgotten, so memory follows active clients only.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();
  constructor(private readonly perMinute: number, private readonly maxKeys = 10_000) {}

  /** True when `key` may make one more request at `nowMs` (and takes a token). */
  take(key: string, nowMs = Date.now()): boolean {
    const refillPerMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, updatedMs: nowMs };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (nowMs - bucket.updatedMs) * refillPerMs);
    bucket.updatedMs = nowMs;
    if (this.buckets.size >= this.maxKeys && !this.buckets.has(key)) this.sweep(nowMs);
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Seconds until `key` has a token again (for Retry-After). */
  retryAfterSeconds(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket || bucket.tokens >= 1) return 0;
    return Math.ceil((1 - bucket.tokens) / (this.perMinute / 60));
  }

  private sweep(nowMs: number): void {
    for (const [key, bucket] of this.buckets) if (nowMs - bucket.updatedMs > 60_000) this.buckets.delete(key);
  }
}
