/**
 * Golden parity: every golden of both checkpoints, on onnxruntime-node and onnxruntime-web (WASM),
 * through the converter the CLI uses, the TypeScript pre/post-processing and the pipeline.
 *
 * Tolerances (|got - want| <= max(rtol * |want|, atol)):
 * - DIRECT, data space: rtol 1e-4, floor 1e-4 * (|loc| + scale), the golden README's float32-port bound.
 * - LONG_HORIZON: 5e-4 and 5e-4 * (|loc| + scale): the README's allowance for the 81-sample
 *   torch.quantile reduction, which can amplify rounding.
 * - The same bounds serve onnxruntime-web: the README's 2.2e-4 abs on values ~100 is 2.2e-6 relative.
 * - HIDDEN, normalised space (encoder/decoder states): rtol 1e-4, floor 1e-4 * max(1, max |want|),
 *   since (|loc| + scale) is 1 after normalisation and the residual stream grows with depth.
 * - LOC_SCALE: rtol 2.5e-7, two float32 ulps: we sum in float64 and round once, torch sums in
 *   float32 (cascade), so loc can differ by an ulp.
 * - PATCHED: 1e-5: (x - loc) / scale moves by ulp(loc) / scale (7e-7 for seasonal_300) when loc does.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChronosBoltPipeline,
  concatChunks,
  convertChronosBolt,
  instanceNorm,
  patchContext,
  stackContexts,
  type ModelCall,
} from '@/lib/models/chronos-bolt';
import { createChronosRuntime, type OnnxSession } from '@/lib/runtime/onnx-session';
import { convertCheckpointDir } from '@/scripts/models-convert';
import {
  checkpointDir,
  compare,
  DIRECT,
  LONG_HORIZON,
  HIDDEN,
  LOC_SCALE,
  PATCHED,
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
import { CHRONOS_RUNTIMES, createTestSession, type ChronosRuntimeName } from '@/tests/support/chronos-runtimes';


const ledger = new ErrorLedger();
afterAll(() => {
  console.log(`Chronos-Bolt golden parity, worst errors:\n${ledger.table()}`);
});

const cases = CHRONOS_RUNTIMES.flatMap((runtime) => GOLDEN_CHECKPOINTS.map((checkpoint) => ({ runtime, checkpoint })));
// Level sets and embed inputs are the golden file's keys (the same for both checkpoints).
const levelKeys = Object.keys(loadGolden('tiny-random').goldens.predict_quantiles);
const embedNames = Object.keys(loadGolden('tiny-random').goldens.embed);

describe.each(cases)('$runtime x $checkpoint', ({ runtime, checkpoint }: { runtime: ChronosRuntimeName; checkpoint: GoldenCheckpoint }) => {
  const golden = loadGolden(checkpoint);
  let outDir: string;
  let session: OnnxSession;
  let debugSession: OnnxSession;
  let pipeline: ChronosBoltPipeline;
  let chunkedPipeline: ChronosBoltPipeline;

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(tmpdir(), `chronos-golden-${checkpoint}-`));
    const manifest = await convertCheckpointDir({ checkpointDir: checkpointDir(checkpoint), outDir });
    session = await createTestSession(runtime, await readFile(path.join(outDir, 'model.onnx')));
    pipeline = new ChronosBoltPipeline(manifest.config, createChronosRuntime(session));
    // maxBatch 5 splits the 54-row long-horizon batch into 11 runtime calls.
    chunkedPipeline = new ChronosBoltPipeline(manifest.config, createChronosRuntime(session), { maxBatch: 5 });
    const debug = convertChronosBolt({
      configJson: JSON.parse(await readFile(path.join(checkpointDir(checkpoint), 'config.json'), 'utf8')),
      safetensors: await readFile(path.join(checkpointDir(checkpoint), 'model.safetensors')),
      exposeIntermediates: true,
    });
    debugSession = await createTestSession(runtime, concatChunks(debug.onnx));
  });

  afterAll(async () => {
    await session?.release();
    await debugSession?.release();
    if (outDir !== undefined) await rm(outDir, { recursive: true, force: true });
  });

  const key = (kind: string): string => `${runtime} ${checkpoint} ${kind}`;
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
  const check = (kind: string, label: string, got: ArrayLike<number>, want: ArrayLike<number>, tolerance: Tolerance): void => {
    const comparison = compare(got, want, tolerance);
    ledger.record(key(kind), comparison);
    expect(comparison.worstRatio, describeComparison(label, comparison)).toBeLessThanOrEqual(1);
  };
  const hiddenTolerance = (want: Float64Array): Tolerance => ({
    rtol: HIDDEN,
    atol: HIDDEN * Math.max(1, ...Array.from(want, (value) => (Number.isNaN(value) ? 0 : Math.abs(value)))),
  });

  describe.each(GOLDEN_INPUT_NAMES)('single series %s', (name) => {
    const series = seriesOf(golden.inputs[name]!);
    const single = golden.goldens.single_series[name]!;

    it('predict_default: [1, 9, 64]', async () => {
      const want = flatten(single.predict_default);
      expect(want.shape).toEqual([1, 9, 64]);
      check('predict_default', name, await pipeline.predict([series]), want.values, dataTolerance(DIRECT, [name], Infinity));
    });

    it('predict_7: a horizon shorter than one block', async () => {
      const want = flatten(single.predict_7);
      expect(want.shape).toEqual([1, 9, 7]);
      check('predict_7', name, await pipeline.predict([series], 7), want.values, dataTolerance(DIRECT, [name], Infinity));
    });

    it('predict_150: the long-horizon quantile-expansion path', async () => {
      const want = flatten(single.predict_150);
      expect(want.shape).toEqual([1, 9, 150]);
      check('predict_150', name, await pipeline.predict([series], 150), want.values, dataTolerance(LONG_HORIZON, [name], Infinity));
    });
  });

  it('batched predict_default: six unequal series, NaN-left-padded to 1000 then truncated to 512', async () => {
    const { order } = golden.goldens.batched;
    const want = flatten(golden.goldens.batched.predict_default);
    expect(want.shape).toEqual([6, 9, 64]);
    const got = await pipeline.predict(order.map((name) => seriesOf(golden.inputs[name]!)));
    check('batched predict_default', 'batched', got, want.values, dataTolerance(DIRECT, order, 9 * 64));
  });

  it('batched predict_150: 54 rows in runtime calls of at most 5', async () => {
    const { order } = golden.goldens.batched;
    const want = flatten(golden.goldens.batched.predict_150);
    expect(want.shape).toEqual([6, 9, 150]);
    const got = await chunkedPipeline.predict(order.map((name) => seriesOf(golden.inputs[name]!)), 150);
    check('batched predict_150', 'batched 150', got, want.values, dataTolerance(LONG_HORIZON, order, 9 * 150));
  });

  it.each(levelKeys)('predict_quantiles %s (seasonal_300, 100 steps)', async (levelKey) => {
    const expected = golden.goldens.predict_quantiles[levelKey]!;
    const levels = JSON.parse(levelKey) as number[];
    const result = await pipeline.predictQuantiles([seriesOf(golden.inputs.seasonal_300!)], expected.prediction_length, levels);
    const tolerance = dataTolerance(LONG_HORIZON, ['seasonal_300'], Infinity);
    const wantQuantiles = flatten(expected.quantiles);
    expect(wantQuantiles.shape).toEqual([1, expected.prediction_length, levels.length]);
    check('predict_quantiles', `quantiles ${levelKey}`, result.quantiles.flat(2), wantQuantiles.values, tolerance);
    check('predict_quantiles', `mean ${levelKey}`, result.mean.flat(), flatten(expected.mean).values, tolerance);
    expect(result.clamped).toBe(levels.some((level) => level < 0.1 || level > 0.9));
  });

  it.each(embedNames)('embed %s: encoder output with [REG], loc, scale', async (name) => {
    const expected = golden.goldens.embed[name]!;
    const embedding = await pipeline.embed([seriesOf(golden.inputs[name]!)]);
    const want = flatten(expected.embeddings);
    expect([embedding.batch, embedding.tokens, embedding.modelDim]).toEqual(want.shape);
    check('embed', `${name} embeddings`, embedding.embeddings, want.values, hiddenTolerance(want.values));
    check('loc/scale', `${name} loc`, embedding.loc, flatten(expected.loc).values, { rtol: LOC_SCALE, atol: 0 });
    check('loc/scale', `${name} scale`, embedding.scale, flatten(expected.scale).values, { rtol: LOC_SCALE, atol: 0 });
  });

  it.each(GOLDEN_INPUT_NAMES)('intermediates %s: TS preprocessing, every hooked tensor, final quantiles', async (name) => {
    const expected = golden.goldens.intermediates[name]!;
    const series = seriesOf(golden.inputs[name]!);
    const config = pipeline.config;
    const context = stackContexts([series], config.contextLength);
    const norm = instanceNorm(context);
    check('loc/scale', `${name} loc`, norm.loc, flatten(expected.loc!).values, { rtol: LOC_SCALE, atol: 0 });
    check('loc/scale', `${name} scale`, norm.scale, flatten(expected.scale!).values, { rtol: LOC_SCALE, atol: 0 });
    const patched = patchContext(norm.normalized, 1, context.length, config.patchSize);
    const wantPatched = flatten(expected.patched_input_with_mask!);
    expect([1, patched.numPatches, 2 * config.patchSize]).toEqual(wantPatched.shape);
    check('patched_input_with_mask', `${name} patched`, patched.patches, wantPatched.values, { rtol: PATCHED, atol: PATCHED });

    const outputs = await debugSession.run({
      patches: { data: patched.patches, dims: [1, patched.numPatches, 2 * config.patchSize] },
      patch_mask: { data: patched.patchMask, dims: [1, patched.numPatches] },
    });
    const hooked = Object.keys(expected).filter((tensor) => tensor in outputs);
    // Every hook of the reference except the pre/post-processing ones checked above and below.
    expect(hooked.length).toBe(Object.keys(expected).length - 4);
    for (const tensor of hooked) {
      const want = flatten(expected[tensor]!);
      const got = outputs[tensor]!;
      expect([...got.dims], `${name} ${tensor} dims`).toEqual(want.shape);
      const tolerance = tensor === 'encoder_attention_mask_incl_reg' ? { rtol: 0, atol: 0 } : hiddenTolerance(want.values);
      check(`hidden ${tensor.replace(/_\d+_/, '_i_')}`, `${name} ${tensor}`, got.data, want.values, tolerance);
    }

    const forward = await pipeline.forward(context);
    const wantFinal = flatten(expected.quantile_preds_final_denormalized!);
    check('quantile_preds_final_denormalized', `${name} final`, forward.quantiles, wantFinal.values, dataTolerance(DIRECT, [name], Infinity));
  });

  it('autoregressive trace of predict(seasonal_300, 150): every model call in and out', async () => {
    const trace = golden.goldens.autoregressive_trace_seasonal_300;
    const calls: ModelCall[] = [];
    const progress: [number, number][] = [];
    const final = await pipeline.predict([seriesOf(golden.inputs.seasonal_300!)], trace.prediction_length, {
      onModelCall: (call) => calls.push(call),
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(calls.map((call) => [call.context.batch, call.context.length])).toEqual(trace.calls.map((call) => call.context_shape));
    trace.calls.forEach((expected, index) => {
      const rtol = index === 0 ? DIRECT : LONG_HORIZON;
      const tolerance = dataTolerance(rtol, ['seasonal_300'], Infinity);
      check('trace context', `call ${index} context`, calls[index]!.context.values, flatten(expected.context).values, tolerance);
      check('trace quantile_preds', `call ${index} quantile_preds`, calls[index]!.quantiles, flatten(expected.quantile_preds).values, tolerance);
    });
    check('trace final', 'final', final, flatten(trace.final).values, dataTolerance(LONG_HORIZON, ['seasonal_300'], Infinity));
    expect(progress.at(-1)).toEqual([19, 19]);
  });
});
