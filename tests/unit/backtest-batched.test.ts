/**
 * Batched backtests: a model that batches (Chronos-Bolt) gets its windows in few runtime calls, and
 * every window's forecast, notes and scores equal the window-by-window path's on a real
 * onnxruntime-node session of the tiny-random golden checkpoint.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtestWindows } from '@/lib/core/backtest';
import { backtestModel } from '@/lib/evaluation/backtest-model';
import { chronosBatchSize, concatChunks, convertChronosBolt, createChronosBoltModel, MAX_SERIES_PER_BATCH, type ChronosBoltConfig } from '@/lib/models/chronos-bolt';
import type { ChronosRuntime } from '@/lib/models/chronos-bolt';
import { createNodeOnnxSession } from '@/lib/runtime/onnx-node';
import { createChronosRuntime, type OnnxSession } from '@/lib/runtime/onnx-session';
import { checkpointDir, compare, describeComparison, loadGolden, seriesOf } from '@/tests/support/chronos-golden';

const info = { id: 'tiny-random', family: 'chronos-bolt' as const, label: 'test', testOnly: true };
const levels = [0.1, 0.5, 0.9];

describe('batched backtest on onnxruntime-node', () => {
  const golden = loadGolden('tiny-random');
  let session: OnnxSession;
  let config: ChronosBoltConfig;
  let values: Float64Array;

  beforeAll(async () => {
    const converted = convertChronosBolt({
      configJson: JSON.parse(await readFile(path.join(checkpointDir('tiny-random'), 'config.json'), 'utf8')),
      safetensors: await readFile(path.join(checkpointDir('tiny-random'), 'model.safetensors')),
    });
    config = converted.config;
    session = await createNodeOnnxSession(concatChunks(converted.onnx), { intraOpNumThreads: 1 });
    values = Float64Array.from(seriesOf(golden.inputs.long_1000!));
  });
  afterAll(async () => {
    await session?.release();
  });

  /** A runtime that counts its calls and rows. */
  function counting(): { runtime: ChronosRuntime; calls: number[] } {
    const inner = createChronosRuntime(session);
    const calls: number[] = [];
    return {
      calls,
      runtime: {
        run: (patches, mask, batch, numPatches, options) => {
          calls.push(batch);
          return inner.run(patches, mask, batch, numPatches, options);
        },
      },
    };
  }

  it('sends 20 windows in one call and reproduces the window-by-window forecasts and scores', async () => {
    // Some windows have less than the model's context (shorter rows are NaN-padded in the batch), one has more.
    const windows = backtestWindows(values.length, { windows: 20, step: 24, horizon: 64, context: 600, minContext: 300 });
    expect(new Set(windows.map((window) => window.cutoff - window.contextStart)).size).toBeGreaterThan(1);
    const batched = counting();
    const single = counting();
    const progress: number[] = [];
    const common = { values, frequency: null, windows, quantileLevels: levels, seasonalPeriod: 24 };
    const fast = await backtestModel({ ...common, model: createChronosBoltModel({ info, config, runtime: batched.runtime }), onWindow: (done) => progress.push(done) });
    const slow = await backtestModel({ ...common, model: createChronosBoltModel({ info, config, runtime: single.runtime }), oneCallPerWindow: true });
    expect(batched.calls).toEqual([20]);
    expect(single.calls).toEqual(Array(20).fill(1));
    expect(progress).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(fast.windows.map((window) => window.index)).toEqual(slow.windows.map((window) => window.index));
    // Same float32 graph; only the order of a few sums can differ with the batch size.
    const tolerance = { rtol: 1e-5, atol: 1e-4 };
    for (const [index, window] of fast.windows.entries()) {
      const reference = slow.windows[index]!;
      expect(window.forecast.notes).toEqual(reference.forecast.notes);
      expect(window.forecast.quantileLevels).toEqual(levels);
      const comparison = compare(window.forecast.quantiles.flat(), reference.forecast.quantiles.flat(), tolerance);
      expect(comparison.worstRatio, describeComparison(`window ${index}`, comparison)).toBeLessThanOrEqual(1);
      for (const [metric, value] of Object.entries(window.metrics)) {
        const expected = (reference.metrics as unknown as Record<string, number | null>)[metric];
        // With the quantiles' tolerance: a squared-error metric of ~900 moves in its 7th digit with them
        // (seen on a CPU without AVX-512, where the batched and single calls pick other kernels).
        if (typeof value === 'number' && typeof expected === 'number') {
          const metricComparison = compare([value], [expected], tolerance);
          expect(metricComparison.worstRatio, describeComparison(`${metric} of window ${index}`, metricComparison)).toBeLessThanOrEqual(1);
        } else expect(value).toEqual(expected);
      }
    }
  });

  it('splits the windows into batches of batchSize, still reporting every window', async () => {
    const windows = backtestWindows(values.length, { windows: 7, step: 10, horizon: 12, context: 200, minContext: 200 });
    const counted = counting();
    const progress: number[] = [];
    const result = await backtestModel({
      model: createChronosBoltModel({ info, config, runtime: counted.runtime, batchSize: 3 }),
      values,
      frequency: null,
      windows,
      quantileLevels: levels,
      seasonalPeriod: 1,
      onWindow: (done) => progress.push(done),
    });
    expect(counted.calls).toEqual([3, 3, 1]);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(result.windows).toHaveLength(7);
  });

  it('cancelling stops before the next batch', async () => {
    const windows = backtestWindows(values.length, { windows: 6, step: 10, horizon: 12, context: 200, minContext: 200 });
    const counted = counting();
    const controller = new AbortController();
    const run = backtestModel({
      model: createChronosBoltModel({ info, config, runtime: counted.runtime, batchSize: 2 }),
      values,
      frequency: null,
      windows,
      quantileLevels: levels,
      seasonalPeriod: 1,
      signal: controller.signal,
      onWindow: (done) => done === 2 && controller.abort(new Error('stop')),
    });
    await expect(run).rejects.toThrow('stop');
    expect(counted.calls).toEqual([2]);
  });

  it('sizes batches from the model shape: a small model takes the cap, a huge context gets fewer', () => {
    expect(chronosBatchSize(config)).toBe(MAX_SERIES_PER_BATCH);
    const huge = { ...config, contextLength: 16_384, numHeads: 16, feedForwardDim: 4096, modelDim: 1024 };
    const size = chronosBatchSize(huge);
    expect(size).toBeGreaterThanOrEqual(1);
    expect(size).toBeLessThan(MAX_SERIES_PER_BATCH);
  });
});
