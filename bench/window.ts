import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { decodeWindowStream } from '@/lib/data/arrow-window';
import { median, startBenchServer, type BenchServer } from './lib/bench-server';
import { printTable, writeResult } from './lib/report';

/**
 * `npm run bench -- window [runs]`: 1,000,000 rows (ts, value) from the local Postgres through the
 * window route (a separate server process) to this process, which decodes the Arrow stream;
 * against `psql -c "COPY (SELECT ...) TO STDOUT"` of the same rows, timed in the same run,
 * alternating. Also the server's RSS growth while it streams, for 100k and 1M rows, and the
 * postgres.js cursor reader (LOOKAHEAD_SQL_READER=cursor) for comparison with the default binary
 * COPY reader. Needs Postgres (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test) and psql.
 */
const ROWS = 1_000_000;
const runs = Number(process.argv[3] ?? 5);
if (!(runs >= 1)) throw new Error(`bench window: runs must be a number >= 1, got ${process.argv[3]}`);
const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const databaseName = `lookahead_bench_${randomBytes(4).toString('hex')}`;
const url = new URL(adminUrl);
url.pathname = `/${databaseName}`;
const benchUrl = url.toString();
const COPY_SQL = `COPY (SELECT ts, value FROM public.bench_points ORDER BY ts LIMIT ${ROWS}) TO STDOUT`;

const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${databaseName}`);
const servers: BenchServer[] = [];

async function timePsql(): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('psql', [benchUrl, '-X', '-q', '-c', COPY_SQL], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bench window: psql exited with ${code}`))));
  });
  return performance.now() - started;
}

async function timeRoute(server: BenchServer, rows: number): Promise<{ ms: number; rows: number; checksum: number; peakGrowthBytes: number }> {
  const { result, peakRssBytes, startRssBytes } = await server.sampleDuring(async () => {
    const started = performance.now();
    const response = await fetch(`${server.url}/api/sources/bench/window?table=public.bench_points&columns=value&limit=${rows}`);
    if (response.status !== 200) throw new Error(`bench window: HTTP ${response.status}: ${await response.text()}`);
    let count = 0;
    let checksum = 0;
    for await (const batch of decodeWindowStream(response.body!)) {
      count += batch.timestampsMs.length;
      checksum += batch.columns.value![batch.timestampsMs.length - 1] ?? 0;
    }
    return { ms: performance.now() - started, rows: count, checksum };
  });
  if (result.rows !== rows) throw new Error(`bench window: expected ${rows} rows, decoded ${result.rows}`);
  return { ...result, peakGrowthBytes: peakRssBytes - startRssBytes };
}

try {
  const sql = postgres(benchUrl, { max: 1, onnotice: () => {} });
  console.log(`bench window: loading ${ROWS} rows into ${databaseName}...`);
  await sql.unsafe(`CREATE TABLE bench_points (ts timestamptz NOT NULL, value double precision)`);
  await sql.unsafe(`INSERT INTO bench_points SELECT timestamptz '2020-01-01' + i * interval '1 minute', sin(i / 100.0) * 100 + random() FROM generate_series(1, ${ROWS}) i`);
  await sql.unsafe('CREATE INDEX bench_points_ts ON bench_points (ts)');
  await sql.unsafe('VACUUM ANALYZE bench_points');
  await sql.end();

  const sources = JSON.stringify([{ id: 'bench', url: benchUrl, tables: ['public.bench_points'] }]);
  // The app database is the bench database too (Postgres), so the server process holds no PGlite.
  const copyServer = await startBenchServer({ LOOKAHEAD_SOURCES: sources, DATABASE_URL: benchUrl, LOOKAHEAD_SQL_READER: 'copy' });
  servers.push(copyServer);
  const cursorServer = await startBenchServer({ LOOKAHEAD_SOURCES: sources, DATABASE_URL: benchUrl, LOOKAHEAD_SQL_READER: 'cursor' });
  servers.push(cursorServer);

  // Warm-up: connections, code paths, the table in shared buffers.
  await timePsql();
  const firstRun = await timeRoute(copyServer, ROWS);
  await timeRoute(cursorServer, ROWS);

  const psqlMs: number[] = [];
  const routeMs: number[] = [];
  const routeGrowth: number[] = [];
  for (let run = 0; run < runs; run++) {
    psqlMs.push(await timePsql());
    const route = await timeRoute(copyServer, ROWS);
    routeMs.push(route.ms);
    routeGrowth.push(route.peakGrowthBytes);
  }
  const small = await timeRoute(copyServer, 100_000);
  const cursorMs: number[] = [];
  const cursorGrowth: number[] = [];
  for (let run = 0; run < Math.max(1, Math.min(3, runs)); run++) {
    const route = await timeRoute(cursorServer, ROWS);
    cursorMs.push(route.ms);
    cursorGrowth.push(route.peakGrowthBytes);
  }

  const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  const psqlMedian = median(psqlMs);
  const rows = [
    ['psql COPY ... TO STDOUT (text, to /dev/null)', ROWS, Math.round(psqlMedian), Math.round(Math.min(...psqlMs)), '1.00', '-'],
    ['window route, binary COPY reader -> Arrow -> decode', ROWS, Math.round(median(routeMs)), Math.round(Math.min(...routeMs)), (median(routeMs) / psqlMedian).toFixed(2), mb(Math.max(...routeGrowth))],
    ['window route, postgres.js cursor reader', ROWS, Math.round(median(cursorMs)), Math.round(Math.min(...cursorMs)), (median(cursorMs) / psqlMedian).toFixed(2), mb(Math.max(...cursorGrowth))],
    ['window route, binary COPY reader (100k rows)', 100_000, Math.round(small.ms), Math.round(small.ms), '-', mb(small.peakGrowthBytes)],
    ['first request in a fresh server (warm-up, 1M rows)', ROWS, Math.round(firstRun.ms), Math.round(firstRun.ms), '-', mb(firstRun.peakGrowthBytes)],
  ];
  console.log(`\nwindow: ${ROWS} rows (ts, value), median of ${runs} alternating runs after a warm-up; server RSS growth = peak during the stream minus RSS before it\n`);
  printTable({ columns: ['path', 'rows', 'median ms', 'min ms', 'x COPY', 'server RSS growth MB'], rows });
  const file = writeResult('window', {
    description: 'Window route (separate Node process, bench/lib/route-server.ts) streaming an Arrow IPC window of a local Postgres table to a Node client that decodes it, vs psql COPY of the same rows',
    rows: ROWS,
    runs,
    copySql: COPY_SQL,
    psqlMs,
    routeCopyReaderMs: routeMs,
    routeCursorReaderMs: cursorMs,
    ratioCopyReader: median(routeMs) / psqlMedian,
    ratioCursorReader: median(cursorMs) / psqlMedian,
    serverRssGrowthMB: {
      firstRequestInFreshProcess: mb(firstRun.peakGrowthBytes),
      copyReader1M: routeGrowth.map(mb),
      copyReader100k: mb(small.peakGrowthBytes),
      cursorReader1M: cursorGrowth.map(mb),
    },
  });
  console.log(`\nwrote ${file}`);
} finally {
  for (const server of servers) await server.stop();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  await admin.end();
}
