import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { reportFromBacktest } from '@/lib/client/report';
import { parseForecastConfig } from '@/lib/config';
import { decodeWindowStream } from '@/lib/data/arrow-window';
import { ensureBuilt } from '../scripts/app-build';
import { startAppServer } from '../tests/support/app-server';
import { compareInNode } from '../tests/support/comparison';
import { printTable, writeResult } from './lib/report';

/**
 * `npm run bench -- load [--seconds 120] [--warmup-seconds 30] [--pool-wait-ms N] [--pool-max-wait-ms N]`:
 * the production build (scripts/server.mjs, Postgres) on loopback under mixed load for a bounded time:
 * 20 clients each streaming 100,000-row windows back to back, 4 clients posting server forecasts,
 * 4 clients reading a share page. The load runs `--warmup-seconds` and then `--seconds` more;
 * p50/p99 and errors (target 0) cover the whole run. Server RSS is recorded before the load
 * (every route warmed once), after the warm-up (mean of the 10 s that follow it) and at the end
 * (mean of the last 10 s), with its peak: the target is end within 10% of after-warm-up. The
 * warm-up is where a server's working set under this load grows in (V8 sizes its heap to the
 * allocation rate, buffers float until a major GC, caches fill); the start-to-end change is
 * printed too. A probe in the server (bench/lib/memory-probe.cjs) records the heap left after each
 * major GC (the live set: a leak makes it climb).
 * Defaults are the server's: a source pools 5 connections; a reader queues while connections keep
 * being freed and gets 503 after LOOKAHEAD_POOL_WAIT_MS (5 s) with none freed or
 * LOOKAHEAD_POOL_MAX_WAIT_MS (30 s) in all.
 * Needs Postgres (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
 */
const argument = (name: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
};
const seconds = Number(argument('seconds') ?? 120);
if (!(seconds > 0 && seconds <= 600)) throw new Error(`bench load: --seconds must be a number in (0, 600], got ${argument('seconds')}`);
const warmupSeconds = Number(argument('warmup-seconds') ?? 30);
if (!(warmupSeconds >= 10 && warmupSeconds <= 300)) throw new Error(`bench load: --warmup-seconds must be a number in [10, 300], got ${argument('warmup-seconds')}`);
const poolWaitMs = argument('pool-wait-ms');
if (poolWaitMs !== undefined && !(Number(poolWaitMs) > 0)) throw new Error(`bench load: --pool-wait-ms must be a positive number, got ${poolWaitMs}`);
const poolMaxWaitMs = argument('pool-max-wait-ms');
if (poolMaxWaitMs !== undefined && !(Number(poolMaxWaitMs) > 0)) throw new Error(`bench load: --pool-max-wait-ms must be a positive number, got ${poolMaxWaitMs}`);
const probeDir = mkdtempSync(path.join(os.tmpdir(), 'lookahead-load-'));
const probeFile = path.join(probeDir, 'memory.jsonl');
const WINDOW_CLIENTS = 20;
const FORECAST_CLIENTS = 4;
const SHARE_CLIENTS = 4;
const ROWS = 100_000;

const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const databaseName = `lookahead_bench_${randomBytes(4).toString('hex')}`;
const url = new URL(adminUrl);
url.pathname = `/${databaseName}`;
const benchUrl = url.toString();
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${databaseName}`);

const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;
};

try {
  ensureBuilt();
  const sql = postgres(benchUrl, { max: 1, onnotice: () => {} });
  await sql.unsafe(`CREATE TABLE bench_points (ts timestamptz NOT NULL, value double precision)`);
  await sql.unsafe(`INSERT INTO bench_points SELECT timestamptz '2020-01-01' + i * interval '1 minute', sin(i / 100.0) * 100 FROM generate_series(1, ${ROWS}) i`);
  await sql.unsafe('VACUUM ANALYZE bench_points');
  await sql.end();

  const settings = { horizon: 24, context: 512, quantileLevels: [0.1, 0.5, 0.9], windows: 2, step: 24 };
  const result = await compareInNode({ file: 'data/samples/ETTh1.csv', column: 'OT', settings });
  const report = reportFromBacktest({ config: parseForecastConfig({ version: 1, source: 'etth1', target: 'OT', model: 'mstl', context: 512, horizon: 24, backtest: { windows: 2, step: 24 } }), dataName: 'ETTh1', result });

  const server = await startAppServer({
    DATABASE_URL: benchUrl,
    LOOKAHEAD_SOURCES: JSON.stringify([{ id: 'bench', url: benchUrl, tables: ['public.bench_points'] }]),
    LOOKAHEAD_MAX_HEAVY: '8',
    ...(poolWaitMs ? { LOOKAHEAD_POOL_WAIT_MS: poolWaitMs } : {}),
    ...(poolMaxWaitMs ? { LOOKAHEAD_POOL_MAX_WAIT_MS: poolMaxWaitMs } : {}),
    LOOKAHEAD_MEMORY_PROBE_FILE: probeFile,
    NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require ${path.resolve('bench/lib/memory-probe.cjs')}`].filter(Boolean).join(' '),
  });
  try {
    const published = await fetch(`${server.url}/api/forecasts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ snapshot: report }) });
    if (published.status !== 201) throw new Error(`bench load: publishing a share failed: HTTP ${published.status} ${await published.text()}`);
    const share = (await published.json()) as { url: string };
    const shareUrl = share.url.replace(/^https?:\/\/[^/]+/, server.url);
    const forecastBody = JSON.stringify({ model: 'seasonal-naive', horizon: 24, levels: [0.1, 0.5, 0.9], series: [{ values: Array.from({ length: 512 }, (_, index) => Math.sin(index / 12) * 10 + 50) }] });
    // Warm every route once, so the start RSS is the warmed server's.
    await (await fetch(shareUrl)).text();
    await (await fetch(`${server.url}/api/forecast`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: forecastBody })).text();

    const routes = {
      window: { name: `GET /api/sources/bench/window (${ROWS} rows)`, latencies: [] as number[], errors: 0, statuses: {} as Record<string, number>, errorSamples: [] as string[] },
      forecast: { name: 'POST /api/forecast (seasonal-naive, 1 series, horizon 24)', latencies: [] as number[], errors: 0, statuses: {} as Record<string, number>, errorSamples: [] as string[] },
      share: { name: 'GET /f/<token>', latencies: [] as number[], errors: 0, statuses: {} as Record<string, number>, errorSamples: [] as string[] },
    };
    const startRss = rss(server.pid);
    const loadStartedAt = Date.now();
    const warmedAt = loadStartedAt + warmupSeconds * 1000;
    const deadline = warmedAt + seconds * 1000;
    const record = (route: (typeof routes)[keyof typeof routes], started: number, status: number, ok: boolean, detail?: string) => {
      route.latencies.push(performance.now() - started);
      route.statuses[status] = (route.statuses[status] ?? 0) + 1;
      if (!ok) {
        route.errors++;
        if (detail && route.errorSamples.length < 5 && !route.errorSamples.includes(detail)) route.errorSamples.push(detail);
      }
    };
    const loop = async (route: (typeof routes)[keyof typeof routes], once: () => Promise<{ status: number; ok: boolean; detail?: string }>) => {
      while (Date.now() < deadline) {
        const started = performance.now();
        try {
          const { status, ok, detail } = await once();
          record(route, started, status, ok, detail);
        } catch (error) {
          record(route, started, 0, false, (error as Error).message);
        }
      }
    };
    const windowOnce = async () => {
      const response = await fetch(`${server.url}/api/sources/bench/window?table=public.bench_points&columns=value&limit=${ROWS}`);
      if (response.status !== 200) return { status: response.status, ok: false, detail: (await response.text()).slice(0, 300) };
      let rows = 0;
      for await (const batch of decodeWindowStream(response.body!)) rows += batch.timestampsMs.length;
      return { status: 200, ok: rows === ROWS, detail: `${rows} rows` };
    };
    const forecastOnce = async () => {
      const response = await fetch(`${server.url}/api/forecast`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: forecastBody });
      await response.arrayBuffer();
      return { status: response.status, ok: response.status === 200 };
    };
    const shareOnce = async () => {
      const response = await fetch(shareUrl);
      await response.arrayBuffer();
      return { status: response.status, ok: response.status === 200 };
    };
    let peakRss = startRss;
    const samples: { t: number; rss: number }[] = [];
    const sampler = setInterval(() => {
      const value = rss(server.pid);
      peakRss = Math.max(peakRss, value);
      samples.push({ t: Date.now(), rss: value });
    }, 200);
    await Promise.all([
      ...Array.from({ length: WINDOW_CLIENTS }, () => loop(routes.window, windowOnce)),
      ...Array.from({ length: FORECAST_CLIENTS }, () => loop(routes.forecast, forecastOnce)),
      ...Array.from({ length: SHARE_CLIENTS }, () => loop(routes.share, shareOnce)),
    ]);
    clearInterval(sampler);
    const meanRss = (from: number, to: number) => {
      const window = samples.filter((sample) => sample.t >= from && sample.t < to);
      return Math.round(window.reduce((sum, sample) => sum + sample.rss, 0) / Math.max(1, window.length));
    };
    const warmRss = meanRss(warmedAt, warmedAt + 10_000);
    const endRss = meanRss(deadline - 10_000, deadline + 1);
    const rows = Object.values(routes).map((route) => ({
      route: route.name,
      requests: route.latencies.length,
      errors: route.errors,
      statuses: route.statuses,
      p50Ms: Math.round(percentile(route.latencies, 50)),
      p99Ms: Math.round(percentile(route.latencies, 99)),
      errorSamples: route.errorSamples,
    }));
    printTable({ columns: ['route', 'requests', 'errors', 'p50 ms', 'p99 ms'], rows: rows.map((row) => [row.route, String(row.requests), String(row.errors), String(row.p50Ms), String(row.p99Ms)]) });
    const mb = (bytes: number) => Math.round(bytes / 1048576);
    const percent = (change: number) => `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`;
    const changeFromStart = (endRss - startRss) / startRss;
    const changeAfterWarmup = (endRss - warmRss) / warmRss;
    // The probe's records: memory once a second, and the heap left after each major GC.
    const probe = existsSync(probeFile)
      ? readFileSync(probeFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { t: number; majorGc?: boolean; rss?: number; heapTotal?: number; heapUsed: number; external?: number; arrayBuffers?: number })
      : [];
    const liveAfterGc = probe.filter((record) => record.majorGc && record.t >= loadStartedAt && record.t <= deadline);
    const liveWarm = liveAfterGc.filter((record) => record.t >= warmedAt);
    const memoryAt = (at: number) => probe.filter((record) => !record.majorGc && record.t <= at).at(-1) ?? null;
    const breakdown = (record: ReturnType<typeof memoryAt>) => (record ? { rss: record.rss, heapTotal: record.heapTotal, heapUsed: record.heapUsed, external: record.external, arrayBuffers: record.arrayBuffers } : null);
    const loadAverage = os.loadavg();
    console.log(
      `server RSS: start ${mb(startRss)} MB (before the load), after the ${warmupSeconds} s warm-up ${mb(warmRss)} MB, end ${mb(endRss)} MB: ${percent(changeAfterWarmup)} after warm-up (target within 10%), ${percent(changeFromStart)} from the start; peak ${mb(peakRss)} MB`,
    );
    if (liveWarm.length >= 2) {
      console.log(`heap live after major GCs (after warm-up): first ${mb(liveWarm[0]!.heapUsed)} MB, last ${mb(liveWarm.at(-1)!.heapUsed)} MB, max ${mb(Math.max(...liveWarm.map((record) => record.heapUsed)))} MB over ${liveWarm.length} GCs`);
    }
    console.log(`load average ${loadAverage.map((value) => value.toFixed(2)).join(' ')}`);
    const file = writeResult('load', {
      seconds,
      warmupSeconds,
      poolWaitMs: poolWaitMs ? Number(poolWaitMs) : 'default (5000)',
      poolMaxWaitMs: poolMaxWaitMs ? Number(poolMaxWaitMs) : 'default (30000)',
      clients: { windowStreams: WINDOW_CLIENTS, forecasts: FORECAST_CLIENTS, sharePages: SHARE_CLIENTS },
      windowRows: ROWS,
      routes: rows,
      errors: rows.reduce((sum, row) => sum + row.errors, 0),
      serverRssBytes: { start: startRss, afterWarmup: warmRss, end: endRss, peak: peakRss, changeAfterWarmup, changeFromStart },
      serverMemory: {
        afterWarmup: breakdown(memoryAt(warmedAt + 10_000)),
        end: breakdown(memoryAt(deadline)),
        heapLiveAfterMajorGcBytes: liveAfterGc.map((record) => ({ atSeconds: Math.round((record.t - loadStartedAt) / 1000), heapUsed: record.heapUsed })),
      },
      loadAverage,
    });
    console.log(`bench load: wrote ${file}`);
  } finally {
    await server.stop();
  }
} finally {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  await admin.end();
  rmSync(probeDir, { recursive: true, force: true });
}
