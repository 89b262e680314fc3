import { describe, expect, it } from 'vitest';
import { BatchWriter } from '@/lib/server/monitoring/batch-writer';
import { Counter, Gauge, Histogram, Registry } from '@/lib/server/monitoring/prometheus';
import { RateLimiter } from '@/lib/server/monitoring/rate-limit';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('monitoring batch writer', () => {
  it('flushes as soon as maxBatch events are buffered, in batches of at most maxBatch', async () => {
    const batches: number[][] = [];
    const writer = new BatchWriter<number>({ name: 't', capacity: 100, maxBatch: 4, flushIntervalMs: 60_000, write: async (batch) => void batches.push(batch) });
    for (let i = 0; i < 3; i += 1) writer.push(i);
    await tick();
    expect(batches).toEqual([]);
    writer.push(3);
    await tick();
    expect(batches).toEqual([[0, 1, 2, 3]]);
    await writer.close();
  });

  it('flushes a partial batch when the interval passes', async () => {
    const batches: number[][] = [];
    const writer = new BatchWriter<number>({ name: 't', capacity: 100, maxBatch: 50, flushIntervalMs: 20, write: async (batch) => void batches.push(batch) });
    writer.push(7);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(batches).toEqual([[7]]);
    expect(writer.snapshot()).toMatchObject({ accepted: 1, written: 1, buffered: 0, dropped: 0 });
    await writer.close();
  });

  it('drops and counts events past capacity instead of growing or waiting', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const writer = new BatchWriter<number>({ name: 't', capacity: 10, maxBatch: 5, flushIntervalMs: 60_000, write: () => gate });
    const accepted = Array.from({ length: 30 }, (_, i) => writer.push(i));
    // The first 5 are in flight (the write is blocked), 10 wait, the other 15 are refused.
    expect(accepted.filter(Boolean).length).toBeLessThanOrEqual(15);
    const stats = writer.snapshot();
    expect(stats.buffered).toBeLessThanOrEqual(10);
    expect(stats.dropped).toBe(30 - stats.accepted);
    release();
    await writer.close();
    expect(writer.snapshot().written).toBe(stats.accepted);
  });

  it('a failing write (database down) keeps what fits, counts the rest as dropped, and recovers', async () => {
    let down = true;
    const written: number[] = [];
    const writer = new BatchWriter<number>({
      name: 't', capacity: 6, maxBatch: 4, flushIntervalMs: 60_000,
      write: async (batch) => {
        if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:1');
        written.push(...batch);
      },
    });
    for (let i = 0; i < 6; i += 1) writer.push(i);
    await writer.flush();
    let stats = writer.snapshot();
    expect(stats.failedFlushes).toBeGreaterThanOrEqual(1);
    expect(stats.lastError).toContain('ECONNREFUSED');
    expect(stats.buffered + stats.dropped).toBe(6);
    expect(stats.buffered).toBeLessThanOrEqual(6);
    down = false;
    await writer.flush();
    stats = writer.snapshot();
    expect(stats.buffered).toBe(0);
    expect(written.length + stats.dropped).toBe(6);
    expect(written).toEqual([...written].sort((a, b) => a - b));
    await writer.close();
  });

  it('refuses a capacity smaller than a batch', () => {
    expect(() => new BatchWriter({ name: 'x', capacity: 2, maxBatch: 5, flushIntervalMs: 10, write: async () => {} })).toThrow(/capacity >= maxBatch/);
  });
});

describe('Prometheus text format', () => {
  it('renders counters, gauges and histograms with escaped labels and cumulative buckets', () => {
    const registry = new Registry();
    const counter = registry.register(new Counter('x_requests_total', 'Requests', ['route', 'status']));
    const gauge = registry.register(new Gauge('x_depth', 'Depth'));
    const histogram = registry.register(new Histogram('x_seconds', 'Latency', ['route'], [0.1, 1]));
    counter.inc({ route: '/a"b\\c\nd', status: '200' });
    counter.inc({ route: '/a"b\\c\nd', status: '200' }, 2);
    gauge.set(0);
    histogram.observe(0.05, { route: '/f' });
    histogram.observe(0.5, { route: '/f' });
    histogram.observe(5, { route: '/f' });
    const text = registry.render();
    expect(text).toContain('# TYPE x_requests_total counter\nx_requests_total{route="/a\\"b\\\\c\\nd",status="200"} 3');
    expect(text).toContain('# TYPE x_depth gauge\nx_depth 0');
    expect(text).toContain('x_seconds_bucket{route="/f",le="0.1"} 1\nx_seconds_bucket{route="/f",le="1"} 2\nx_seconds_bucket{route="/f",le="+Inf"} 3');
    expect(text).toContain('x_seconds_sum{route="/f"} 5.55');
    expect(text).toContain('x_seconds_count{route="/f"} 3');
    expect(text.endsWith('\n')).toBe(true);
    expect(() => registry.register(new Gauge('x_depth', 'again'))).toThrow(/registered twice/);
  });
});

describe('telemetry rate limiter', () => {
  it('allows a burst of perMinute, refuses the next, and refills over time per key', () => {
    const limiter = new RateLimiter(3);
    const t0 = 1_000_000;
    expect([limiter.take('a', t0), limiter.take('a', t0), limiter.take('a', t0), limiter.take('a', t0)]).toEqual([true, true, true, false]);
    expect(limiter.take('b', t0)).toBe(true);
    expect(limiter.retryAfterSeconds('a')).toBeGreaterThan(0);
    expect(limiter.take('a', t0 + 20_000)).toBe(true);
    expect(limiter.take('a', t0 + 20_000)).toBe(false);
  });
});
