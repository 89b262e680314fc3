/**
 * The Informer ONNX export (lib/models/informer/onnx-graph.ts, the project's own ONNX builder) run
 * by real onnxruntime-node agrees with the tfjs forward pass (tfjs cpu in Node) on the same weights,
 * inputs and ProbSparse key samples (fed to ONNX as inputs, replayed to tfjs): ProbSparse encoder
 * and decoder, distil on and off, mix on and off, full attention, timeF / fixed / learned time
 * embeddings, gelu and relu, hourly and minute marks, batch 5, BatchNorm running statistics and
 * norm weights perturbed away from their init so the folding is exercised.
 *
 * Tolerance: every output within 1e-4 x max(1, max|tfjs|), the goldens' bound. Both paths compute
 * in float32 and differ only in summation order, LayerNorm's one-pass statistics and the folded
 * BatchNorm (observed differences ~1e-6).
 */
import { describe, expect, it } from 'vitest';
import { loadTf } from '@/lib/runtime/tfjs-node';
import { createNodeOnnxSession } from '@/lib/runtime/onnx-node';
import {
  drawProbSamples, exportInformerOnnx, initialParameters, InformerModel, makeBatch, probSampleInputs, replayKeySampler, seededKeySampler, seededRandom,
  INFORMER_ONNX_INPUTS, INFORMER_ONNX_OUTPUT, type InformerConfig,
} from '@/lib/models/informer';
import { syntheticSplit, tinyConfig } from '../support/informer-tiny';

const TOLERANCE = 1e-4;

const cases: [string, InformerConfig][] = [
  ['prob enc+dec, distil, mix, timeF, gelu', tinyConfig()],
  ['prob enc+dec, no distil, no mix, fixed marks, relu, 3+2 layers', tinyConfig({ distil: false, mix: false, timeEmbedding: 'fixed', activation: 'relu', encoderLayers: 3, decoderLayers: 2 })],
  ['full attention, distil, mix, learned marks', tinyConfig({ attention: 'full', timeEmbedding: 'learned' })],
  ['prob, distil over 3 layers, minute marks (fixed), univariate', tinyConfig({ frequency: 't', timeEmbedding: 'fixed', encoderLayers: 3, encoderInputs: 1, decoderInputs: 1, outputs: 1 })],
  ['prob, energy-like 96 -> 24 (factor 5, d 32, 4 heads, 2+2 layers, 3 channels)', tinyConfig({ contextLength: 96, labelLength: 48, horizon: 24, factor: 5, dModel: 32, heads: 4, dFeedForward: 64, decoderLayers: 2, encoderInputs: 3, decoderInputs: 3, outputs: 3 })],
];

function perturbed(config: InformerConfig, seed: number) {
  const weights = initialParameters(config, seed);
  const random = seededRandom(seed + 7);
  for (const [name, { values }] of weights) {
    if (name.endsWith('running_mean') || name.includes('norm.bias') || name.includes('norm1.bias')) for (let i = 0; i < values.length; i++) values[i] = random() - 0.5;
    else if (name.endsWith('running_var')) for (let i = 0; i < values.length; i++) values[i] = 0.5 + random();
    else if (/norm\d?\.weight$/.test(name)) for (let i = 0; i < values.length; i++) values[i] = 0.7 + 0.6 * random();
  }
  return weights;
}

describe('Informer ONNX export vs tfjs', () => {
  it.each(cases)('%s: outputs agree within 1e-4 x max(1, max|ref|)', async (_, config) => {
    const tf = await loadTf('cpu');
    const weights = perturbed(config, 11);
    const model = InformerModel.fromWeights(tf, config, weights);
    const split = syntheticSplit(config.contextLength + config.horizon + 40, config, 5);
    const batch = makeBatch(tf, split, config, [0, 7, 13, 29, 40]);
    const draws = drawProbSamples(config, seededKeySampler(99));
    expect(draws.length).toBe(config.attention === 'prob' ? config.encoderLayers + config.decoderLayers : 0);

    const replay = replayKeySampler(draws.map(({ input, indices }) => ({ ...input, indices })));
    const reference = model.forward(batch.inputs, { sampler: replay });
    expect(replay.calls()).toBe(draws.length);
    const expected = (await reference.data()) as Float32Array;

    const session = await createNodeOnnxSession(exportInformerOnnx(config, weights));
    try {
      const feeds: Record<string, { data: Float32Array; dims: number[] }> = {};
      for (const [key, name] of Object.entries(INFORMER_ONNX_INPUTS)) {
        const tensor = batch.inputs[key as keyof typeof INFORMER_ONNX_INPUTS];
        feeds[name] = { data: (await tensor.data()) as Float32Array, dims: [...tensor.shape] };
      }
      for (const { input, indices } of draws) feeds[input.name] = { data: Float32Array.from(indices), dims: [input.queryLength, input.samples] };
      expect([...session.inputNames].sort()).toEqual(Object.keys(feeds).sort());
      const out = (await session.run(feeds, [INFORMER_ONNX_OUTPUT]))[INFORMER_ONNX_OUTPUT]!;
      expect(out.dims).toEqual([5, config.horizon, config.outputs]);
      const scale = Math.max(1, ...Array.from(expected, Math.abs));
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(out.data[i]! - expected[i]!));
      console.info(`worst |onnx - tfjs| ${worst.toExponential(2)} (allowed ${(TOLERANCE * scale).toExponential(2)})`);
      expect(worst).toBeLessThanOrEqual(TOLERANCE * scale);
      // The check can fail: other key samples give a different answer on ProbSparse configs.
      if (config.attention === 'prob') {
        for (const { input, indices } of drawProbSamples(config, seededKeySampler(5))) feeds[input.name] = { data: Float32Array.from(indices), dims: [input.queryLength, input.samples] };
        const other = (await session.run(feeds, [INFORMER_ONNX_OUTPUT]))[INFORMER_ONNX_OUTPUT]!;
        let moved = 0;
        for (let i = 0; i < expected.length; i++) moved = Math.max(moved, Math.abs(other.data[i]! - expected[i]!));
        expect(moved).toBeGreaterThan(TOLERANCE * scale);
      }
    } finally {
      await session.release();
      reference.dispose();
      batch.dispose();
      model.dispose();
    }
  }, 120_000);

  it('lists one sample input per ProbSparse self-attention, with the distilled lengths', () => {
    const inputs = probSampleInputs(tinyConfig({ encoderLayers: 3, decoderLayers: 2 }));
    expect(inputs.map((input) => [input.name, input.queryLength, input.samples])).toEqual([
      ['prob_samples_0', 16, 3], ['prob_samples_1', 8, 3], ['prob_samples_2', 4, 2], ['prob_samples_3', 12, 3], ['prob_samples_4', 12, 3],
    ]);
    expect(probSampleInputs(tinyConfig({ attention: 'full' }))).toEqual([]);
  });
});
