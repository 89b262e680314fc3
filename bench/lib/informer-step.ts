/**
 * One Informer training step (forward + MSE backward + Adam with clipping 1) and one inference,
 * timed on a given TensorFlow.js: bench/informer.ts runs it in Node and, through the Informer
 * harness page (tests/browser/informer-harness.ts), in Chromium, so both time the same code.
 * Config: d_model 64, 4 heads, e2/d1, d_ff 128, factor 5, label L/2, horizon 24, batch 2,
 * 7 channels, timeF, gelu, distil, mix, dropout 0.05. The median of `repeats` after one warm-up.
 */
import { initialParameters, InformerModel, makeBatch, timeMarks, type InformerConfig } from '@/lib/models/informer';
import type { Tf } from '@/lib/models/informer/tf';
import { adamStep, createAdam, disposeAdam } from '@/lib/models/informer/adam';

export interface StepTiming {
  stepMs: number;
  inferenceMs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function measureInformerStep(tf: Tf, attention: 'prob' | 'full', length: number, repeats: number): Promise<StepTiming> {
  const config: InformerConfig = {
    encoderInputs: 7, decoderInputs: 7, outputs: 7, contextLength: length, labelLength: length / 2, horizon: 24,
    factor: 5, dModel: 64, heads: 4, encoderLayers: 2, decoderLayers: 1, dFeedForward: 128, dropout: 0.05,
    attention, timeEmbedding: 'timeF', frequency: 'h', activation: 'gelu', distil: true, mix: true,
  };
  const rows = length + 24 + 8;
  const timestamps = Array.from({ length: rows }, (_, i) => Date.UTC(2020, 0, 1) + i * 3_600_000);
  const split = { values: Float32Array.from({ length: rows * 7 }, (_, i) => Math.sin(i / 13)), marks: timeMarks(timestamps, config), channels: 7, rows };
  const model = InformerModel.fromWeights(tf, config, initialParameters(config, 1));
  const variables = new Map([...model.parameters].map(([name, tensor]) => [name, tf.variable(tensor, !name.includes('running'))]));
  const trainable = new Map([...variables].filter(([name]) => !name.includes('running')));
  const training = new InformerModel(tf, config, variables as never);
  const adam = createAdam(tf, trainable);
  const batch = makeBatch(tf, split, config, [0, 4]);
  const step = async () => {
    const started = performance.now();
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(training.forward(batch.inputs, { training: true }), batch.target))) as never, [...trainable.values()]);
    const byName = Object.fromEntries([...trainable].map(([name, variable]) => [name, grads[variable.name]!]));
    await adamStep(tf, adam, trainable, byName, 1e-4, 1);
    await value.data();
    value.dispose();
    tf.dispose(grads);
    return performance.now() - started;
  };
  const infer = async () => {
    const started = performance.now();
    const out = model.forward(batch.inputs);
    await out.data();
    out.dispose();
    return performance.now() - started;
  };
  await step();
  await infer();
  const stepTimes: number[] = [];
  const inferTimes: number[] = [];
  for (let i = 0; i < repeats; i++) {
    stepTimes.push(await step());
    inferTimes.push(await infer());
  }
  disposeAdam(adam);
  batch.dispose();
  for (const v of variables.values()) v.dispose();
  model.dispose();
  return { stepMs: median(stepTimes), inferenceMs: median(inferTimes) };
}
