import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import postgres from 'postgres';
import { reportFromBacktest } from '@/lib/client/report';
import { parseForecastConfig } from '@/lib/config';
import { decodeWindowStream } from '@/lib/data/arrow-window';
import { ensureBuilt } from '../scripts/app-build';
import { startAppServer } from '../tests/support/app-server';
import { compareInNode } from '../tests/support/comparison';
import { printTable, writeResult } from './lib/report';

/**
 * `npm run bench -- load [--seconds 120] [--pool-wait-ms N]`: the production build (next start, Postgres) on loopback
 * under mixed load for a bounded time: 20 clients each streaming 100,000-row windows back to back,
 * 4 clients posting server forecasts, 4 clients reading a share page. Records p50/p99 per route,
 * errors (target 0), and the server's RSS at the start and the end (target: within 10%).
 * A source pools 5 connections and waits LOOKAHEAD_POOL_WAIT_MS (5 s) for one before a 503, so 20
 * concurrent streams on a slow machine see 503s unless --pool-wait-ms lets them queue longer.
 * Needs Postgres (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
 */
const argument = (name: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
};
const seconds = Number(argument('seconds') ?? 120);
if (!(seconds > 0 && seconds <= 600)) throw new Error(`bench load: --seconds must be a number in (0, 600], got ${argument('seconds')}`);
const poolWaitMs = argument('pool-wait-ms');
if (poolWaitMs !== undefined && !(Number(poolWaitMs) > 0)) throw new Error(`bench load: --pool-wait-ms must be a positive number, got ${poolWaitMs}`);
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
      window: { name: `GET /api/sources/bench/window (${ROWS} rows)`, latencies: [] as number[], errors: 0, statuses: {} as Record<string, number> },
      forecast: { name: 'POST /api/forecast (seasonal-naive, 1 series, horizon 24)', latencies: [] as number[], errors: 0, statuses: {} as Record<string, number> },
      share: { name: 'GET /f/<token>', latencies: [] as number[], errors: 0, statuses: {} as Record<string, number> },
    };
    const startRss = rss(server.pid);
    const deadline = Date.now() + seconds * 1000;
    const record = (route: (typeof routes)[keyof typeof routes], started: number, status: number, ok: boolean) => {
      route.latencies.push(performance.now() - started);
      route.statuses[status] = (route.statuses[status] ?? 0) + 1;
      if (!ok) route.errors++;
    };
    const loop = async (route: (typeof routes)[keyof typeof routes], once: () => Promise<{ status: number; ok: boolean }>) => {
      while (Date.now() < deadline) {
        const started = performance.now();
        try {
          const { status, ok } = await once();
          record(route, started, status, ok);
        } catch {
          record(route, started, 0, false);
        }
      }
    };
    const windowOnce = async () => {
      const response = await fetch(`${server.url}/api/sources/bench/window?table=public.bench_points&columns=value&limit=${ROWS}`);
      if (response.status !== 200) return { status: response.status, ok: (await response.text(), false) };
      let rows = 0;
      for await (const batch of decodeWindowStream(response.body!)) rows += batch.timestampsMs.length;
      return { status: 200, ok: rows === ROWS };
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
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rss(server.pid))), 200);
    await Promise.all([
      ...Array.from({ length: WINDOW_CLIENTS }, () => loop(routes.window, windowOnce)),
      ...Array.from({ length: FORECAST_CLIENTS }, () => loop(routes.forecast, forecastOnce)),
      ...Array.from({ length: SHARE_CLIENTS }, () => loop(routes.share, shareOnce)),
    ]);
    clearInterval(sampler);
    const endRss = rss(server.pid);
    const rows = Object.values(routes).map((route) => ({
      route: route.name,
      requests: route.latencies.length,
      errors: route.errors,
      statuses: route.statuses,
      p50Ms: Math.round(percentile(route.latencies, 50)),
      p99Ms: Math.round(percentile(route.latencies, 99)),
    }));
    printTable({ columns: ['route', 'requests', 'errors', 'p50 ms', 'p99 ms'], rows: rows.map((row) => [row.route, String(row.requests), String(row.errors), String(row.p50Ms), String(row.p99Ms)]) });
    const mb = (bytes: number) => Math.round(bytes / 1048576);
    const rssChange = (endRss - startRss) / startRss;
    console.log(`server RSS: start ${mb(startRss)} MB, end ${mb(endRss)} MB (${(rssChange * 100).toFixed(1)}%), peak ${mb(peakRss)} MB; load average ${os.loadavg().map((value) => value.toFixed(2)).join(' ')}`);
    const file = writeResult('load', {
      seconds,
      poolWaitMs: poolWaitMs ? Number(poolWaitMs) : 'default (5000)',
      clients: { windowStreams: WINDOW_CLIENTS, forecasts: FORECAST_CLIENTS, sharePages: SHARE_CLIENTS },
      windowRows: ROWS,
      routes: rows,
      errors: rows.reduce((sum, row) => sum + row.errors, 0),
      serverRssBytes: { start: startRss, end: endRss, peak: peakRss, change: rssChange },
      loadAverage: os.loadavg(),
    });
    console.log(`bench load: wrote ${file}`);
  } finally {
    await server.stop();
  }
} finally {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  await admin.end();
}
