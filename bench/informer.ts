/**
 * `npm run bench -- informer [--lengths 96,192,384,768,1536] [--repeats 3] [--backend wasm]`
 *
 * Training step time (forward + backward + Adam) and inference time of Informer with ProbSparse vs
 * full self-attention, side by side in one run, for growing input lengths on tfjs (wasm in Node by
 * default, one thread). Config: d_model 64, 4 heads, 2 encoder + 1 decoder layers, d_ff 128,
 * factor 5, label L/2, horizon 24, batch 2, 7 channels. The median of `repeats` timed steps after
 * one warm-up. The log-log slope between consecutive lengths says whether time grows like
 * L log L (slope ~1.1) or L^2 (slope ~2).
 */
import { loadTf, type TfBackendName } from '@/lib/runtime/tfjs-node';
import { createTrainer, initialParameters, InformerModel, makeBatch, timeMarks, type InformerConfig } from '@/lib/models/informer';
import { adamStep, createAdam, disposeAdam } from '@/lib/models/informer/adam';
import { printTable, writeResult } from './lib/report';

const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const lengths = argument('lengths', '96,192,384,768,1536').split(',').map(Number);
const repeats = Number(argument('repeats', '3'));
const backend = argument('backend', 'wasm') as TfBackendName;
const tf = await loadTf(backend);
void createTrainer;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(attention: 'prob' | 'full', length: number) {
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

const results: { length: number; prob: { stepMs: number; inferenceMs: number }; full: { stepMs: number; inferenceMs: number } }[] = [];
for (const length of lengths) {
  const prob = await measure('prob', length);
  const full = await measure('full', length);
  results.push({ length, prob, full });
  console.error(`L=${length}: prob step ${prob.stepMs.toFixed(0)} ms, full step ${full.stepMs.toFixed(0)} ms`);
}
const slope = (key: 'prob' | 'full', field: 'stepMs' | 'inferenceMs', i: number) =>
  i === 0 ? '' : (Math.log(results[i]![key][field] / results[i - 1]![key][field]) / Math.log(results[i]!.length / results[i - 1]!.length)).toFixed(2);
const rows = results.map((r, i) => [
  r.length, r.prob.stepMs.toFixed(1), r.full.stepMs.toFixed(1), (r.full.stepMs / r.prob.stepMs).toFixed(2), slope('prob', 'stepMs', i), slope('full', 'stepMs', i),
  r.prob.inferenceMs.toFixed(1), r.full.inferenceMs.toFixed(1),
]);
printTable({ columns: ['L', 'prob step ms', 'full step ms', 'full/prob', 'prob slope', 'full slope', 'prob infer ms', 'full infer ms'], rows });
const file = writeResult('informer', {
  backend, repeats, config: 'd_model 64, 4 heads, e2/d1, d_ff 128, factor 5, label L/2, horizon 24, batch 2, 7 channels, dropout 0.05',
  note: 'median of repeats after one warm-up; slope = d log(time) / d log(L) between consecutive lengths (L log L ~ 1.1, L^2 ~ 2)',
  results,
});
console.log(`wrote ${file}`);
