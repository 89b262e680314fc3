import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { launchChromium } from '../tests/support/chromium';
import { startAppServer } from '../tests/support/app-server';
import { ensureBuilt } from '../scripts/app-build';
import { printTable, writeResult } from './lib/report';
import { rendererMemory, type RendererMemory } from './lib/renderer-memory';
import { firstLoadRun, shippedScripts, type FirstLoadRun, type ShippedScripts } from './lib/first-load';

/**
 * `npm run bench -- page-window [--runs 7] [--sizes 5000,100000,1000000] [--parts window,first-load]
 * [--first-load-runs 5] [--compare <folder>]`: a window on the page,
 * from pressing Forecast to the drawn chart, against the production build (scripts/server.mjs, embedded
 * PGlite) in headless Chromium, seasonal naive so the model costs nothing and the data path and
 * the chart are what is measured.
 *
 * - 5,000 points: the ETTh1 sample (read through the window route as an Arrow stream).
 * - 100,000 and 1,000,000 points: a generated parquet file of 1,000,000 one-second readings in a
 *   temp LOOKAHEAD_PARQUET_DIR (the worker reads it by HTTP Range, as for any parquet source).
 *
 * Each size runs in a fresh Chromium (one warm-up run, then `runs` measured ones); "to chart" is
 * measured outside the page, click to table + chart with this run's row count. Memory: the page's
 * JS heap (CDP Performance.getMetrics JSHeapUsedSize, main thread only) after each run, and the
 * renderer process's peak resident memory (VmHWM from /proc: the page, its worker and WASM
 * together), which must stay under 1 GB at 1,000,000 points.
 *
 * First load (bench/lib/first-load.ts): the JavaScript the home page ships (gzip) and its time to
 * interactive, each run in a fresh context (`--parts first-load` alone writes
 * bench/results/page-first-load.json and leaves page-window.json as it is). `--compare <folder>` serves another checkout's build
 * (e.g. a copy of this one before a change, its node_modules linked) next to this one and measures
 * both in alternation, so "before" and "after" share the machine's load.
 */
const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
};
// `page-window 7` (the old positional run count) still works.
const runs = Number(/^\d+$/.test(process.argv[3] ?? '') ? process.argv[3] : argument('runs', '7'));
const sizes = argument('sizes', '5000,100000,1000000').split(',').map(Number);
const parts = argument('parts', 'window,first-load').split(',');
const firstLoadRuns = Number(argument('first-load-runs', '5'));
const compareRoot = argument('compare', '');
if (!(runs >= 1) || sizes.some((size) => !(size >= 2 && size <= 1_000_000))) {
  throw new Error(`bench page-window: --runs must be >= 1 and --sizes whole numbers in 2..1000000, got runs ${runs}, sizes ${sizes.join(',')}`);
}

const BIG_ROWS = 1_000_000;
const BIG_START_MS = Date.UTC(2024, 0, 1);
const MEMORY_LIMIT_MB = 1024;

/** 1,000,000 one-second readings: a daily cycle, a minute ripple and deterministic noise. */
function writeBigParquet(directory: string): string {
  const timestamps = new Array<number>(BIG_ROWS);
  const values = new Array<number>(BIG_ROWS);
  let seed = 12345;
  for (let row = 0; row < BIG_ROWS; row++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    timestamps[row] = BIG_START_MS + row * 1000;
    values[row] = 100 + 20 * Math.sin((2 * Math.PI * row) / 86_400) + 3 * Math.sin((2 * Math.PI * row) / 60) + (seed / 2147483648 - 0.5) * 4;
  }
  const bytes = parquetWriteBuffer({
    columnData: [
      { name: 'ts', data: timestamps, type: 'TIMESTAMP', nullable: false },
      { name: 'value', data: values, type: 'DOUBLE', nullable: true },
    ],
    rowGroupSize: 100_000,
  });
  const file = path.join(directory, 'sensor.parquet');
  writeFileSync(file, new Uint8Array(bytes));
  return file;
}

interface Sample {
  toChartMs: number;
  totalMs: number;
  fetchMs: number;
  fitMs: number;
  forecastMs: number;
  /** Click to chart minus the worker's total: posting the result, building the report, React and recharts. */
  pageMs: number;
  historyPoints: number;
  drawnPoints: number;
  jsHeapUsedMB: number;
}

interface SizeResult {
  points: number;
  source: string;
  samples: Sample[];
  error: string | null;
  memory: RendererMemory | null;
}

async function jsHeapUsedMB(page: Page): Promise<number> {
  const session = await page.context().newCDPSession(page);
  await session.send('Performance.enable');
  const { metrics } = await session.send('Performance.getMetrics');
  await session.detach();
  return Math.round((metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value ?? Number.NaN) / 2 ** 20);
}

async function measureSize(browser: Browser, url: string, points: number): Promise<SizeResult> {
  const small = points <= 17_420;
  const source = small ? 'etth1' : 'parquet';
  const result: SizeResult = { points, source: small ? 'ETTh1 OT (window route, Arrow)' : `generated parquet, 1,000,000 rows at 1 s (HTTP Range in the worker)`, samples: [], error: null, memory: null };
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url);
  await page.locator('[data-testid=device]').filter({ hasText: 'Device:' }).waitFor({ timeout: 120_000 });
  await page.selectOption('#source', source);
  const column = small ? 'OT' : 'value';
  await page.waitForFunction((name) => [...document.querySelectorAll('#column option')].some((option) => (option as HTMLOptionElement).value === name), column, { timeout: 60_000 });
  await page.selectOption('#column', column);
  await page.selectOption('#model', 'seasonal-naive');
  await page.fill('#context', String(points));
  for (let run = 0; run <= runs; run++) {
    // Alternate the horizon so each run's result is recognisable by its row count.
    const horizon = 24 + (run % 2);
    await page.fill('#horizon', String(horizon));
    const started = Date.now();
    await page.click('button:has-text("Forecast")');
    const outcome = await page.waitForFunction(
      ({ rows, points }) => {
        const error = document.querySelector('[data-testid=error]');
        if (error) return `error: ${error.textContent}`;
        const chart = document.querySelector('[data-testid=forecast-chart]');
        const drawn =
          document.querySelectorAll('[data-testid=forecast-table] tbody tr').length === rows &&
          chart?.getAttribute('data-history-points') === String(points) &&
          chart.querySelector('path.recharts-curve') !== null;
        return drawn ? 'drawn' : false;
      },
      { rows: horizon, points },
      { timeout: 180_000, polling: 'raf' },
    );
    const toChartMs = Date.now() - started;
    const state = (await outcome.jsonValue()) as string;
    if (state !== 'drawn') {
      result.error = state.slice(0, 400);
      break;
    }
    const text = (await page.locator('[data-testid=runtime]').textContent())!;
    const number = (label: string) => Number(text.match(new RegExp(`${label} (\\d+) ms`))?.[1] ?? Number.NaN);
    const chart = page.locator('[data-testid=forecast-chart]');
    const sample: Sample = {
      toChartMs,
      totalMs: number('in'),
      fetchMs: number('fetch'),
      fitMs: number('fit'),
      forecastMs: number('forecast'),
      pageMs: toChartMs - number('in'),
      historyPoints: Number(await chart.getAttribute('data-history-points')),
      drawnPoints: Number(await chart.getAttribute('data-drawn-points')),
      jsHeapUsedMB: await jsHeapUsedMB(page),
    };
    if (run > 0) result.samples.push(sample);
  }
  if (pageErrors.length) result.error = `${result.error ?? ''} page errors: ${pageErrors.join('; ')}`.trim();
  // Before closing the page: its renderer goes with it.
  result.memory = rendererMemory();
  await page.close();
  return result;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const load = () => os.loadavg().map((value) => Number(value.toFixed(2)));

interface FirstLoadResult {
  build: string;
  shipped: ShippedScripts;
  runs: FirstLoadRun[];
}

/** First loads of each build in alternation (A B A B ...), so they share the machine's load. */
async function measureFirstLoads(builds: { name: string; url: string }[]): Promise<FirstLoadResult[]> {
  const results: FirstLoadResult[] = [];
  for (const build of builds) results.push({ build: build.name, shipped: await shippedScripts(build.url), runs: [] });
  const browser = await launchChromium({ webgpu: false });
  try {
    for (let run = 0; run <= firstLoadRuns; run++) {
      for (const [index, build] of builds.entries()) {
        const sample = await firstLoadRun(browser, build.url);
        // Run 0 warms the server (first render, compiled routes), not the browser: each run has an empty cache.
        if (run > 0) results[index]!.runs.push(sample);
      }
    }
  } finally {
    await browser.close();
  }
  return results;
}

ensureBuilt();
const lake = mkdtempSync(path.join(os.tmpdir(), 'lookahead-bench-lake-'));
const needsBig = parts.includes('window') && sizes.some((size) => size > 17_420);
if (needsBig) writeBigParquet(lake);
const server = await startAppServer(needsBig ? { LOOKAHEAD_PARQUET_DIR: lake } : {});
const compared = compareRoot ? await startAppServer({}, { root: path.resolve(compareRoot) }) : null;
const loadBefore = load();
const results: SizeResult[] = [];
let firstLoads: FirstLoadResult[] = [];
try {
  if (parts.includes('first-load')) {
    firstLoads = await measureFirstLoads([...(compared ? [{ name: `${compareRoot} (compared)`, url: compared.url }] : []), { name: 'this build', url: server.url }]);
  }
  for (const points of parts.includes('window') ? sizes : []) {
    // A fresh browser per size: the renderer's peak memory then belongs to this size alone.
    const browser = await launchChromium({ webgpu: false });
    try {
      results.push(await measureSize(browser, server.url, points));
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.stop();
  await compared?.stop();
  rmSync(lake, { recursive: true, force: true });
}
const loadAfter = load();

const columns = ['window', 'to chart median ms', 'min', 'max', 'worker total', 'fetch', 'page (result to chart)', 'drawn points', 'JS heap MB', 'renderer peak MB', 'target'];
const rows = results.map((result) => {
  const pick = (name: keyof Sample) => median(result.samples.map((sample) => sample[name]));
  const target = result.points >= 1_000_000 ? '< 5,000 ms, < 1 GB' : result.points >= 100_000 ? '< 1,000 ms' : '';
  if (result.error || result.samples.length === 0) return [`${result.points.toLocaleString('en')} points`, 'failed', '', '', '', '', '', '', '', result.memory?.peakMB ?? '', `${target} ${result.error ?? ''}`.trim()];
  const times = result.samples.map((sample) => sample.toChartMs);
  const met =
    result.points >= 1_000_000
      ? pick('toChartMs') < 5_000 && (result.memory?.peakMB ?? Infinity) < MEMORY_LIMIT_MB
      : result.points >= 100_000
        ? pick('toChartMs') < 1_000
        : null;
  return [
    `${result.points.toLocaleString('en')} points`,
    pick('toChartMs'),
    Math.min(...times),
    Math.max(...times),
    pick('totalMs'),
    pick('fetchMs'),
    pick('pageMs'),
    pick('drawnPoints'),
    Math.max(...result.samples.map((sample) => sample.jsHeapUsedMB)),
    result.memory?.peakMB ?? '',
    met === null ? '' : `${target}: ${met ? 'met' : 'missed'}`,
  ];
});
const table = { columns, rows };
if (rows.length) printTable(table);
const kib = (bytes: number) => Number((bytes / 1024).toFixed(1));
const firstLoadTable = {
  columns: ['first load', 'scripts in HTML', 'shipped gzip KiB', 'shipped raw KiB', 'scripts loaded until ready', 'loaded KiB (wire)', 'ready ms (median)', 'FCP ms', 'DOMContentLoaded ms', 'last long task end ms', 'long tasks'],
  rows: firstLoads.map((result) => {
    const pick = (name: keyof FirstLoadRun) => median(result.runs.map((run) => run[name]));
    return [
      result.build,
      result.shipped.count,
      kib(result.shipped.gzipBytes),
      kib(result.shipped.rawBytes),
      pick('scriptsLoaded'),
      kib(pick('scriptBytesLoaded')),
      pick('readyMs'),
      pick('fcpMs'),
      pick('domContentLoadedMs'),
      pick('lastLongTaskEndMs'),
      pick('longTasks'),
    ];
  }),
};
if (firstLoadTable.rows.length) {
  console.log('');
  printTable(firstLoadTable);
}
console.log(`load average (1, 5, 15 min): before ${loadBefore.join(', ')}, after ${loadAfter.join(', ')}`);
console.log(
  `wrote ${writeResult(parts.includes('window') ? 'page-window' : 'page-first-load', {
    description:
      'Click to drawn chart in headless Chromium against the production server (scripts/server.mjs) (PGlite), seasonal naive, horizon 24/25; 5,000 points from ETTh1 OT, larger windows from a generated 1,000,000-row parquet file (1 s readings) read by HTTP Range in the worker; first run per size is warm-up; each size in a fresh browser. Renderer peak = VmHWM of the Chromium renderer processes (page + worker + WASM). First load: scripts named by the home page HTML (gzip level 6), scripts the browser loaded until the device line said "Device:" (wire bytes), and times from navigation start; median of the runs, each in a fresh context.',
    runs,
    loadAverage: { before: loadBefore, after: loadAfter },
    results,
    table,
    firstLoad: { runs: firstLoadRuns, results: firstLoads, table: firstLoadTable },
  })}`,
);
