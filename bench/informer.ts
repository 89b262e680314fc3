/**
 * `npm run bench -- informer [--lengths 96,192,384,768,1536] [--repeats 3] [--backend wasm] [--torch <Informer2020 checkout>] [--browser]`
 *
 * Training step time (forward + backward + Adam) and inference time of Informer with ProbSparse vs
 * full self-attention, side by side in one run, for growing input lengths on tfjs (wasm in Node by
 * default, one thread). Config: d_model 64, 4 heads, 2 encoder + 1 decoder layers, d_ff 128,
 * factor 5, label L/2, horizon 24, batch 2, 7 channels. The median of `repeats` timed steps after
 * one warm-up. The log-log slope between consecutive lengths says whether time grows like
 * L log L (slope ~1.1) or L^2 (slope ~2).
 *
 * With `--torch <dir>` (or INFORMER2020_DIR), each length is also timed on the original PyTorch
 * code (zhouhaoyi/Informer2020, CPU, one thread) by bench/informer-torch.py, right after ours, and
 * the table adds ours/torch ratios. Needs `python3` with torch (Debian: python3-torch; under pyenv,
 * PYENV_VERSION=system).
 *
 * With `--browser`, each length is also timed in headless Chromium (the Informer harness page,
 * tfjs on the same backend, one thread): the browser's training speed beside Node's.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadTf, type TfBackendName } from '@/lib/runtime/tfjs-node';
import { openInformerPage, startInformerHarness } from '../tests/browser/informer-page';
import { launchChromium } from '../tests/support/chromium';
import { measureInformerStep } from './lib/informer-step';
import { printTable, writeResult } from './lib/report';

const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const lengths = argument('lengths', '96,192,384,768,1536').split(',').map(Number);
const repeats = Number(argument('repeats', '3'));
const backend = argument('backend', 'wasm') as TfBackendName;
const torchDir = argument('torch', process.env.INFORMER2020_DIR ?? '') || undefined;
const tf = await loadTf(backend);

type Timing = { stepMs: number; inferenceMs: number };
const torchDriver = path.resolve('bench/informer-torch.py');

/** Prints and exits: a thrown error goes through tfjs-wasm's uncaughtException hook, which prints its whole minified source first. */
function stop(message: string): never {
  console.error(message);
  process.exit(2);
}

/** Runs bench/informer-torch.py and parses its one JSON line; a failure stops the bench with the driver's message. */
function runTorch(args: string[]): unknown {
  // One thread for every pool torch or its BLAS might start, like tfjs wasm here.
  const env = { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
  const run = spawnSync('python3', [torchDriver, '--informer-dir', torchDir!, ...args], { encoding: 'utf8', env, maxBuffer: 16 * 2 ** 20 });
  if (run.error) stop(`bench informer: cannot run python3 for the torch reference (${run.error.message}); install python3 and python3-torch`);
  if (run.status !== 0) stop(`bench informer: ${path.relative('.', torchDriver)} exited with ${run.status}: ${run.stderr.trim() || '(no stderr)'}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}

let torchInfo: Record<string, unknown>;
if (torchDir === undefined) {
  torchInfo = { skipped: 'no --torch <Informer2020 checkout> or INFORMER2020_DIR: the PyTorch reference was not timed' };
} else {
  if (!existsSync(path.join(torchDir, 'models', 'model.py'))) stop(`bench informer: --torch ${torchDir} has no models/model.py; expected a zhouhaoyi/Informer2020 checkout`);
  // Fail before the long wasm runs if python3, torch or the checkout is unusable.
  const check = runTorch(['--check']) as { torch: string; threads: number; python: string };
  // The model sources' sha256, to compare with the golden env.json (shared/golden/informer).
  const modelsDir = path.join(torchDir, 'models');
  const sourceSha256 = Object.fromEntries(readdirSync(modelsDir).filter((file) => file.endsWith('.py')).sort()
    .map((file) => [`models/${file}`, createHash('sha256').update(readFileSync(path.join(modelsDir, file))).digest('hex')]));
  torchInfo = {
    checkout: path.resolve(torchDir), version: check.torch, threads: check.threads, python: check.python, sourceSha256,
    note: 'original Informer2020 code on PyTorch CPU, same config and synthetic batch, train() step = forward + MSE backward + clip_grad_norm_(1) + Adam, eval() no_grad inference; each length runs right after ours',
  };
}

const measure = (attention: 'prob' | 'full', length: number) => measureInformerStep(tf, attention, length, repeats);

type Ratio = { step: number; inference: number };
type Row = {
  length: number; prob: Timing; full: Timing;
  torch?: { prob: Timing; full: Timing }; oursOverTorch?: { prob: Ratio; full: Ratio };
  browser?: { prob: Timing; full: Timing }; browserOverNode?: { prob: Ratio; full: Ratio };
};
const results: Row[] = [];
const ratio = (ours: Timing, torch: Timing): Ratio => ({ step: ours.stepMs / torch.stepMs, inference: ours.inferenceMs / torch.inferenceMs });
// --browser: the same step in headless Chromium (the Informer harness page, tfjs on `backend`, one thread: no cross-origin isolation there).
const browser = process.argv.includes('--browser') ? await openBrowserTiming() : null;
try {
  for (const length of lengths) {
    const prob = await measure('prob', length);
    const full = await measure('full', length);
    const row: Row = { length, prob, full };
    console.error(`L=${length}: prob step ${prob.stepMs.toFixed(0)} ms, full step ${full.stepMs.toFixed(0)} ms`);
    if (torchDir !== undefined) {
      const reference = runTorch(['--lengths', String(length), '--repeats', String(repeats)]) as { results: { length: number; prob: Timing; full: Timing }[] };
      row.torch = { prob: reference.results[0]!.prob, full: reference.results[0]!.full };
      row.oursOverTorch = { prob: ratio(prob, row.torch.prob), full: ratio(full, row.torch.full) };
      console.error(`L=${length}: torch prob step ${row.torch.prob.stepMs.toFixed(0)} ms, torch full step ${row.torch.full.stepMs.toFixed(0)} ms`);
    }
    if (browser) {
      row.browser = { prob: await browser.page.timeStep(backend, 'prob', length, repeats), full: await browser.page.timeStep(backend, 'full', length, repeats) };
      row.browserOverNode = { prob: ratio(row.browser.prob, prob), full: ratio(row.browser.full, full) };
      console.error(`L=${length}: Chromium prob step ${row.browser.prob.stepMs.toFixed(0)} ms, full step ${row.browser.full.stepMs.toFixed(0)} ms`);
    }
    results.push(row);
  }
} finally {
  await browser?.close();
}

async function openBrowserTiming() {
  const server = await startInformerHarness();
  const chromium = await launchChromium({ webgpu: false });
  const page = await openInformerPage(chromium, server);
  return {
    page,
    async close() {
      await page.close();
      await chromium.close();
      await server.close();
    },
  };
}
const slope = (key: 'prob' | 'full', field: 'stepMs' | 'inferenceMs', i: number) =>
  i === 0 ? '' : (Math.log(results[i]![key][field] / results[i - 1]![key][field]) / Math.log(results[i]!.length / results[i - 1]!.length)).toFixed(2);
const rows = results.map((r, i) => [
  r.length, r.prob.stepMs.toFixed(1), r.full.stepMs.toFixed(1), (r.full.stepMs / r.prob.stepMs).toFixed(2), slope('prob', 'stepMs', i), slope('full', 'stepMs', i),
  r.prob.inferenceMs.toFixed(1), r.full.inferenceMs.toFixed(1),
]);
printTable({ columns: ['L', 'prob step ms', 'full step ms', 'full/prob', 'prob slope', 'full slope', 'prob infer ms', 'full infer ms'], rows });
if (torchDir !== undefined) {
  console.log(`\nours (tfjs ${backend}) / original PyTorch ${String(torchInfo.version)} CPU, ${String(torchInfo.threads)} thread(s):`);
  printTable({
    columns: ['L', 'torch prob step ms', 'torch full step ms', 'prob step ours/torch', 'full step ours/torch', 'torch prob infer ms', 'torch full infer ms', 'prob infer ours/torch', 'full infer ours/torch'],
    rows: results.map(({ length, torch, oursOverTorch }) => [
      length, torch!.prob.stepMs.toFixed(1), torch!.full.stepMs.toFixed(1), oursOverTorch!.prob.step.toFixed(2), oursOverTorch!.full.step.toFixed(2),
      torch!.prob.inferenceMs.toFixed(1), torch!.full.inferenceMs.toFixed(1), oursOverTorch!.prob.inference.toFixed(2), oursOverTorch!.full.inference.toFixed(2),
    ]),
  });
}
if (browser) {
  console.log(`\nChromium (tfjs ${backend} in a page, 1 thread) / Node (tfjs ${backend}, 1 thread):`);
  printTable({
    columns: ['L', 'Chromium prob step ms', 'Chromium full step ms', 'prob step Chromium/Node', 'full step Chromium/Node', 'Chromium prob infer ms', 'Chromium full infer ms', 'prob infer Chromium/Node', 'full infer Chromium/Node'],
    rows: results.map(({ length, browser: b, browserOverNode: r }) => [
      length, b!.prob.stepMs.toFixed(1), b!.full.stepMs.toFixed(1), r!.prob.step.toFixed(2), r!.full.step.toFixed(2),
      b!.prob.inferenceMs.toFixed(1), b!.full.inferenceMs.toFixed(1), r!.prob.inference.toFixed(2), r!.full.inference.toFixed(2),
    ]),
  });
}
const file = writeResult('informer', {
  backend, repeats, config: 'd_model 64, 4 heads, e2/d1, d_ff 128, factor 5, label L/2, horizon 24, batch 2, 7 channels, dropout 0.05',
  note: 'median of repeats after one warm-up; slope = d log(time) / d log(L) between consecutive lengths (L log L ~ 1.1, L^2 ~ 2); oursOverTorch = our ms / torch ms (> 1: we are slower); browser = the same step in headless Chromium (harness page, no cross-origin isolation: 1 thread), browserOverNode = Chromium ms / Node ms',
  torch: torchInfo,
  results,
});
console.log(`wrote ${file}`);
