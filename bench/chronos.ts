import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startChronosHarness, type ChronosHarnessServer } from '@/tests/browser/chronos-page';
import { median } from '@/tests/browser/repeat-timing';
import { CHRONOS_BOLT_SHAPES } from '@/tests/support/chronos-checkpoint';
import { chromiumTarget, launchBenchChromium } from './chronos/chromium-target';
import { prepareModel } from './chronos/models';
import { nodeTarget } from './chronos/node-target';
import { parseChronosBenchArgs, USAGE } from './chronos/options';
import { cpuTimeMs, peakResidentBytes, residentBytes, resetPeakResident, waitUntilIdle } from './chronos/process-stats';
import { RUNTIME_LABELS, type CellRequest, type RuntimeName, type RuntimeTarget } from './chronos/target';
import { printTable, writeResult } from './lib/report';

/**
 * `npm run bench -- chronos [flags]`: Chronos-Bolt forward latency, throughput and peak memory for
 * the official shapes (random weights, converted by the real converter) on onnxruntime-node CPU,
 * onnxruntime-web WASM in Node and onnxruntime-web WASM in headless Chromium, side by side: every
 * cell is measured on all runtimes in turn before the next cell, so load from elsewhere on the
 * machine hits them alike. A cell is one predict() of `batch` synthetic series of `context` values
 * at the model's horizon (64), which is one model call (maxBatch = batch), pre/post-processing
 * included. Each runtime has its own process (Node child, Chromium renderer) and is measured from
 * outside through /proc: wall time (median), CPU time per run, and peak RSS during the cell.
 *
 * Threads: --threads 1,2 (default 1): every count is its own set of runtime processes, measured
 * side by side in each cell. The app now gives the browser every core (navigator.hardwareConcurrency);
 * 1 is the only count onnxruntime-web's browser build can run in Node. Memory:
 * WASM linear memory never shrinks, so a WASM cell's peak includes the process's earlier cells of
 * the same model; onnxruntime-web in Node keeps ~1.4 GB more RSS once V8 has TurboFan-compiled
 * all of its wasm in the background after loading (Chromium tiers up hot functions only).
 */

interface Cell {
  runtime: RuntimeName;
  size: string;
  batch: number;
  context: number;
  threads: number;
  runs: number;
  medianMs: number;
  minMs: number;
  samplesMs: number[];
  warmupMs: number[];
  seriesPerSecond: number;
  /** Process CPU time per timed run (all threads): steadier than wall time on a shared machine. */
  cpuMsPerRun: number;
  /** Peak RSS of the runtime's process during the cell (warm-up included); Chromium: the renderer. */
  peakRssBytes: number;
  /** measureUserAgentSpecificMemory() after the cell (Chromium only). */
  reportedMemoryBytes: number | null;
  /** 1-minute load average when the cell ended (this benchmark adds about 1): the machine is shared. */
  loadAverage: number;
}

interface Load {
  runtime: RuntimeName;
  size: string;
  loadMs: number;
  detail: string;
  rssAfterLoadBytes: number;
  /** Waiting for background compilation to end, after loading and after settling. */
  idleWaitMs: number;
  settleMs: number[];
}

const options = parseChronosBenchArgs(process.argv.slice(3));
const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
const mib = (bytes: number): number => round(bytes / 2 ** 20, 0);

function packageVersion(name: string): string {
  const file = path.resolve('node_modules', name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : 'missing';
}

type ThreadedTarget = RuntimeTarget & { threads: number };

async function measureCell(target: ThreadedTarget, request: CellRequest): Promise<Omit<Cell, 'size'>> {
  const pid = target.pid;
  resetPeakResident(pid);
  const warmup = await target.time({ ...request, timing: { ...request.timing, minRepeats: 0, maxRepeats: 0 } });
  const cpuBefore = cpuTimeMs(pid);
  const timed = await target.time({ ...request, timing: { ...request.timing, warmup: 0 } });
  const cpuAfter = cpuTimeMs(pid);
  const peakRssBytes = peakResidentBytes(pid);
  const medianMs = median(timed.samplesMs);
  return {
    runtime: target.runtime,
    batch: request.batch,
    context: request.context,
    threads: target.threads,
    runs: timed.samplesMs.length,
    medianMs: round(medianMs),
    minMs: round(Math.min(...timed.samplesMs)),
    samplesMs: timed.samplesMs.map((sample) => round(sample)),
    warmupMs: warmup.warmupMs.map((sample) => round(sample)),
    seriesPerSecond: round((request.batch * 1000) / medianMs, 2),
    cpuMsPerRun: round((cpuAfter - cpuBefore) / timed.samplesMs.length),
    peakRssBytes,
    reportedMemoryBytes: await target.reportedMemoryBytes(),
    loadAverage: round(os.loadavg()[0]!, 2),
  };
}

const workDir = await mkdtemp(path.join(os.tmpdir(), 'lookahead-bench-chronos-'));
let browser: Browser | null = null;
let server: ChronosHarnessServer | null = null;
let chromiumVersion: string | null = null;
const cells: Cell[] = [];
const loads: Load[] = [];
const models: { size: string; parameters: number; onnxBytes: number; convertMs: number }[] = [];
const skipped: string[] = [];
const started = performance.now();

console.log(`bench chronos: sizes ${options.sizes.join(',')}, batches ${options.batches.join(',')}, contexts ${options.contexts.join(',')}, threads ${options.threads.join(',')}, runtimes ${options.runtimes.join(', ')}`);
try {
  const runtimes = options.runtimes;
  for (const threads of options.threads.filter((count) => count > 1)) {
    if (runtimes.includes('onnxruntime-web-node')) {
      // onnxruntime-web's browser build (what lib/runtime/onnx-web.ts imports) fetches its worker
      // script to start threads, and Node's fetch cannot read file: URLs.
      skipped.push(`onnxruntime-web-node: ${threads} threads are impossible in Node (the browser build fetches its worker script; Node's fetch has no file: URLs)`);
    }
  }
  if (runtimes.includes('onnxruntime-web-chromium')) {
    server = await startChronosHarness(Object.fromEntries(options.sizes.map((size) => [size, path.join(workDir, size)])));
    browser = await launchBenchChromium();
    chromiumVersion = browser.version();
  }
  const targets: ThreadedTarget[] = options.threads.flatMap((threads) =>
    runtimes
      .filter((runtime) => threads === 1 || runtime !== 'onnxruntime-web-node')
      .map((runtime) => Object.assign(runtime === 'onnxruntime-web-chromium' ? chromiumTarget(browser!, server!, threads) : nodeTarget(runtime, threads), { threads })),
  );

  for (const size of options.sizes) {
    const model = await prepareModel(workDir, size);
    models.push({ size, parameters: model.parameters, onnxBytes: model.onnxBytes, convertMs: round(model.convertMs) });
    console.log(`\n${size}: ${(model.parameters / 1e6).toFixed(1)}M parameters, model.onnx ${mib(model.onnxBytes)} MiB, converted in ${(model.convertMs / 1000).toFixed(1)} s`);
    try {
      for (const target of targets) {
        const loaded = await target.load(model);
        let idleWaitMs = await waitUntilIdle(target.pid);
        // Settle: WASM engines start on baseline code and tier hot functions up in the background;
        // run one series (same kernels as any batch) for 5 runs and 3 s at least before timing anything.
        const settle = await target.time({
          batch: 1,
          context: Math.min(...options.contexts),
          seed: options.seed,
          timing: { warmup: 0, minRepeats: 5, maxRepeats: 50, budgetMs: 3000 },
        });
        idleWaitMs += await waitUntilIdle(target.pid);
        loads.push({
          runtime: target.runtime,
          size,
          loadMs: round(loaded.loadMs),
          detail: loaded.detail,
          rssAfterLoadBytes: residentBytes(target.pid),
          idleWaitMs: round(idleWaitMs),
          settleMs: settle.samplesMs.map((sample) => round(sample)),
        });
        console.log(`  ${RUNTIME_LABELS[target.runtime]} ${target.threads}T: loaded in ${(loaded.loadMs / 1000).toFixed(1)} s (${loaded.detail}), idle after ${(idleWaitMs / 1000).toFixed(0)} s, settled after ${settle.samplesMs.length} runs, RSS ${mib(residentBytes(target.pid))} MiB`);
      }
      for (const context of options.contexts) {
        for (const batch of options.batches) {
          const request: CellRequest = {
            batch,
            context,
            seed: options.seed,
            timing: { warmup: options.warmup, minRepeats: options.minRepeats, maxRepeats: options.maxRepeats, budgetMs: options.budgetMs },
          };
          for (const target of targets) {
            const cell = { size, ...(await measureCell(target, request)) };
            cells.push(cell);
            console.log(`  ${size} batch ${batch} context ${context} ${RUNTIME_LABELS[cell.runtime]} ${cell.threads}T: median ${cell.medianMs} ms of ${cell.runs}, ${cell.cpuMsPerRun} ms CPU/run, peak ${mib(cell.peakRssBytes)} MiB`);
          }
        }
      }
    } finally {
      for (const target of targets) await target.unload();
      await rm(model.dir, { recursive: true, force: true });
    }
  }
} finally {
  await browser?.close();
  await server?.close();
  await rm(workDir, { recursive: true, force: true });
}

const runtimeRows = cells.map((cell) => [
  cell.size,
  cell.batch,
  cell.context,
  RUNTIME_LABELS[cell.runtime],
  cell.threads,
  cell.medianMs,
  cell.seriesPerSecond,
  cell.cpuMsPerRun,
  mib(cell.peakRssBytes),
  cell.reportedMemoryBytes === null ? '-' : mib(cell.reportedMemoryBytes),
  cell.runs,
  cell.loadAverage,
]);
console.log(`\nChronos-Bolt forward (predict, horizon 64), threads ${options.threads.join(',')}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}):\n`);
printTable({
  columns: ['size', 'batch', 'context', 'runtime', 'threads', 'median ms', 'series/s', 'CPU ms/run', 'peak RSS MiB', 'UA memory MiB', 'runs', 'load'],
  rows: runtimeRows,
});

const ratios = [...new Set(cells.map((cell) => `${cell.size}|${cell.batch}|${cell.context}|${cell.threads}`))].map((key) => {
  const [size, batch, context, threads] = key.split('|');
  const of = (runtime: RuntimeName) => cells.find((cell) => `${cell.size}|${cell.batch}|${cell.context}|${cell.threads}` === key && cell.runtime === runtime);
  const native = of('onnxruntime-node');
  const webNode = of('onnxruntime-web-node');
  const browserCell = of('onnxruntime-web-chromium');
  const ratio = (cell: Cell | undefined, field: 'medianMs' | 'cpuMsPerRun') => (cell && native ? round(cell[field] / native[field], 2) : null);
  return {
    size: size!,
    batch: Number(batch),
    context: Number(context),
    threads: Number(threads),
    nativeMs: native?.medianMs ?? null,
    webNodeMs: webNode?.medianMs ?? null,
    chromiumMs: browserCell?.medianMs ?? null,
    chromiumOverNative: ratio(browserCell, 'medianMs'),
    chromiumOverNativeCpu: ratio(browserCell, 'cpuMsPerRun'),
    webNodeOverNative: ratio(webNode, 'medianMs'),
  };
});
const show = (value: number | null): string | number => value ?? '-';
console.log('\nBrowser WASM / native (target <= 3x):\n');
printTable({
  columns: ['size', 'batch', 'context', 'threads', 'native ms', 'web (Node) ms', 'Chromium ms', 'Chromium/native', 'by CPU time', 'web (Node)/native'],
  rows: ratios.map((row) => [row.size, row.batch, row.context, row.threads, show(row.nativeMs), show(row.webNodeMs), show(row.chromiumMs), show(row.chromiumOverNative), show(row.chromiumOverNativeCpu), show(row.webNodeOverNative)]),
});
// Speed-up from 1 thread to each higher count, per runtime and cell, from the same run.
const speedups = cells
  .filter((cell) => cell.threads > 1)
  .flatMap((cell) => {
    const single = cells.find((other) => other.threads === 1 && other.runtime === cell.runtime && other.size === cell.size && other.batch === cell.batch && other.context === cell.context);
    return single ? [{ runtime: cell.runtime, size: cell.size, batch: cell.batch, context: cell.context, threads: cell.threads, speedup: round(single.medianMs / cell.medianMs, 2) }] : [];
  });
if (speedups.length > 0) {
  console.log('\nSpeed-up over 1 thread (target >= 1.6x for Chromium at batch >= 32 with 2 threads):\n');
  printTable({ columns: ['runtime', 'size', 'batch', 'context', 'threads', 'speed-up'], rows: speedups.map((row) => [RUNTIME_LABELS[row.runtime], row.size, row.batch, row.context, row.threads, row.speedup]) });
}
for (const line of skipped) console.log(`skipped: ${line}`);

const run = {
  args: process.argv.slice(3),
  options,
  startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
  durationS: round((performance.now() - started) / 1000),
  threads: options.threads,
  versions: {
    'onnxruntime-node': packageVersion('onnxruntime-node'),
    'onnxruntime-web': packageVersion('onnxruntime-web'),
    chromium: chromiumVersion,
  },
  skipped,
};
const cellKey = (cell: { runtime: string; size: string; batch: number; context: number; threads: number }) => `${cell.runtime}|${cell.size}|${cell.batch}|${cell.context}|${cell.threads}`;
const resultFile = path.resolve('bench/results/chronos.json');
const previous = options.merge && existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, 'utf8')) as { runs?: unknown[]; cells?: Cell[]; ratios?: typeof ratios; loads?: Load[]; models?: typeof models }) : {};
const measured = new Set(cells.map(cellKey));
const ratioKey = (row: { size: string; batch: number; context: number; threads: number }) => `${row.size}|${row.batch}|${row.context}|${row.threads}`;
const measuredRatios = new Set(ratios.map(ratioKey));
const written = writeResult('chronos', {
  description:
    'Chronos-Bolt predict() at horizon 64 (one model call, maxBatch = batch) on random weights of the official shapes, converted by scripts/models-convert; ' +
    'wall-time median of the timed runs after warm-up, CPU time per run and peak RSS of the runtime process read from /proc; cells of one run measured side by side.',
  shapes: CHRONOS_BOLT_SHAPES,
  runs: [...(previous.runs ?? []), run],
  models: [...(previous.models ?? []).filter((model) => !options.sizes.includes(model.size as never)), ...models],
  loads: [...(previous.loads ?? []).filter((load) => !loads.some((fresh) => fresh.runtime === load.runtime && fresh.size === load.size)), ...loads],
  cells: [...(previous.cells ?? []).filter((cell) => !measured.has(cellKey(cell))), ...cells],
  ratios: [...(previous.ratios ?? []).filter((row) => !measuredRatios.has(ratioKey(row))), ...ratios],
  speedups: [...((previous as { speedups?: typeof speedups }).speedups ?? []).filter((row) => !cells.some((cell) => cellKey(cell) === cellKey(row))), ...speedups],
});
console.log(`\nwrote ${path.relative(process.cwd(), written)} (${cells.length} cells this run, ${((performance.now() - started) / 1000).toFixed(0)} s)`);

if (cells.length === 0) console.error(`bench chronos: nothing was measured\n${USAGE}`);
