import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startChronosHarness } from '@/tests/browser/chronos-page';
import { openChronosPage } from '@/tests/browser/chronos-page';
import { median } from '@/tests/browser/repeat-timing';
import { launchBenchChromium } from './chronos/chromium-target';
import { prepareModel } from './chronos/models';
import { printTable, writeResult } from './lib/report';

/**
 * `npm run bench -- backtest-batch [runs]`: a 20-window backtest (context 512, horizon 64, step 64)
 * of a Chronos-Bolt-small-shaped checkpoint (random weights, converted by our converter) through
 * lib/evaluation's backtestModel in headless Chromium on onnxruntime-web WASM, 1 thread: batched
 * (model.batch: the windows in one call) against one call per window (the path before batching),
 * alternating in the same page and run, median of `runs` each after one warm-up of each. Both
 * paths' median forecasts are compared. Runs on the Chronos harness page (tests/browser), not in
 * the app's worker: the same pipeline, model and session code, without the app around it.
 */
const runs = Number(process.argv[3] ?? 3);
if (!(Number.isInteger(runs) && runs > 0)) throw new Error(`bench backtest-batch: runs must be a positive integer, got ${process.argv[3]}`);
const WINDOWS = 20;
const CONTEXT = 512;
const HORIZON = 64;
const STEP = 64;
const THREADS = Number(process.env.BENCH_THREADS ?? 1);

const root = await mkdtemp(path.join(os.tmpdir(), 'lookahead-bench-backtest-'));
try {
  const model = await prepareModel(root, 'small');
  const server = await startChronosHarness({ small: model.dir });
  const browser = await launchBenchChromium();
  try {
    const page = await openChronosPage(browser, server);
    const loaded = await page.load({ modelUrl: server.modelPath('small', 'model.onnx'), manifestUrl: server.modelPath('small', 'manifest.json'), executionProviders: ['wasm'], numThreads: THREADS });
    const request = { kind: 'backtest' as const, windows: WINDOWS, context: CONTEXT, horizon: HORIZON, step: STEP, seed: 7 };
    const timed = { batched: [] as number[], perWindow: [] as number[] };
    let calls = { batched: [] as number[], perWindow: [] as number[] };
    let worstDifference = 0;
    for (let run = 0; run <= runs; run++) {
      const batched = await page.call(loaded.handle, { ...request, oneCallPerWindow: false });
      const perWindow = await page.call(loaded.handle, { ...request, oneCallPerWindow: true });
      calls = { batched: batched.calls, perWindow: perWindow.calls };
      batched.medians.forEach((steps, window) =>
        steps.forEach((value, step) => {
          const reference = perWindow.medians[window]![step]!;
          worstDifference = Math.max(worstDifference, Math.abs(value - reference) / Math.max(1, Math.abs(reference)));
        }),
      );
      // Run 0 is the warm-up of both paths.
      if (run === 0) continue;
      timed.batched.push(batched.elapsedMs);
      timed.perWindow.push(perWindow.elapsedMs);
    }
    const batchedMs = median(timed.batched);
    const perWindowMs = median(timed.perWindow);
    const round = (value: number) => Math.round(value * 10) / 10;
    printTable({
      columns: ['path', 'runtime calls', 'median ms', 'samples ms'],
      rows: [
        ['one call per window (before)', calls.perWindow.length, round(perWindowMs), timed.perWindow.map(round).join(' ')],
        ['batched (after)', `${calls.batched.length} (${calls.batched.join(', ')} rows)`, round(batchedMs), timed.batched.map(round).join(' ')],
      ],
    });
    const speedup = perWindowMs / batchedMs;
    console.log(`\nspeed-up ${speedup.toFixed(2)}x; worst relative difference of the median forecasts ${worstDifference.toExponential(2)}; ${loaded.executionProvider}, ${loaded.numThreads} thread(s)`);
    const file = writeResult(THREADS === 1 ? 'backtest-batch' : `backtest-batch-threads${THREADS}`, {
      description: `${WINDOWS}-window backtest (context ${CONTEXT}, horizon ${HORIZON}, step ${STEP}) of a random-weight Chronos-Bolt-small shape in headless Chromium (onnxruntime-web WASM, harness page), batched vs one call per window, alternating in one run`,
      windows: WINDOWS,
      context: CONTEXT,
      horizon: HORIZON,
      threads: loaded.numThreads,
      runs,
      perWindow: { medianMs: round(perWindowMs), samplesMs: timed.perWindow.map(round), calls: calls.perWindow.length },
      batched: { medianMs: round(batchedMs), samplesMs: timed.batched.map(round), calls: calls.batched },
      speedup: Number(speedup.toFixed(2)),
      worstRelativeDifference: worstDifference,
    });
    console.log(`wrote ${file}`);
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
