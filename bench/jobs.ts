import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { listLiveWorkers, migrateDatabase, openDatabase, type DatabaseHandle } from '@/db';
import { modelFileFor } from '@/lib/models/chronos-bolt';
import { describeJob, jobSettings, openJobQueue, submitJob } from '@/lib/server/jobs';
import { findInstalledModel } from '@/lib/server/models/store';
import { convertCheckpointDir } from '@/scripts/models-convert';
import { makeRandomCheckpoint, type ChronosBoltSize } from '@/tests/support/chronos-checkpoint';
import { spawnWorker, stopWorkerProcess, type WorkerProcess } from '@/tests/support/job-workers';
import { cpuTimeMs, peakResidentBytes, postgresCpuMs, threadCpuMs } from './chronos/process-stats';
import { openRawForecaster } from './lib/raw-forecast';
import { printTable, writeResult } from './lib/report';

/**
 * `npm run bench -- jobs [--series 10000] [--small-series 2000] [--rss-series 2000] [--length 512] [--sizes tiny,small] [--workers 1,2] [--chunk 256] [--batch 64] [--concurrency 2]`
 *
 * Batch forecasts of synthetic seeded series (a table in a fresh Postgres database, DATABASE_URL)
 * with random-weight Chronos-Bolt checkpoints of the official shapes, horizon 64, through the
 * queue with 1 and 2 `npm run worker` processes (onnxruntime-node, 1 intra-op thread each, on its
 * own thread; `--concurrency` chunks in flight per worker), next to the raw throughput of one
 * onnxruntime-node session (1 intra-op thread) on the same batches with no queue, database or
 * I/O, measured before and after the queue runs of each shape (the machine's load moves). Each
 * worker is warmed by small jobs before the timed one (model loaded, first chunk run), as the raw
 * session is warmed; that cold start is reported apart. Also:
 * CPU time per series (worker process vs raw session, which load from other processes moves far
 * less than wall time), each worker's peak RSS for a job of `--rss-series` and for the whole job
 * (it must not grow with the job), the load average around every cell, and what the cores allow:
 * CPU per series of the workers plus the local Postgres against this machine's cores.
 */
const { values } = parseArgs({
  args: process.argv.slice(3),
  options: {
    series: { type: 'string', default: '10000' },
    'small-series': { type: 'string' },
    'rss-series': { type: 'string', default: '2000' },
    length: { type: 'string', default: '512' },
    sizes: { type: 'string', default: 'tiny,small' },
    workers: { type: 'string', default: '1,2' },
    chunk: { type: 'string', default: '256' },
    batch: { type: 'string', default: '64' },
    'raw-series': { type: 'string', default: '1024' },
    concurrency: { type: 'string', default: '2' },
  },
});
const seriesCount = Number(values.series);
const seriesBySize: Record<string, number> = { tiny: seriesCount, small: Math.min(seriesCount, Number(values['small-series'] ?? seriesCount)) };
const rssSeries = Math.min(seriesCount, Number(values['rss-series']));
const length = Number(values.length);
const sizes = values.sizes!.split(',') as ChronosBoltSize[];
const workerCounts = values.workers!.split(',').map(Number);
const chunkSize = Number(values.chunk);
const batchSize = Number(values.batch);
const rawSeries = Math.min(seriesCount, Number(values['raw-series']));
const concurrency = Number(values.concurrency);
const HORIZON = 64;
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  console.error('bench jobs: needs DATABASE_URL (a Postgres server; the bench creates and drops a database of its own)');
  process.exit(2);
}

const root = await mkdtemp(path.join(os.tmpdir(), 'lookahead-bench-jobs-'));
const modelsDir = path.join(root, 'models');
// Submission checks the model exists, like the workers: both look here.
process.env.LOOKAHEAD_MODELS_DIR = modelsDir;
// The app source offers only the tables it is given: the bench's.
process.env.LOOKAHEAD_APP_TABLES = 'public.bench_series';
const databaseName = `lookahead_bench_jobs_${randomBytes(4).toString('hex')}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${databaseName}`);
const url = new URL(adminUrl);
url.pathname = `/${databaseName}`;
const handle = await openDatabase({ url: url.toString() });

/** Seeded synthetic series: a per-series level, a daily season of per-series phase and a hash-based noise. */
async function createSeries(database: DatabaseHandle): Promise<void> {
  await database.query(`CREATE TABLE bench_series (entity text NOT NULL, ts timestamptz NOT NULL, value double precision)`);
  for (let start = 0; start < seriesCount; start += 500) {
    await database.query(
      `INSERT INTO bench_series SELECT 'b' || lpad(e::text, 6, '0'), timestamptz '2024-01-01' + make_interval(hours => h),
         100 + (e % 37) * 3 + 10 * sin(2 * pi() * (h + e % 24) / 24.0) + ((e * 7919 + h * 104729) % 1000) / 100.0
       FROM generate_series($1::int, $2::int) AS e, generate_series(0, $3::int - 1) AS h`,
      [start, Math.min(seriesCount, start + 500) - 1, length],
    );
  }
  await database.query(`CREATE INDEX bench_series_entity_ts ON bench_series (entity, ts)`);
  // What autovacuum does to a freshly loaded table soon after: statistics, and the visibility map that
  // lets a window's boundary lookup read the index alone.
  await database.query(`VACUUM ANALYZE bench_series`);
}

async function installModel(size: ChronosBoltSize): Promise<string> {
  const id = `bench-${size}`;
  const checkpointDir = path.join(root, `${size}-checkpoint`);
  const checkpoint = makeRandomCheckpoint(size);
  await mkdir(checkpointDir, { recursive: true });
  await writeFile(path.join(checkpointDir, 'config.json'), JSON.stringify(checkpoint.configJson));
  await writeFile(path.join(checkpointDir, 'model.safetensors'), checkpoint.safetensorsBytes);
  await convertCheckpointDir({ checkpointDir, outDir: path.join(modelsDir, id, 'bench'), id, revision: 'bench' });
  await rm(checkpointDir, { recursive: true, force: true });
  return id;
}

/** One session, 1 thread, the same batches (batchSize rows of `length` points), no queue, database or I/O. */
async function rawThroughput(modelId: string, contexts: Float64Array[]): Promise<{ seriesPerSecond: number; cpuMsPerSeries: number }> {
  const installed = findInstalledModel(modelId, modelsDir)!;
  const forecaster = await openRawForecaster(path.join(installed.directory, modelFileFor(installed.manifest).name), installed.manifest.config, { batch: batchSize, horizon: HORIZON });
  await forecaster.warmUp(contexts);
  const { seconds, cpuMs } = await forecaster.time(contexts);
  await forecaster.release();
  return { seriesPerSecond: contexts.length / seconds, cpuMsPerSeries: cpuMs / contexts.length };
}

/**
 * `processes` raw sessions at once, each in a process of its own on the same contexts (no queue,
 * database or I/O): what this machine's cores give N processes of model work, the ceiling for N
 * workers. Series per second of all of them together.
 */
async function rawProcesses(modelId: string, contexts: Float64Array[], processes: number): Promise<{ seriesPerSecond: number; cpuMsPerSeries: number }> {
  const installed = findInstalledModel(modelId, modelsDir)!;
  const contextsFile = path.join(root, 'contexts.f64');
  const configFile = path.join(root, `${modelId.replace(/[^a-z0-9-]/gi, '_')}-config.json`);
  const joined = new Float64Array(contexts.length * length);
  contexts.forEach((context, index) => joined.set(context, index * length));
  await writeFile(contextsFile, new Uint8Array(joined.buffer));
  await writeFile(configFile, JSON.stringify(installed.manifest.config));
  const args = [path.join(installed.directory, modelFileFor(installed.manifest).name), configFile, contextsFile, String(length), String(batchSize), String(HORIZON)];
  const children = Array.from({ length: processes }, () => spawn(process.execPath, ['--import', 'tsx', '--conditions=react-server', 'bench/lib/raw-forecast-process.ts', ...args], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const lines = children.map((child) => {
    let buffered = '';
    const waiting: ((line: string) => void)[] = [];
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        waiting.shift()?.(line);
      }
    });
    return () => new Promise<string>((resolve) => waiting.push(resolve));
  });
  const ready = lines.map((next) => next());
  await Promise.all(ready);
  const done = lines.map((next) => next());
  for (const child of children) child.stdin!.write('go\n');
  const results = (await Promise.all(done)).map((line) => JSON.parse(line) as { series: number; seconds: number; cpuMs: number });
  const series = results.reduce((sum, result) => sum + result.series, 0);
  return { seriesPerSecond: series / Math.max(...results.map((result) => result.seconds)), cpuMsPerSeries: results.reduce((sum, result) => sum + result.cpuMs, 0) / series };
}

async function readContexts(count: number): Promise<Float64Array[]> {
  const rows = await handle.query<{ entity: string; values: number[] }>(
    `SELECT entity, array_agg(value ORDER BY ts) AS values FROM bench_series WHERE entity <= $1 GROUP BY entity ORDER BY entity`,
    [`b${String(count - 1).padStart(6, '0')}`],
  );
  return rows.map((row) => Float64Array.from(row.values));
}

interface QueueRun {
  seriesPerSecond: number;
  wallSeconds: number;
  /** CPU time of the worker processes (every thread: model, reads, writes, queue) per series. */
  cpuMsPerSeries: number;
  /** The same split: the workers' main threads (reads, results, queue), their model threads (onnxruntime; each worker's busiest other thread) and the rest (V8's GC helpers, libuv). */
  mainThreadCpuMsPerSeries: number;
  modelThreadCpuMsPerSeries: number;
  otherThreadsCpuMsPerSeries: number;
  /** CPU time of the local Postgres (every backend, the queue's included) per series; null for a remote server. */
  postgresCpuMsPerSeries: number | null;
  peakRssMiB: number[];
  retries: number;
  load: number[];
  /** The warm-up before the timed job: each worker's model load and first chunk (see runThroughQueue). */
  coldStartSeconds: number;
  /** From the job's creation to its first chunk starting (submission, queue polling). */
  startSeconds: number;
  /** From the first worker running out of chunks to the job's end: part of the machine idles then. */
  tailSeconds: number;
}

const seriesName = (index: number) => `b${String(index).padStart(6, '0')}`;
const jobParams = (modelId: string) => ({ source: 'app', window: { table: 'bench_series', time: 'ts', columns: 'value', entity: 'entity' }, model: modelId, horizon: HORIZON, context: length });

async function waitForJob(id: string): Promise<void> {
  for (;;) {
    const view = await describeJob({ handle, id });
    if (view!.terminal) {
      if (view!.state !== 'completed') throw new Error(`bench jobs: job ended ${view!.state}: ${JSON.stringify(view!.failures.slice(0, 3))}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function runThroughQueue(modelId: string, workers: number, series: number): Promise<QueueRun> {
  const settings = { ...jobSettings({}), chunkRetries: 2 };
  const queue = await openJobQueue({ handle, url: url.toString(), settings, maintenance: false });
  const env = { DATABASE_URL: url.toString(), LOOKAHEAD_APP_TABLES: 'public.bench_series', LOOKAHEAD_MODELS_DIR: modelsDir, LOOKAHEAD_ORT_THREADS: '1', LOOKAHEAD_BATCH_SIZE: String(batchSize), LOOKAHEAD_WORKER_CONCURRENCY: String(concurrency) };
  const processes: WorkerProcess[] = Array.from({ length: workers }, (_, index) => spawnWorker({ ...env, LOOKAHEAD_WORKER_NAME: `bench-${index}` }));
  try {
    for (;;) {
      const live = await listLiveWorkers({ handle, withinSeconds: 30 });
      if (live.filter((worker) => worker.id.startsWith('bench-') && processes.some((process) => worker.pid === process.pid)).length >= workers) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Warm every worker first, as the raw session is warmed before it is timed: a worker loads its
    // model on its first chunk and keeps it for every later job (one session per process), so a
    // cold start is a one-off per worker process, not a cost per job. Small jobs until each worker
    // has run a chunk of one; the time they took is reported apart (coldStartSeconds).
    const warmStarted = performance.now();
    const warmed = new Set<string>();
    for (let round = 0; warmed.size < workers; round++) {
      if (round >= 10) throw new Error(`bench jobs: only ${warmed.size} of ${workers} workers took a warm-up chunk in 10 rounds`);
      const warm = await submitJob({ handle, queue, settings, request: { kind: 'forecast-batch', chunkSize: batchSize, params: { ...jobParams(modelId), series: Array.from({ length: batchSize * workers * concurrency }, (_, index) => seriesName(index)) } } });
      await waitForJob(warm.id);
      const rows = await handle.query<{ worker: string }>(`SELECT DISTINCT worker FROM job_chunks WHERE job_id = $1 AND worker IS NOT NULL`, [warm.id]);
      for (const row of rows) warmed.add(row.worker);
    }
    const coldStartSeconds = (performance.now() - warmStarted) / 1000;
    const cpuBefore = processes.map((process) => cpuTimeMs(process.pid));
    const threadsBefore = processes.map((process) => threadCpuMs(process.pid));
    const postgresBefore = postgresCpuMs();
    const job = await submitJob({
      handle,
      queue,
      settings,
      request: {
        kind: 'forecast-batch',
        chunkSize,
        params: { ...jobParams(modelId), series: Array.from({ length: series }, (_, index) => seriesName(index)) },
      },
    });
    let view = await describeJob({ handle, id: job.id });
    const peaks = processes.map(() => 0);
    while (!view!.terminal) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      processes.forEach((process, index) => {
        try {
          peaks[index] = Math.max(peaks[index]!, peakResidentBytes(process.pid));
        } catch {}
      });
      view = await describeJob({ handle, id: job.id });
    }
    const cpuMs = processes.reduce((sum, process, index) => sum + cpuTimeMs(process.pid) - cpuBefore[index]!, 0);
    // Per worker, each thread's CPU during the job: the main thread, the busiest other one (the model's), the rest.
    let mainMs = 0;
    let modelMs = 0;
    let othersMs = 0;
    processes.forEach((process, index) => {
      const before = threadsBefore[index]!;
      const used = [...threadCpuMs(process.pid)].map(([tid, ms]) => ({ tid, ms: ms - (before.get(tid) ?? 0) }));
      const main = used.find((thread) => thread.tid === String(process.pid))?.ms ?? 0;
      const model = Math.max(0, ...used.filter((thread) => thread.tid !== String(process.pid)).map((thread) => thread.ms));
      mainMs += main;
      modelMs += model;
      othersMs += used.reduce((sum, thread) => sum + thread.ms, 0) - main - model;
    });
    const postgresAfter = postgresCpuMs();
    const postgresMs = postgresBefore === null || postgresAfter === null ? null : postgresAfter - postgresBefore;
    if (view!.state !== 'completed') throw new Error(`bench jobs: job ended ${view!.state}: ${JSON.stringify(view!.failures.slice(0, 3))}`);
    // Submission (job record + queue messages) is part of the overhead: wall time runs from creation to the last result.
    // Within it: the start (to the first chunk starting) and the tail (after the first worker ran out of chunks).
    const [timing] = await handle.query<{ wall: number; start: number; tail: number }>(
      `SELECT extract(epoch FROM j.finished_at - j.created_at)::float8 AS wall,
              extract(epoch FROM (SELECT min(started_at) FROM job_chunks WHERE job_id = j.id) - j.created_at)::float8 AS start,
              extract(epoch FROM j.finished_at - (SELECT min(last) FROM (SELECT max(finished_at) AS last FROM job_chunks WHERE job_id = j.id GROUP BY worker) AS w))::float8 AS tail
         FROM jobs j WHERE j.id = $1`,
      [job.id],
    );
    const wallSeconds = timing!.wall;
    return { startSeconds: timing!.start, tailSeconds: workers > 1 ? timing!.tail : 0, seriesPerSecond: series / wallSeconds, wallSeconds, cpuMsPerSeries: cpuMs / series, mainThreadCpuMsPerSeries: mainMs / series, modelThreadCpuMsPerSeries: modelMs / series, otherThreadsCpuMsPerSeries: othersMs / series, postgresCpuMsPerSeries: postgresMs === null ? null : postgresMs / series, peakRssMiB: peaks.map((bytes) => Math.round(bytes / 2 ** 20)), retries: view!.attempts - view!.totalChunks, load: os.loadavg(), coldStartSeconds };
  } finally {
    await Promise.all(processes.map((process) => stopWorkerProcess(process)));
    await queue.stop();
  }
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const rows: (string | number)[][] = [];
const cells: Record<string, unknown>[] = [];
const shapes: Record<string, unknown>[] = [];
const ceilings: string[] = [];
try {
  await migrateDatabase(handle);
  console.log(`bench jobs: ${seriesCount} series x ${length} points into ${databaseName} (load ${os.loadavg().map((value) => value.toFixed(2)).join(' ')})…`);
  await createSeries(handle);
  const contexts = await readContexts(rawSeries);
  for (const size of sizes) {
    const total = seriesBySize[size] ?? seriesCount;
    const modelId = await installModel(size);
    const rawBefore = await rawThroughput(modelId, contexts);
    // The machine's own scaling, before any queue: one raw process vs as many as the most workers, side by side.
    const most = Math.max(...workerCounts);
    const rawOneProcess = await rawProcesses(modelId, contexts, 1);
    const rawManyProcesses = most > 1 ? await rawProcesses(modelId, contexts, most) : null;
    const loadBefore = os.loadavg();
    const byWorkers: Record<number, QueueRun> = {};
    for (const workers of workerCounts) byWorkers[workers] = await runThroughQueue(modelId, workers, total);
    // The same job at a smaller size, for the worker's peak RSS (it must not grow with the job).
    const smaller = rssSeries < total ? await runThroughQueue(modelId, 1, rssSeries) : null;
    const rawAfter = await rawThroughput(modelId, contexts);
    const raw = (rawBefore.seriesPerSecond + rawAfter.seriesPerSecond) / 2;
    const rawCpu = (rawBefore.cpuMsPerSeries + rawAfter.cpuMsPerSeries) / 2;
    const one = byWorkers[1];
    for (const workers of workerCounts) {
      const run = byWorkers[workers]!;
      // Overhead against raw x workers: the raw session is one process on one thread.
      const overhead = 1 - run.seriesPerSecond / (raw * workers);
      const cpuOverhead = 1 - rawCpu / run.cpuMsPerSeries;
      const speedUp = one ? run.seriesPerSecond / one.seriesPerSecond : null;
      rows.push([size, workers, total, `${round(rawBefore.seriesPerSecond)}/${round(rawAfter.seriesPerSecond)}`, round(run.seriesPerSecond), `${(overhead * 100).toFixed(1)}%`, `${round(rawCpu, 2)}/${round(run.cpuMsPerSeries, 2)} (${(cpuOverhead * 100).toFixed(0)}%)`, `${round(run.mainThreadCpuMsPerSeries, 2)}/${round(run.modelThreadCpuMsPerSeries, 2)}/${round(run.otherThreadsCpuMsPerSeries, 2)}`, run.postgresCpuMsPerSeries === null ? '-' : round(run.postgresCpuMsPerSeries, 2), speedUp === null ? '-' : speedUp.toFixed(2), run.peakRssMiB.join('/'), run.retries, run.load[0]!.toFixed(1)]);
      cells.push({ size, workers, series: total, rawSeriesPerSecond: raw, rawBefore: rawBefore.seriesPerSecond, rawAfter: rawAfter.seriesPerSecond, queueSeriesPerSecond: run.seriesPerSecond, wallSeconds: run.wallSeconds, overheadVsRaw: overhead, rawCpuMsPerSeries: rawCpu, queueCpuMsPerSeries: run.cpuMsPerSeries, mainThreadCpuMsPerSeries: run.mainThreadCpuMsPerSeries, modelThreadCpuMsPerSeries: run.modelThreadCpuMsPerSeries, otherThreadsCpuMsPerSeries: run.otherThreadsCpuMsPerSeries, cpuOverheadVsRaw: cpuOverhead, postgresCpuMsPerSeries: run.postgresCpuMsPerSeries, speedupVsOneWorker: speedUp, peakRssMiB: run.peakRssMiB, retries: run.retries, coldStartSeconds: run.coldStartSeconds, startSeconds: run.startSeconds, tailSeconds: run.tailSeconds, loadAverageAfter: run.load });
    }
    if (smaller) {
      rows.push([size, 1, rssSeries, '', round(smaller.seriesPerSecond), '', '', '', '', '', smaller.peakRssMiB.join('/'), smaller.retries, smaller.load[0]!.toFixed(1)]);
      cells.push({ size, workers: 1, series: rssSeries, queueSeriesPerSecond: smaller.seriesPerSecond, queueCpuMsPerSeries: smaller.cpuMsPerSeries, peakRssMiB: smaller.peakRssMiB, retries: smaller.retries, loadAverageAfter: smaller.load, note: 'smaller job: the worker peak RSS must match the full job' });
    }
    // What the cores allow: every process's CPU per series (workers and the local Postgres) against
    // this machine's cores. A run near 100% is bound by the machine's CPU, not by the queue.
    const cores = os.availableParallelism();
    const cpuBound = (run: QueueRun) => (run.postgresCpuMsPerSeries === null ? null : (cores * 1000) / (run.cpuMsPerSeries + run.postgresCpuMsPerSeries));
    for (const workers of workerCounts) {
      const run = byWorkers[workers]!;
      const bound = cpuBound(run);
      if (bound !== null) ceilings.push(`${size}, ${workers} worker${workers > 1 ? 's' : ''}: ${round(run.cpuMsPerSeries + run.postgresCpuMsPerSeries!, 2)} ms of CPU per series (workers ${round(run.cpuMsPerSeries, 2)} + Postgres ${round(run.postgresCpuMsPerSeries!, 2)}): ${cores} cores allow at most ${round(bound)} series/s; the run reached ${round(run.seriesPerSecond)} (${((run.seriesPerSecond / bound) * 100).toFixed(0)}% of the CPU); ${round(run.wallSeconds, 2)} s from submission to the last result, of which ${round(run.startSeconds, 2)} s to the first chunk's start${workers > 1 ? ` and ${round(run.tailSeconds, 2)} s after the first worker ran out of chunks` : ''}`);
    }
    if (rawManyProcesses) ceilings.push(`${size}: raw sessions in 1 vs ${most} processes at once, no queue: ${round(rawOneProcess.seriesPerSecond)} vs ${round(rawManyProcesses.seriesPerSecond)} series/s (${(rawManyProcesses.seriesPerSecond / rawOneProcess.seriesPerSecond).toFixed(2)}x: this machine's ceiling for ${most} workers)`);
    shapes.push({ size, series: total, loadAverageBefore: loadBefore, rawBefore, rawAfter, overheadAtOneWorker: one ? 1 - one.seriesPerSecond / raw : null, twoWorkersVsOne: byWorkers[2] && one ? byWorkers[2].seriesPerSecond / one.seriesPerSecond : null, rawProcesses: { 1: rawOneProcess, ...(rawManyProcesses ? { [most]: rawManyProcesses } : {}) }, rawProcessScaling: rawManyProcesses ? rawManyProcesses.seriesPerSecond / rawOneProcess.seriesPerSecond : null, cpuBoundSeriesPerSecond: Object.fromEntries(workerCounts.map((workers) => [workers, cpuBound(byWorkers[workers]!)])), peakRssMiB: { [total]: byWorkers[1]?.peakRssMiB[0] ?? null, ...(smaller ? { [rssSeries]: smaller.peakRssMiB[0] } : {}) } });
  }
  printTable({
    columns: ['model', 'workers', 'series', 'raw series/s before/after (1 thread)', 'queue series/s', 'overhead vs raw x workers', 'CPU ms/series raw/queue (overhead)', 'worker CPU ms/series: main/model/other threads', 'Postgres CPU ms/series', 'speed-up vs 1 worker', 'worker peak RSS MiB', 'chunk retries', 'load 1 min'],
    rows,
  });
  for (const line of ceilings) console.log(line);
  const file = writeResult('jobs', { settings: { seriesBySize, rssSeries, length, horizon: HORIZON, chunkSize, batchSize, rawSeries, ortThreads: 1, workerConcurrency: concurrency }, loadAverageAtEnd: os.loadavg(), shapes, cells });
  console.log(`bench jobs: wrote ${file} (load ${os.loadavg().map((value) => value.toFixed(2)).join(' ')})`);
} finally {
  await handle.close();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  await admin.end();
  await rm(root, { recursive: true, force: true });
}
