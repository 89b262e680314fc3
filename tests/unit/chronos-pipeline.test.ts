/**
 * The pipeline's TypeScript parts against hand-computed torch results, and the ForecastModel
 * adapter and session lifecycle on a real onnxruntime-node session of the tiny-random golden model.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChronosBoltPipeline,
  concatChunks,
  convertChronosBolt,
  createChronosBoltModel,
  instanceNorm,
  linearQuantiles,
  patchContext,
  selectQuantiles,
  stackContexts,
  type ChronosBoltConfig,
} from '@/lib/models/chronos-bolt';
import { createNodeOnnxSession } from '@/lib/runtime/onnx-node';
import { createChronosRuntime, type OnnxSession } from '@/lib/runtime/onnx-session';
import { checkpointDir, compare, describeComparison, flatten, loadGolden, seriesOf } from '@/tests/support/chronos-golden';
import { loadOnnxWeb } from '@/tests/support/chronos-runtimes';

describe('preprocessing', () => {
  it('left-pads shorter series with NaN and keeps the last contextLength values', () => {
    const context = stackContexts([[1, 2, 3, 4, 5], [7, 8]], 4);
    expect(context.length).toBe(4);
    expect(Array.from(context.values)).toEqual([2, 3, 4, 5, NaN, NaN, 7, 8]);
  });

  it('normalises a constant series with the 1e-5 scale floor and an all-NaN one with (0, 1)', () => {
    const norm = instanceNorm(stackContexts([[3, 3, 3], [NaN, NaN, NaN]], 10));
    expect(Array.from(norm.loc)).toEqual([3, 0]);
    expect(Array.from(norm.scale)).toEqual([Math.fround(1e-5), 1]);
    expect(Array.from(norm.normalized)).toEqual([0, 0, 0, NaN, NaN, NaN]);
  });

  it('patches values first, then the observed mask, with left NaN padding to a whole patch', () => {
    const patched = patchContext(Float32Array.from([1, NaN, 2, 3, 4]), 1, 5, 4);
    expect(patched.numPatches).toBe(2);
    // Padded row: [NaN NaN NaN 1 | NaN 2 3 4].
    expect(Array.from(patched.patches)).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 0, 2, 3, 4, 0, 1, 1, 1]);
    expect(Array.from(patched.patchMask)).toEqual([1, 1]);
    expect(Array.from(patchContext(Float32Array.from([NaN, NaN]), 1, 2, 2).patchMask)).toEqual([0]);
  });
});

describe('quantile post-processing (torch.quantile, linear)', () => {
  it('sorts, ranks at q * (n - 1) and interpolates', () => {
    // torch.quantile(torch.tensor([4., 1., 3., 2.]), torch.tensor([0.1, 0.5, 1.0])) = [1.3, 2.5, 4.0]
    expect(Array.from(linearQuantiles([4, 1, 3, 2], [0.1, 0.5, 1]))).toEqual([Math.fround(1.3), 2.5, 4]);
    expect(Array.from(linearQuantiles([1, NaN, 2], [0.5]))).toEqual([NaN]);
  });

  it('selects trained levels and interpolates others on {q.1, q.1..q.9, q.9}, clamping the edges', () => {
    // One series, one step, the nine trained quantiles 1..9.
    const predictions = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const trained = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    const selected = selectQuantiles(predictions, 1, 1, trained, [0.1, 0.5, 0.9]);
    expect(selected.quantiles).toEqual([[[1, 5, 9]]]);
    expect(selected.mean).toEqual([[5]]);
    expect(selected.clamped).toBe(false);
    const interpolated = selectQuantiles(predictions, 1, 1, trained, [0.05, 0.15, 0.5, 0.99]);
    expect(interpolated.quantiles[0]![0]!.map((value) => Math.round(value * 1e5) / 1e5)).toEqual([1, 1.5, 5, 9]);
    expect(interpolated.clamped).toBe(true);
  });
});

describe('ChronosBoltPipeline and the ForecastModel on onnxruntime-node', () => {
  const golden = loadGolden('tiny-random');
  let session: OnnxSession;
  let config: ChronosBoltConfig;

  beforeAll(async () => {
    const converted = convertChronosBolt({
      configJson: JSON.parse(await readFile(path.join(checkpointDir('tiny-random'), 'config.json'), 'utf8')),
      safetensors: await readFile(path.join(checkpointDir('tiny-random'), 'model.safetensors')),
    });
    config = converted.config;
    session = await createNodeOnnxSession(concatChunks(converted.onnx), { intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    await session?.release();
  });

  it('forecast() returns quantiles [level][step] matching predict_quantiles, the median as mean, and notes', async () => {
    const model = createChronosBoltModel({ info: { id: 'tiny-random', family: 'chronos-bolt', label: 'test', testOnly: true }, config, runtime: createChronosRuntime(session) });
    const fitted = await model.fit({ values: seriesOf(golden.inputs.seasonal_300!) });
    const levelKey = '[0.05, 0.25, 0.5, 0.75, 0.95, 0.99]';
    const expected = golden.goldens.predict_quantiles[levelKey]!;
    const levels = JSON.parse(levelKey) as number[];
    const forecast = await fitted.forecast({ horizon: 100, quantileLevels: levels });
    expect(forecast.horizon).toBe(100);
    expect(forecast.quantileLevels).toEqual(levels);
    expect(forecast.quantiles).toHaveLength(levels.length);
    expect(forecast.quantiles.every((row) => row.length === 100)).toBe(true);
    // Golden is [1][step][level]; the Forecast is [level][step].
    const want = flatten(expected.quantiles).values;
    const got = Array.from({ length: 100 * levels.length }, (_, i) => forecast.quantiles[i % levels.length]![Math.floor(i / levels.length)]!);
    // Long-horizon tolerance of the golden README: 5e-4 relative, floor 5e-4 * (|loc| + scale).
    const comparison = compare(got, want, { rtol: 5e-4, atol: 5e-4 * (65.2 + 11.25) });
    expect(comparison.worstRatio, describeComparison('forecast', comparison)).toBeLessThanOrEqual(1);
    // The mean is the model's raw 0.5 output, as in the reference; the interpolated levels are taken
    // after sorting, so with this random model's crossing quantiles they need not contain it.
    const meanComparison = compare(forecast.mean, flatten(expected.mean).values, { rtol: 5e-4, atol: 5e-4 * (65.2 + 11.25) });
    expect(meanComparison.worstRatio, describeComparison('mean', meanComparison)).toBeLessThanOrEqual(1);
    expect(forecast.notes).toEqual([
      'steps after 64 come from feeding each quantile path back to the model (the reference\'s long-horizon heuristic)',
      'levels outside the trained 0.1-0.9 are clamped to the nearest trained quantile',
    ]);
    fitted.dispose();
    fitted.dispose();
    await expect(fitted.forecast({ horizon: 3 })).rejects.toThrow('chronos-bolt: forecast() after dispose(); fit the model again');
  });

  it('fit() keeps only the context window and says so', async () => {
    const model = createChronosBoltModel({ info: { id: 'tiny-random', family: 'chronos-bolt', label: 'test' }, config, runtime: createChronosRuntime(session) });
    const values = seriesOf(golden.inputs.long_1000!);
    const forecast = await (await model.fit({ values: [...values, ...values, ...values] })).forecast({ horizon: 5 });
    expect(forecast.notes).toEqual(['used the last 512 of 3000 values (the model\'s context length)']);
    expect(forecast.quantileLevels).toEqual(config.quantileLevels);
    await expect((await model.fit({ values })).forecast({ horizon: 0 })).rejects.toThrow('chronos-bolt: horizon must be a positive integer, got 0');
  });

  it('stops between runtime calls when the signal aborts', async () => {
    const pipeline = new ChronosBoltPipeline(config, createChronosRuntime(session), { maxBatch: 2 });
    const controller = new AbortController();
    let calls = 0;
    const run = pipeline.predict([seriesOf(golden.inputs.seasonal_300!)], 150, {
      signal: controller.signal,
      onProgress: () => {
        calls++;
        controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toBe(1);
  });

  it('rejects a bad maxBatch and prediction length, naming the value', () => {
    expect(() => new ChronosBoltPipeline(config, createChronosRuntime(session), { maxBatch: 0 })).toThrow('chronos-bolt: maxBatch must be a positive integer, got 0');
    const pipeline = new ChronosBoltPipeline(config, createChronosRuntime(session));
    return expect(pipeline.predict([[1, 2, 3]], 2.5)).rejects.toThrow('chronos-bolt: prediction length must be a positive integer, got 2.5');
  });

  it('a released session refuses to run, and releasing twice is safe', async () => {
    const converted = convertChronosBolt({
      configJson: JSON.parse(await readFile(path.join(checkpointDir('upstream-dummy'), 'config.json'), 'utf8')),
      safetensors: await readFile(path.join(checkpointDir('upstream-dummy'), 'model.safetensors')),
    });
    const own = await createNodeOnnxSession(concatChunks(converted.onnx), { intraOpNumThreads: 1 });
    const pipeline = new ChronosBoltPipeline(converted.config, createChronosRuntime(own));
    expect(await pipeline.predict([[1, 2, 3]], 4)).toHaveLength(9 * 4);
    await own.release();
    await own.release();
    await expect(pipeline.predict([[1, 2, 3]], 4)).rejects.toThrow('onnx: session was released; create a new one');
  });

  it('onnxruntime-web falls back from WebGPU to WASM and says why', async () => {
    const { createWebOnnxSession } = await loadOnnxWeb();
    const converted = convertChronosBolt({
      configJson: JSON.parse(await readFile(path.join(checkpointDir('upstream-dummy'), 'config.json'), 'utf8')),
      safetensors: await readFile(path.join(checkpointDir('upstream-dummy'), 'model.safetensors')),
    });
    const web = await createWebOnnxSession(concatChunks(converted.onnx), { numThreads: 1 });
    try {
      expect(web.executionProvider).toBe('wasm');
      expect(web.fallbacks).toEqual([{ executionProvider: 'webgpu', reason: 'navigator.gpu is missing (no WebGPU in this environment)' }]);
      expect(web.numThreads).toBe(1);
      const pipeline = new ChronosBoltPipeline(converted.config, createChronosRuntime(web));
      expect(await pipeline.predict([[1, 2, 3]], 4)).toHaveLength(9 * 4);
    } finally {
      await web.release();
    }
  });
});
