import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { catalogEntry, concatChunks, convertChronosBolt, encodedChunks } from '@/lib/models/chronos-bolt';
import { ensureBuilt } from '../scripts/app-build';
import { startAppServer } from '../tests/support/app-server';
import { chromium } from 'playwright-core';
import { findChromium, launchChromium } from '../tests/support/chromium';
import { startFakeHub } from '../tests/support/fake-hub';
import { peakResidentBytes, residentBytes, resetPeakResident } from './chronos/process-stats';
import { printTable, writeResult } from './lib/report';
import { syntheticCheckpoint } from './lib/synthetic-checkpoint';

/**
 * `npm run bench -- install [tiny,small] [--convert-only] [--cold-only]`: Chronos-Bolt installed in the browser from the hub.
 * `--cold-only` (e.g. for base on a small machine) skips the cached run and the Node converter measure
 * (see --convert-only); sizes other than tiny,small write bench/results/install-<sizes>.json.
 *
 * Checkpoints of the real tiny and small shapes (pseudo-random weights, bench/lib/synthetic-checkpoint)
 * are served by the local hub imitation (FAKE: no internet here) at loopback speed; the production
 * app (scripts/server.mjs) points LOOKAHEAD_HUB_URL at it. Per size, in headless Chromium (WASM):
 * - cold: a fresh browser profile picks the model and presses Forecast: download, verify, convert,
 *   cache, warm-up and forecast, until the table shows;
 * - cached: the page is reloaded and the same forecast runs from the browser's cache.
 * The renderer's peak resident memory (VmHWM, reset before the click) is read from /proc.
 * Converting alone is also measured in this Node process: peak ArrayBuffer memory while streaming
 * the converted model chunk by chunk (what the worker does), against joining it into one buffer.
 */
const sizeArg = process.argv[3] && !process.argv[3].startsWith('--') ? process.argv[3] : 'tiny,small';
const sizes = sizeArg.split(',') as ('tiny' | 'mini' | 'small' | 'base')[];
const coldOnly = process.argv.includes('--cold-only');
const resultName = sizeArg === 'tiny,small' ? 'install' : `install-${sizes.join('-')}`;
const golden = JSON.parse(readFileSync('tests/fixtures/golden/chronos-bolt/tiny-random/config.json', 'utf8')) as Record<string, unknown>;
const mb = (bytes: number) => Number((bytes / 1e6).toFixed(1));

const checkpoints = Object.fromEntries(sizes.map((size) => [size, syntheticCheckpoint(catalogEntry(`chronos-bolt-${size}`)!.architecture, golden)]));

/** Peak ArrayBuffer bytes while converting: streamed to a sink chunk by chunk, or joined. */
// Run with NODE_OPTIONS=--expose-gc (the README says so): garbage of the previous size would hide this one's peak.
function converterMemory(checkpoint: { config: Uint8Array; safetensors: Uint8Array }) {
  const configJson = JSON.parse(new TextDecoder().decode(checkpoint.config));
  globalThis.gc?.();
  const base = process.memoryUsage().arrayBuffers;
  let streamedPeak = 0;
  const converted = convertChronosBolt({ configJson, safetensors: checkpoint.safetensors });
  let written = 0;
  for (const chunk of encodedChunks(converted.onnx)) {
    written += chunk.byteLength;
    streamedPeak = Math.max(streamedPeak, process.memoryUsage().arrayBuffers - base);
  }
  globalThis.gc?.();
  const again = convertChronosBolt({ configJson, safetensors: checkpoint.safetensors });
  const joined = concatChunks(again.onnx);
  const joinedPeak = process.memoryUsage().arrayBuffers - base;
  return { onnxBytes: written, joinedBytes: joined.byteLength, streamedPeakBytes: streamedPeak, joinedPeakBytes: joinedPeak };
}

const noConverter = { onnxBytes: Number.NaN, joinedBytes: Number.NaN, streamedPeakBytes: Number.NaN, joinedPeakBytes: Number.NaN };
const memory = Object.fromEntries(sizes.map((size) => [size, coldOnly ? noConverter : converterMemory(checkpoints[size]!)]));
if (process.argv.includes('--convert-only')) {
  // The converter's memory alone (e.g. for base, whose browser run takes long on a small machine).
  const table = {
    columns: ['size', 'weights MB', 'onnx MB', 'convert streamed peak MB', 'convert joined peak MB'],
    rows: sizes.map((size) => [size, mb(checkpoints[size]!.safetensors.byteLength), mb(memory[size]!.onnxBytes), mb(memory[size]!.streamedPeakBytes), mb(memory[size]!.joinedPeakBytes)]),
  };
  printTable(table);
  console.log(`wrote ${writeResult('install-convert', { description: 'Peak ArrayBuffer bytes above the checkpoint held while converting, in Node: streamed chunk by chunk (as the browser worker stores it) vs joined into one buffer', memory, table })}`);
  process.exit(0);
}

ensureBuilt();
const hub = await startFakeHub(
  Object.fromEntries(sizes.map((size, i) => [`amazon/chronos-bolt-${size}`, { commit: String(i + 1).repeat(40), files: { 'config.json': checkpoints[size]!.config, 'model.safetensors': checkpoints[size]!.safetensors } }])),
);
const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'lookahead-bench-install-'));
const server = await startAppServer({ LOOKAHEAD_HUB_URL: hub.url, LOOKAHEAD_MODELS_DIR: modelsDir });
// --cold-only (base): an on-disk profile, since an in-memory (incognito) context's Cache API refuses a
// 765 MB body ("Unexpected internal error"), as a real user's profile would not.
const profileDir = mkdtempSync(path.join(os.tmpdir(), 'lookahead-bench-profile-'));
const persistent = coldOnly
  ? await chromium.launchPersistentContext(profileDir, {
      executablePath: findChromium()!,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    })
  : null;
const browser = persistent ? persistent.browser()! : await launchChromium({ webgpu: false });

async function renderers(cdp: CDPSession): Promise<Map<number, number>> {
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number; cpuTime: number }[] };
  return new Map(processInfo.filter((info) => info.type === 'renderer').map((info) => [info.id, info.cpuTime]));
}

async function openPage(page: Page, reload: boolean): Promise<void> {
  if (reload) await page.reload();
  else await page.goto(server.url);
  await page.locator('[data-testid=device]').filter({ hasText: 'Device:' }).waitFor({ timeout: 120_000 });
}

/**
 * Times one forecast; memory is the largest VmHWM increase over every renderer (reset at the click):
 * the page and its dedicated worker share one renderer, and which one is not reported reliably.
 */
async function timeForecast(page: Page, cdp: CDPSession, size: string) {
  await page.selectOption('#source', 'etth1');
  await page.selectOption('#column', 'OT');
  await page.selectOption('#model', `chronos-bolt-${size}`);
  await page.selectOption('#device', 'wasm');
  await page.fill('#horizon', '24');
  await page.fill('#context', '512');
  const pids = [...(await renderers(cdp)).keys()];
  const startRss = new Map<number, number>();
  for (const pid of pids) {
    resetPeakResident(pid);
    startRss.set(pid, residentBytes(pid));
  }
  const started = performance.now();
  await page.click('button:has-text("Forecast")');
  await Promise.race([
    page.locator('[data-testid=forecast-table]').waitFor({ timeout: 600_000 }),
    page.locator('[data-testid=error]').waitFor({ timeout: 600_000 }).then(async () => {
      throw new Error(`bench: ${await page.locator('[data-testid=error]').textContent()}`);
    }),
  ]);
  const ms = Math.round(performance.now() - started);
  let growth = 0;
  let peakRss = 0;
  for (const pid of pids) {
    const peak = peakResidentBytes(pid);
    if (peak - startRss.get(pid)! > growth) {
      growth = peak - startRss.get(pid)!;
      peakRss = peak;
    }
  }
  return { ms, peakRss, growthBytes: growth };
}

const rows: (string | number)[][] = [];
const results: Record<string, unknown> = {};
try {
  const cdp = await browser.newBrowserCDPSession();
  for (const size of sizes) {
    const context = persistent ?? (await browser.newContext());
    const page = await context.newPage();
    await openPage(page, false);
    hub.requests.length = 0;
    const cold = await timeForecast(page, cdp, size);
    const coldRequests = hub.requests.length;
    let cached = { ms: Number.NaN, peakRss: Number.NaN, growthBytes: Number.NaN };
    let cachedRequests = Number.NaN;
    if (!coldOnly) {
      await openPage(page, true);
      hub.requests.length = 0;
      cached = await timeForecast(page, cdp, size);
      cachedRequests = hub.requests.length;
    }
    if (!persistent) await context.close();
    const weights = checkpoints[size]!.safetensors.byteLength;
    const converter = memory[size]!;
    results[size] = { weightsBytes: weights, cold, cached, coldRequests, cachedRequests, converter };
    rows.push([
      size,
      mb(weights),
      cold.ms,
      cached.ms,
      coldRequests,
      cachedRequests,
      mb(cold.growthBytes),
      mb(cold.peakRss),
      mb(converter.streamedPeakBytes),
      mb(converter.joinedPeakBytes),
    ]);
  }
} finally {
  await (persistent ?? browser).close();
  rmSync(profileDir, { recursive: true, force: true });
  await server.stop();
  await hub.close();
  rmSync(modelsDir, { recursive: true, force: true });
}
const table = {
  columns: ['size', 'weights MB', 'cold ms', 'cached ms', 'hub req cold', 'hub req cached', 'renderer peak +MB (cold)', 'renderer peak MB (cold)', 'convert streamed peak MB', 'convert joined peak MB'],
  rows,
};
printTable(table);
console.log(
  `wrote ${writeResult(resultName, {
    description:
      'Chronos-Bolt installed in the browser from the local hub imitation (loopback), real tiny/small shapes with pseudo-random weights, ETTh1 OT context 512 horizon 24 on WASM in headless Chromium against the production server (scripts/server.mjs). cold = fresh profile: download + verify + convert + cache + warm-up + forecast; cached = reload, from the Cache API. Renderer peak = VmHWM increase of the page renderer during the run (includes the onnxruntime session). With --cold-only the cached run and the Node converter measure are skipped (null). Convert peaks = ArrayBuffer bytes above the checkpoint held, in Node: streamed chunk by chunk (as the worker stores it) vs joined into one buffer.',
    results,
    table,
  })}`,
);
