/**
 * `npm run bench -- informer [--lengths 96,192,384,768,1536] [--repeats 3] [--backend wasm] [--torch <Informer2020 checkout>]`
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
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
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
const torchDir = argument('torch', process.env.INFORMER2020_DIR ?? '') || undefined;
const tf = await loadTf(backend);
void createTrainer;

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

type Ratio = { step: number; inference: number };
const results: { length: number; prob: Timing; full: Timing; torch?: { prob: Timing; full: Timing }; oursOverTorch?: { prob: Ratio; full: Ratio } }[] = [];
const ratio = (ours: Timing, torch: Timing): Ratio => ({ step: ours.stepMs / torch.stepMs, inference: ours.inferenceMs / torch.inferenceMs });
for (const length of lengths) {
  const prob = await measure('prob', length);
  const full = await measure('full', length);
  console.error(`L=${length}: prob step ${prob.stepMs.toFixed(0)} ms, full step ${full.stepMs.toFixed(0)} ms`);
  if (torchDir === undefined) {
    results.push({ length, prob, full });
    continue;
  }
  const reference = runTorch(['--lengths', String(length), '--repeats', String(repeats)]) as { results: { length: number; prob: Timing; full: Timing }[] };
  const torch = { prob: reference.results[0]!.prob, full: reference.results[0]!.full };
  results.push({ length, prob, full, torch, oursOverTorch: { prob: ratio(prob, torch.prob), full: ratio(full, torch.full) } });
  console.error(`L=${length}: torch prob step ${torch.prob.stepMs.toFixed(0)} ms, torch full step ${torch.full.stepMs.toFixed(0)} ms`);
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
const file = writeResult('informer', {
  backend, repeats, config: 'd_model 64, 4 heads, e2/d1, d_ff 128, factor 5, label L/2, horizon 24, batch 2, 7 channels, dropout 0.05',
  note: 'median of repeats after one warm-up; slope = d log(time) / d log(L) between consecutive lengths (L log L ~ 1.1, L^2 ~ 2); oursOverTorch = our ms / torch ms (> 1: we are slower)',
  torch: torchInfo,
  results,
});
console.log(`wrote ${file}`);
