import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { latencyFromEvents, latencyFromEventsQuery, latencyFromRollups, latencyFromRollupsQuery, maintainMonitoringStorage, migrateDatabase, openDatabase, refreshModelPerformance, type DatabaseHandle } from '@/db';
import { DASHBOARD_RANGES, Monitor, setMonitor } from '@/lib/server/monitoring';
import { recordServerForecast } from '@/lib/server/monitoring/forecast-recording';
import { printTable, writeResult } from './lib/report';

/**
 * `npm run bench -- monitoring [--events 10000000] [--requests 2000] [--concurrency 16] [--audit-rows 1000000] [--runs 5]`
 *
 * 1. Recording under load: POST /api/forecast (the real route handler, in process, seasonal naive
 *    on 200 points) with `concurrency` requests in flight, in interleaved rounds: monitoring off
 *    (A), on (events and audit rows buffered and written to the database), off (B). Reports
 *    events/s written, the p99 of the recording call itself (the time it adds to the request it
 *    describes), and the end-to-end p50/p99 of both modes beside the off A - off B difference
 *    (the machine's own noise).
 * 2. Dashboard query for 30 days over `events` inference events spread evenly over 30 days (made
 *    by INSERT ... SELECT generate_series in the database, into the daily partitions): from the
 *    1-hour rollups vs from the raw table, same database, same run, median of `runs` (raw: at
 *    most 3), end to end in Node and inside Postgres (EXPLAIN ANALYZE's execution time).
 * 3. forecast_audit's BRIN index vs a B-tree on the same column (`audit-rows` rows): size and a
 *    one-hour range count, the measured reason the audit log has BRIN only.
 * Needs DATABASE_URL (a Postgres server; the bench makes and drops a database of its own);
 * without it runs on PGlite in memory (slower and not comparable).
 */
const { values: args } = parseArgs({
  args: process.argv.slice(3),
  options: {
    events: { type: 'string', default: '10000000' },
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    'audit-rows': { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '5' },
  },
});
const EVENTS = Number(args.events);
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const AUDIT_ROWS = Number(args['audit-rows']);
const RUNS = Number(args.runs);
for (const [name, value] of Object.entries({ EVENTS, REQUESTS, CONCURRENCY, AUDIT_ROWS, RUNS })) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`bench monitoring: --${name.toLowerCase()} must be a positive whole number, got ${value}`);
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const median = (values: number[]) => quantile(values, 0.5);
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

async function openBenchDatabase(): Promise<{ handle: DatabaseHandle; kind: string; drop(): Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const handle = await openDatabase({ dataDir: 'memory://' });
    await migrateDatabase(handle);
    return { handle, kind: 'pglite (memory)', drop: () => handle.close() };
  }
  const name = `lookahead_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString() });
  await migrateDatabase(handle);
  const [version] = await handle.query<{ version: string }>("SELECT current_setting('server_version') AS version");
  return {
    handle,
    kind: `postgres ${version!.version}`,
    async drop() {
      await handle.close();
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

const loadAverageAtStart = os.loadavg().map((value) => round(value));
const database = await openBenchDatabase();
const { handle } = database;
console.log(`bench monitoring on ${database.kind}`);
await maintainMonitoringStorage(handle, { retentionDays: 45, daysAhead: 1 });

// ---- 1. recording under concurrent forecast load --------------------------------------------
// The route answers 429 past LOOKAHEAD_MAX_HEAVY concurrent forecasts (default 4); the bench measures recording with CONCURRENCY in flight, so it allows them all.
process.env.LOOKAHEAD_MAX_HEAVY = String(CONCURRENCY);
const { POST } = await import('@/app/api/forecast/route');
const values = Array.from({ length: 200 }, (_, i) => 50 + 10 * Math.sin(i / 4) + (i % 7));
const body = JSON.stringify({ model: 'seasonal-naive', horizon: 24, levels: [0.1, 0.5, 0.9], frequency: '1h', series: [{ values }] });
const on = new Monitor({ database: async () => handle });
const off = new Monitor({ database: async () => handle, config: { enabled: false } });

async function round_(monitor: Monitor, requests: number): Promise<number[]> {
  setMonitor(monitor);
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests) {
        next += 1;
        const started = performance.now();
        const response = await POST(new Request('http://localhost/api/forecast', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.0.0.1' }, body }));
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`bench monitoring: forecast answered ${response.status}`);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies;
}

await round_(off, 200); // warm-up: JIT, model resolution
await round_(on, 200);
await on.flush();
// Rounds interleaved off (A), on, off (B): the two off sets measure the machine's own noise in
// the end-to-end p99 (an A/A difference), against which the on-off difference is read.
const roundsPerMode = 10;
const latencyOn: number[] = [];
const latencyOffA: number[] = [];
const latencyOffB: number[] = [];
const writtenBefore = on.stats()[0]!.written;
let onWallMs = 0;
for (let r = 0; r < roundsPerMode; r += 1) {
  latencyOffA.push(...(await round_(off, REQUESTS / roundsPerMode)));
  const started = performance.now();
  latencyOn.push(...(await round_(on, REQUESTS / roundsPerMode)));
  await on.flush();
  onWallMs += performance.now() - started;
  latencyOffB.push(...(await round_(off, REQUESTS / roundsPerMode)));
}
const eventsWritten = on.stats()[0]!.written - writtenBefore;
const dropped = on.stats()[0]!.dropped;

// The recording call itself, timed alone: what it adds to the request it describes.
const parsedBody = JSON.parse(body);
const recordCost: number[] = [];
const fakeResponse = { model: { id: 'seasonal-naive', label: 'Seasonal naive' }, runtime: 'JavaScript', levels: [0.1, 0.5, 0.9], horizon: 24, elapsedMs: 1, forecasts: [] };
const request = new Request('http://localhost/api/forecast', { method: 'POST', headers: { 'x-forwarded-for': '10.0.0.1' } });
for (let i = 0; i < 20_000; i += 1) {
  const started = performance.now();
  recordServerForecast({ monitor: on, request, body: parsedBody, response: fakeResponse, latencyMs: 1 });
  recordCost.push(performance.now() - started);
  if (i % 1000 === 999) await on.flush();
}
await on.flush();

// Raw write throughput: 200,000 events pushed as fast as possible, then flushed in batches.
const burst = new Monitor({ database: async () => handle, config: { bufferCapacity: 200_000, maxBatch: 2_000 } });
const burstStarted = performance.now();
for (let i = 0; i < 200_000; i += 1) {
  burst.recordInference({ model: 'burst', runtime: 'server-cpu', device: 'cpu', origin: 'server', endpoint: '/bench', points: 100, horizon: 10, latencyMs: i % 97, outcome: 'ok' });
}
await burst.close();
const burstEventsPerSecond = 200_000 / ((performance.now() - burstStarted) / 1000);
await on.close();
await off.close();

const latencyOff = [...latencyOffA, ...latencyOffB];
const recording = {
  requests: REQUESTS,
  concurrency: CONCURRENCY,
  eventsWrittenUnderLoad: eventsWritten,
  eventsPerSecondUnderLoad: round(eventsWritten / (onWallMs / 1000), 0),
  droppedUnderLoad: dropped,
  burstEventsPerSecond: round(burstEventsPerSecond, 0),
  recordCallP50Ms: round(quantile(recordCost, 0.5), 4),
  recordCallP99Ms: round(quantile(recordCost, 0.99), 4),
  requestP50MsOn: round(quantile(latencyOn, 0.5)),
  requestP99MsOn: round(quantile(latencyOn, 0.99)),
  requestP50MsOff: round(quantile(latencyOff, 0.5)),
  requestP99MsOff: round(quantile(latencyOff, 0.99)),
  addedP99Ms: round(quantile(latencyOn, 0.99) - quantile(latencyOff, 0.99)),
  offAVsOffBP99Ms: round(quantile(latencyOffA, 0.99) - quantile(latencyOffB, 0.99)),
};
printTable({
  columns: ['recording under load', 'value'],
  rows: [
    ['forecast requests (in process) x concurrency', `${REQUESTS} x ${CONCURRENCY}`],
    ['events written under load', eventsWritten],
    ['events/s under load (written, incl. flush)', recording.eventsPerSecondUnderLoad],
    ['events/s, 200k burst, batches of 2,000', recording.burstEventsPerSecond],
    ['recording call p50 / p99 (ms): added to the request', `${recording.recordCallP50Ms} / ${recording.recordCallP99Ms}`],
    ['request p50 / p99, monitoring on (ms)', `${recording.requestP50MsOn} / ${recording.requestP99MsOn}`],
    ['request p50 / p99, monitoring off (ms)', `${recording.requestP50MsOff} / ${recording.requestP99MsOff}`],
    ['end-to-end p99 on - off (ms)', recording.addedP99Ms],
    ['end-to-end p99 off A - off B (ms): the noise', recording.offAVsOffBP99Ms],
  ],
});

// ---- 2. dashboard query: 30 days over EVENTS events, rollups vs raw --------------------------
const DAY = 86_400_000;
const now = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
const from = new Date(now.getTime() - 30 * DAY);
await handle.query('TRUNCATE inference_events');
await maintainMonitoringStorage(handle, { now, retentionDays: 45, daysAhead: 1 });
for (let day = 30; day >= 0; day -= 1) {
  // Partitions for the whole span exist before the load (maintenance makes them from stray rows too, but moving 10M rows out of DEFAULT is not what is measured).
  await maintainMonitoringStorage(handle, { now: new Date(now.getTime() - day * DAY), retentionDays: 45, daysAhead: 0 });
}
const loadStarted = performance.now();
const chunk = 1_000_000;
for (let offset = 0; offset < EVENTS; offset += chunk) {
  const count = Math.min(chunk, EVENTS - offset);
  await handle.query(
    `INSERT INTO inference_events ("time", model, revision, runtime, device, origin, endpoint, series_count, points, horizon, latency_ms, outcome, error_kind)
     SELECT $1::timestamptz + (i::float8 / $3) * interval '30 days',
            (ARRAY['seasonal-naive','auto-ets','mstl','chronos-bolt-tiny','chronos-bolt-small'])[1 + (i % 5)],
            NULL, (ARRAY['server-cpu','browser-wasm','browser-webgpu'])[1 + (i % 3)], 'cpu', 'server', '/api/forecast', 1, 200, 24,
            1 + (i % 97) + (i % 13) * 0.5, CASE WHEN i % 50 = 0 THEN 'error' ELSE 'ok' END, NULL
       FROM generate_series($2::bigint, $2::bigint + $4 - 1) AS i`,
    [from.toISOString(), offset, EVENTS, count],
  );
}
const loadSeconds = (performance.now() - loadStarted) / 1000;
await handle.query('ANALYZE inference_events');
const refreshStarted = performance.now();
const rollupRows = await refreshModelPerformance(handle, { width: '1h', from, to: now });
const refreshSeconds = (performance.now() - refreshStarted) / 1000;
await handle.query('ANALYZE model_performance');

// What /monitor reads for 30 days: the 1-hour rollups merged in SQL into DASHBOARD_RANGES['30d']
// buckets (3 hours: <= 300 points per line), one row per model and runtime. Beside it the same
// read at 1-hour buckets (every rollup row, still one row per line) and the raw events.
const DASHBOARD_BUCKET = DASHBOARD_RANGES['30d'].bucketSeconds;
const rollupMs: number[] = [];
const hourlyMs: number[] = [];
const rawMs: number[] = [];
let rollupPoints = 0;
let hourlyPoints = 0;
let rawPoints = 0;
for (let run = 0; run < RUNS; run += 1) {
  let started = performance.now();
  rollupPoints = (await latencyFromRollups(handle, { from, to: now, width: '1h', bucketSeconds: DASHBOARD_BUCKET })).length;
  rollupMs.push(performance.now() - started);
  started = performance.now();
  hourlyPoints = (await latencyFromRollups(handle, { from, to: now, width: '1h' })).length;
  hourlyMs.push(performance.now() - started);
  if (run < Math.max(1, Math.min(RUNS, 3))) {
    started = performance.now();
    rawPoints = (await latencyFromEvents(handle, { from, to: now, bucketSeconds: 3600 })).length;
    rawMs.push(performance.now() - started);
  }
}
// The same statements under EXPLAIN ANALYZE: time inside Postgres, without sending and parsing
// the rows (on this loaded 2-core machine, moving ~10^4 rows into Node costs more than finding them).
const executionMs = async (statement: { text: string; values: unknown[] }) => {
  const [row] = await handle.query<Record<string, unknown>>(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.text}`, statement.values);
  const cell = Object.values(row!)[0];
  const plan = typeof cell === 'string' ? JSON.parse(cell) : cell;
  return Number((plan as { 'Execution Time': number }[])[0]!['Execution Time']);
};
const rollupServerMs: number[] = [];
const hourlyServerMs: number[] = [];
for (let run = 0; run < RUNS; run += 1) {
  rollupServerMs.push(await executionMs(latencyFromRollupsQuery({ from, to: now, width: '1h', bucketSeconds: DASHBOARD_BUCKET })));
  hourlyServerMs.push(await executionMs(latencyFromRollupsQuery({ from, to: now, width: '1h' })));
}
const rawServerMs = [await executionMs(latencyFromEventsQuery({ from, to: now, bucketSeconds: 3600 }))];
const lineRows = Number((await handle.query<{ n: string }>(`SELECT count(*)::text AS n FROM (${latencyFromRollupsQuery({ from, to: now, width: '1h', bucketSeconds: DASHBOARD_BUCKET }).text}) AS lines`, latencyFromRollupsQuery({ from, to: now, width: '1h', bucketSeconds: DASHBOARD_BUCKET }).values))[0]!.n);
const dashboard = {
  events: EVENTS,
  loadSeconds: round(loadSeconds, 1),
  rollupRefreshSeconds: round(refreshSeconds, 1),
  rollupRows,
  dashboardBucketSeconds: DASHBOARD_BUCKET,
  rowsReturned: lineRows,
  rollupQueryMedianMs: round(median(rollupMs)),
  hourlyQueryMedianMs: round(median(hourlyMs)),
  rawQueryMedianMs: round(median(rawMs)),
  rollupRuns: rollupMs.length,
  rawRuns: rawMs.length,
  speedup: round(median(rawMs) / median(rollupMs), 1),
  rollupExecutionMedianMs: round(median(rollupServerMs)),
  hourlyExecutionMedianMs: round(median(hourlyServerMs)),
  rawExecutionMs: round(median(rawServerMs)),
  executionSpeedup: round(median(rawServerMs) / median(rollupServerMs), 1),
  seriesPointsReturned: { rollup: rollupPoints, hourly: hourlyPoints, raw: rawPoints },
  loadAverageAfterQueries: os.loadavg().map((value) => round(value)),
};
printTable({
  columns: [`dashboard, 30 days over ${EVENTS.toLocaleString('en')} events`, 'value'],
  rows: [
    ['load (INSERT ... SELECT, s)', dashboard.loadSeconds],
    ['1-hour rollup refresh of 30 days (s)', dashboard.rollupRefreshSeconds],
    [`dashboard read: rollups merged into ${DASHBOARD_BUCKET / 3600}-hour buckets, ${lineRows} rows (one per line), median of ${rollupMs.length} (ms)`, dashboard.rollupQueryMedianMs],
    [`every 1-hour rollup row (one row per line), median of ${hourlyMs.length} (ms)`, dashboard.hourlyQueryMedianMs],
    [`from raw events, median of ${rawMs.length} (ms)`, dashboard.rawQueryMedianMs],
    ['raw / rollup', `${dashboard.speedup}x`],
    [`inside Postgres (EXPLAIN ANALYZE): rollups, median of ${rollupServerMs.length} (ms)`, dashboard.rollupExecutionMedianMs],
    [`inside Postgres: 1-hour rollups, median of ${hourlyServerMs.length} (ms)`, dashboard.hourlyExecutionMedianMs],
    ['inside Postgres (EXPLAIN ANALYZE): raw (ms)', dashboard.rawExecutionMs],
    ['inside Postgres: raw / rollup', `${dashboard.executionSpeedup}x`],
    ['points returned (dashboard, hourly, raw)', `${rollupPoints}, ${hourlyPoints}, ${rawPoints}`],
    ['load average 1/5/15 min', dashboard.loadAverageAfterQueries.join(' / ')],
  ],
});

// ---- 3. forecast_audit: BRIN vs B-tree ----------------------------------------------------------
await handle.query(
  `INSERT INTO forecast_audit ("time", action, actor, model)
   SELECT $1::timestamptz + (i::float8 / $2) * interval '30 days', 'forecast', 'client:bench', 'seasonal-naive' FROM generate_series(0, $2::bigint - 1) AS i`,
  [from.toISOString(), AUDIT_ROWS],
);
await handle.query('ANALYZE forecast_audit');
const rangeQuery = `SELECT count(*) FROM forecast_audit WHERE "time" >= $1 AND "time" < $2`;
const rangeParams = [new Date(from.getTime() + 10 * DAY).toISOString(), new Date(from.getTime() + 10 * DAY + 3_600_000).toISOString()];
const timeQuery = async () => {
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const started = performance.now();
    await handle.query(rangeQuery, rangeParams);
    samples.push(performance.now() - started);
  }
  return median(samples);
};
const size = async (index: string) => Number((await handle.query<{ bytes: string }>(`SELECT pg_relation_size($1::regclass)::text AS bytes`, [index]))[0]!.bytes);
const brinBytes = await size('forecast_audit_time_brin');
const brinMs = await timeQuery();
await handle.query('CREATE INDEX forecast_audit_time_btree_bench ON forecast_audit ("time")');
const btreeBytes = await size('forecast_audit_time_btree_bench');
const btreeMs = await timeQuery();
const tableBytes = await size('forecast_audit');
await handle.query('DROP INDEX forecast_audit_time_btree_bench');
const audit = { rows: AUDIT_ROWS, tableBytes, brinBytes, btreeBytes, brinRangeQueryMs: round(brinMs), btreeRangeQueryMs: round(btreeMs) };
printTable({
  columns: [`forecast_audit, ${AUDIT_ROWS.toLocaleString('en')} rows`, 'BRIN', 'B-tree'],
  rows: [
    ['index size (kB)', round(brinBytes / 1024, 0), round(btreeBytes / 1024, 0)],
    ['one-hour range count, median (ms)', audit.brinRangeQueryMs, audit.btreeRangeQueryMs],
  ],
});

const file = writeResult('monitoring', {
  database: database.kind,
  // The machine is shared with other sessions: uptime's 1/5/15-minute load averages (2 cores) when the run started and ended.
  loadAverage: { start: loadAverageAtStart, end: os.loadavg().map((value) => round(value)) },
  command: `npm run bench -- monitoring --events ${EVENTS} --requests ${REQUESTS} --concurrency ${CONCURRENCY} --audit-rows ${AUDIT_ROWS} --runs ${RUNS}`,
  recording,
  dashboard,
  audit,
  compression: 'not measured: TimescaleDB is not installed on this machine (on-disk size with and without compression needs a real TimescaleDB)',
});
console.log(`wrote ${file}`);
setMonitor(null);
await database.drop();
