/**
 * Golden parity in real Chromium: both shared checkpoints, converted with the CLI's code, run in a
 * page through the app's ChronosBoltPipeline and createWebOnnxSession, on WASM (2 threads, cross-
 * origin isolated) and on WebGPU (Chromium's SwiftShader adapter). Numbers come back to Node and
 * are checked with the Node parity test's helpers and tolerances (tests/unit/chronos-golden.test.ts):
 * - DIRECT 1e-4 (rtol, floor 1e-4 * (|loc| + scale)); LONG_HORIZON 5e-4 on the 81-sample path;
 *   HIDDEN 1e-4 in normalised space (floor 1e-4 * max(1, max |want|)); LOC_SCALE 2.5e-7 (two ulps).
 *
 * Both providers run every golden of both checkpoints (single series x 3 horizons, batched,
 * quantile level sets, embed, every hooked intermediate of the debug graph, the autoregressive
 * trace). SwiftShader's WebGPU is a CPU emulation and compiles shaders for each new tensor shape:
 * its half takes about 80 s of the file's ~100 s here.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatChunks, convertChronosBolt, instanceNorm, patchContext, stackContexts, type ChronosBoltConfig } from '@/lib/models/chronos-bolt';
import { convertCheckpointDir } from '@/scripts/models-convert';
import { openChronosPage, startChronosHarness, type ChronosHarnessServer, type ChronosPage } from '@/tests/browser/chronos-page';
import type { HarnessExecutionProvider, LoadedSession } from '@/tests/browser/chronos-protocol';
import { launchChromium } from '@/tests/support/chromium';
import {
  checkpointDir,
  compare,
  DIRECT,
  LONG_HORIZON,
  HIDDEN,
  LOC_SCALE,
  describeComparison,
  ErrorLedger,
  flatten,
  GOLDEN_CHECKPOINTS,
  GOLDEN_INPUT_NAMES,
  loadGolden,
  seriesOf,
  type GoldenCheckpoint,
  type Tolerance,
} from '@/tests/support/chronos-golden';

const WASM_THREADS = 2;

type Golden = ReturnType<typeof loadGolden>;
const levelKeys = Object.keys(loadGolden('tiny-random').goldens.predict_quantiles);
const embedNames = Object.keys(loadGolden('tiny-random').goldens.embed);

const PROVIDERS: readonly HarnessExecutionProvider[] = ['wasm', 'webgpu'];
const cases = PROVIDERS.flatMap((provider) => GOLDEN_CHECKPOINTS.map((checkpoint) => ({ provider, checkpoint })));

const ledger = new ErrorLedger();
let modelsDir: string;
let server: ChronosHarnessServer;
let browser: Browser;
const pages = new Map<HarnessExecutionProvider, ChronosPage>();
const configs = new Map<GoldenCheckpoint, ChronosBoltConfig>();

beforeAll(async () => {
  modelsDir = await mkdtemp(path.join(tmpdir(), 'chronos-browser-golden-'));
  for (const checkpoint of GOLDEN_CHECKPOINTS) {
    const outDir = path.join(modelsDir, checkpoint);
    configs.set(checkpoint, (await convertCheckpointDir({ checkpointDir: checkpointDir(checkpoint), outDir })).config);
    // The same graph with every hooked intermediate as an output, for the per-layer goldens.
    const debug = convertChronosBolt({
      configJson: JSON.parse(await readFile(path.join(checkpointDir(checkpoint), 'config.json'), 'utf8')),
      safetensors: await readFile(path.join(checkpointDir(checkpoint), 'model.safetensors')),
      exposeIntermediates: true,
    });
    await writeFile(path.join(outDir, 'model.debug.onnx'), concatChunks(debug.onnx));
  }
  server = await startChronosHarness(Object.fromEntries(GOLDEN_CHECKPOINTS.map((checkpoint) => [checkpoint, path.join(modelsDir, checkpoint)])));
  browser = await launchChromium();
});

afterAll(async () => {
  console.log(`Chronos-Bolt golden parity in Chromium, worst errors:\n${ledger.table()}`);
  for (const page of pages.values()) await page.close();
  await browser?.close();
  await server?.close();
  if (modelsDir !== undefined) await rm(modelsDir, { recursive: true, force: true });
});

/** One page per provider: onnxruntime-web's WASM settings are per page, and a WebGPU failure cannot leak into the WASM run. */
async function pageFor(provider: HarnessExecutionProvider): Promise<ChronosPage> {
  let page = pages.get(provider);
  if (page === undefined) {
    page = await openChronosPage(browser, server);
    pages.set(provider, page);
  }
  return page;
}

describe.each(cases)('Chromium $provider x $checkpoint', ({ provider, checkpoint }) => {
  const golden: Golden = loadGolden(checkpoint);
  let page: ChronosPage;
  let session: LoadedSession;
  let debugSession: LoadedSession;

  beforeAll(async () => {
    page = await pageFor(provider);
    const load = (file: string, withManifest: boolean) =>
      page.load({
        modelUrl: server.modelPath(checkpoint, file),
        ...(withManifest ? { manifestUrl: server.modelPath(checkpoint, 'manifest.json') } : {}),
        executionProviders: [provider],
        numThreads: WASM_THREADS,
      });
    try {
      session = await load('model.onnx', true);
      debugSession = await load('model.debug.onnx', false);
    } catch (error) {
      throw new Error(`${provider} session for ${checkpoint} failed: ${(error as Error).message}\npage errors: ${page.errors.join('\n')}`, { cause: error });
    }
  });

  afterAll(async () => {
    if (session !== undefined) await page.release(session.handle);
    if (debugSession !== undefined) await page.release(debugSession.handle);
  });

  const key = (kind: string): string => `chromium-${provider} ${checkpoint} ${kind}`;
  const locScaleOf = (name: string): { loc: number; scale: number } => {
    const intermediates = golden.goldens.intermediates[name]!;
    return { loc: flatten(intermediates.loc!).values[0]!, scale: flatten(intermediates.scale!).values[0]! };
  };
  const dataTolerance = (rtol: number, names: readonly string[], perRow: number): Tolerance => {
    const floors = names.map((name) => {
      const { loc, scale } = locScaleOf(name);
      return rtol * (Math.abs(loc) + scale);
    });
    return { rtol, atol: (index) => floors[Math.floor(index / perRow)]! };
  };
  const hiddenTolerance = (want: Float64Array): Tolerance => ({
    rtol: HIDDEN,
    atol: HIDDEN * Math.max(1, ...Array.from(want, (value) => (Number.isNaN(value) ? 0 : Math.abs(value)))),
  });
  const check = (kind: string, label: string, got: ArrayLike<number>, want: ArrayLike<number>, tolerance: Tolerance): void => {
    const comparison = compare(got, want, tolerance);
    ledger.record(key(kind), comparison);
    expect(comparison.worstRatio, describeComparison(label, comparison)).toBeLessThanOrEqual(1);
  };
  const predict = async (series: number[][], predictionLength?: number, maxBatch?: number): Promise<number[]> =>
    (await page.call(session.handle, { kind: 'predict', series, ...(predictionLength === undefined ? {} : { predictionLength }), ...(maxBatch === undefined ? {} : { maxBatch }) })).values;

  it(`runs on ${provider}${provider === 'wasm' ? `, ${WASM_THREADS} threads, cross-origin isolated` : ''}`, () => {
    const fallbacks = session.fallbacks.map((fallback) => `${fallback.executionProvider}: ${fallback.reason}`).join('; ');
    expect(session.executionProvider, `fell back: ${fallbacks}`).toBe(provider);
    expect(session.crossOriginIsolated).toBe(true);
    if (provider === 'wasm') expect(session.numThreads).toBe(WASM_THREADS);
    else {
      expect(session.webgpuAdapter).not.toBeNull();
      console.log(`Chromium WebGPU adapter for ${checkpoint}: ${session.webgpuAdapter}`);
    }
  });

  describe.each(GOLDEN_INPUT_NAMES)('single series %s', (name) => {
    const series = seriesOf(golden.inputs[name]!);
    const single = golden.goldens.single_series[name]!;

    it('predict_default: [1, 9, 64]', async () => {
      check('predict_default', name, await predict([series]), flatten(single.predict_default).values, dataTolerance(DIRECT, [name], Infinity));
    });

    it('predict_7: a horizon shorter than one block', async () => {
      check('predict_7', name, await predict([series], 7), flatten(single.predict_7).values, dataTolerance(DIRECT, [name], Infinity));
    });

    it('predict_150: the long-horizon quantile-expansion path', async () => {
      check('predict_150', name, await predict([series], 150), flatten(single.predict_150).values, dataTolerance(LONG_HORIZON, [name], Infinity));
    });
  });

  it('batched predict_default: six unequal series', async () => {
    const { order } = golden.goldens.batched;
    const got = await predict(order.map((name) => seriesOf(golden.inputs[name]!)));
    check('batched predict_default', 'batched', got, flatten(golden.goldens.batched.predict_default).values, dataTolerance(DIRECT, order, 9 * 64));
  });

  it('batched predict_150: 54 rows in runtime calls of at most 5', async () => {
    const { order } = golden.goldens.batched;
    const got = await predict(order.map((name) => seriesOf(golden.inputs[name]!)), 150, 5);
    check('batched predict_150', 'batched 150', got, flatten(golden.goldens.batched.predict_150).values, dataTolerance(LONG_HORIZON, order, 9 * 150));
  });

  it.each(levelKeys)('predict_quantiles %s (seasonal_300, 100 steps)', async (levelKey) => {
    const expected = golden.goldens.predict_quantiles[levelKey]!;
    const levels = JSON.parse(levelKey) as number[];
    const result = await page.call(session.handle, {
      kind: 'predictQuantiles',
      series: [seriesOf(golden.inputs.seasonal_300!)],
      predictionLength: expected.prediction_length,
      levels,
    });
    const tolerance = dataTolerance(LONG_HORIZON, ['seasonal_300'], Infinity);
    check('predict_quantiles', `quantiles ${levelKey}`, result.quantiles.flat(2), flatten(expected.quantiles).values, tolerance);
    check('predict_quantiles', `mean ${levelKey}`, result.mean.flat(), flatten(expected.mean).values, tolerance);
    expect(result.clamped).toBe(levels.some((level) => level < 0.1 || level > 0.9));
  });

  it.each(embedNames)('embed %s: encoder output with [REG], loc, scale', async (name) => {
    const expected = golden.goldens.embed[name]!;
    const embedding = await page.call(session.handle, { kind: 'embed', series: [seriesOf(golden.inputs[name]!)] });
    const want = flatten(expected.embeddings);
    expect([embedding.batch, embedding.tokens, embedding.modelDim]).toEqual(want.shape);
    check('embed', `${name} embeddings`, embedding.embeddings, want.values, hiddenTolerance(want.values));
    check('loc/scale', `${name} loc`, embedding.loc, flatten(expected.loc).values, { rtol: LOC_SCALE, atol: 0 });
    check('loc/scale', `${name} scale`, embedding.scale, flatten(expected.scale).values, { rtol: LOC_SCALE, atol: 0 });
  });

  it.each(GOLDEN_INPUT_NAMES)('intermediates %s: every hooked tensor of the graph', async (name) => {
    const expected = golden.goldens.intermediates[name]!;
    // Pre-processing is the same pure code in Node and the page (the page ran it for every golden above).
    const { contextLength, patchSize } = configs.get(checkpoint)!;
    const context = stackContexts([seriesOf(golden.inputs[name]!)], contextLength);
    const patched = patchContext(instanceNorm(context).normalized, 1, context.length, patchSize);
    const outputs = await page.call(debugSession.handle, {
      kind: 'run',
      feeds: {
        patches: { data: Array.from(patched.patches), dims: [1, patched.numPatches, 2 * patchSize] },
        patch_mask: { data: Array.from(patched.patchMask), dims: [1, patched.numPatches] },
      },
    });
    const hooked = Object.keys(expected).filter((tensor) => tensor in outputs);
    // Every hook of the reference except loc, scale, patched input (pre-processing) and the final output.
    expect(hooked.length).toBe(Object.keys(expected).length - 4);
    for (const tensor of hooked) {
      const want = flatten(expected[tensor]!);
      const got = outputs[tensor]!;
      expect(got.dims, `${name} ${tensor} dims`).toEqual(want.shape);
      const tolerance = tensor === 'encoder_attention_mask_incl_reg' ? { rtol: 0, atol: 0 } : hiddenTolerance(want.values);
      check(`hidden ${tensor.replace(/_\d+_/, '_i_')}`, `${name} ${tensor}`, got.data, want.values, tolerance);
    }
  });

  it('autoregressive trace of predict(seasonal_300, 150): every model call in and out', async () => {
    const trace = golden.goldens.autoregressive_trace_seasonal_300;
    const reply = await page.call(session.handle, { kind: 'predict', series: [seriesOf(golden.inputs.seasonal_300!)], predictionLength: trace.prediction_length, trace: true });
    const calls = reply.calls!;
    expect(calls.map((call) => call.contextShape)).toEqual(trace.calls.map((call) => call.context_shape));
    trace.calls.forEach((expected, index) => {
      const tolerance = dataTolerance(index === 0 ? DIRECT : LONG_HORIZON, ['seasonal_300'], Infinity);
      check('trace context', `call ${index} context`, calls[index]!.context, flatten(expected.context).values, tolerance);
      check('trace quantile_preds', `call ${index} quantile_preds`, calls[index]!.quantiles, flatten(expected.quantile_preds).values, tolerance);
    });
    check('trace final', 'final', reply.values, flatten(trace.final).values, dataTolerance(LONG_HORIZON, ['seasonal_300'], Infinity));
    expect(reply.progress!.at(-1)).toEqual([19, 19]);
  });
});
