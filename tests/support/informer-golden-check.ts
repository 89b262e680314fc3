/**
 * Runs one Informer golden config (the shared vectors from the unmodified Informer2020 PyTorch
 * code, copied into tests/fixtures/golden/informer) through lib/models/informer on whatever tf
 * backend it is given, replaying the recorded ProbSparse key samples, and compares every recorded
 * intermediate and output. Pure: used by the Node unit tests and by the Chromium page alike.
 *
 * Tolerance (README of the goldens): max|got - ref| <= 1e-4 * max(1, max|ref|) per tensor, about
 * 40x the worst float32-vs-float64 difference observed upstream.
 */
import { configFromPytorch, InformerModel, replayKeySampler, seededKeySampler, type PytorchInformerKwargs } from '@/lib/models/informer';
import type { Tensor, Tf } from '@/lib/models/informer/tf';

export interface EncodedTensor { dtype: 'float32' | 'int32'; shape: number[]; data: string }
export interface GoldenProbCall {
  module: string; mask_flag: boolean; L_Q: number; L_K: number; sample_k: number; n_top: number;
  index_sample: EncodedTensor; M_top: EncodedTensor; M_top_sorted: EncodedTensor; M: EncodedTensor; min_gap: number;
}
export interface GoldenFile {
  inputs: Record<'x_enc' | 'x_mark_enc' | 'x_dec' | 'x_mark_dec' | 'batch_y', EncodedTensor>;
  prob_attention: GoldenProbCall[];
  intermediates: Record<string, EncodedTensor & { describe?: string }>;
  outputs: { prediction: EncodedTensor; prediction_inverse: EncodedTensor; target: EncodedTensor; mse_vs_target: number };
}
export interface GoldenConfigFile {
  name: string;
  model_kwargs: PytorchInformerKwargs;
  data: { scaler_mean: number[]; scaler_std: number[]; features: string };
}
export interface GoldenWeightsFile { tensors: Record<string, EncodedTensor> }

export const TOLERANCE_FACTOR = 1e-4;

function base64Bytes(data: string): Uint8Array {
  if (typeof Buffer !== 'undefined') {
    const buffer = Buffer.from(data, 'base64');
    return new Uint8Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
  }
  return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
}

export function decode(tensor: EncodedTensor): Float32Array | Int32Array {
  const bytes = base64Bytes(tensor.data);
  const values = tensor.dtype === 'float32' ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) : new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const expected = tensor.shape.reduce((a, b) => a * b, 1);
  if (values.length !== expected) throw new Error(`golden: tensor of shape [${tensor.shape}] decodes to ${values.length} values`);
  return values;
}

export function weightsMap(file: GoldenWeightsFile): Map<string, { shape: number[]; values: Float32Array }> {
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const [name, tensor] of Object.entries(file.tensors)) out.set(name, { shape: tensor.shape, values: decode(tensor) as Float32Array });
  return out;
}

export interface TensorComparison { name: string; shape: number[]; maxAbs: number; maxRef: number; allowed: number; ok: boolean }
export interface SelectionComparison { module: string; measureMaxAbs: number; measureAllowed: number; setsEqual: boolean; forced: boolean; minGap: number }
export interface GoldenReport {
  config: string;
  backend: string;
  tensors: TensorComparison[];
  selections: SelectionComparison[];
  /** Every tensor and M within tolerance, every top-u set equal without forcing, shapes right. */
  ok: boolean;
  leakedTensors: number;
}

export function compare(name: string, got: ArrayLike<number>, gotShape: number[], reference: ArrayLike<number>, referenceShape: number[]): TensorComparison {
  let maxAbs = 0;
  let maxRef = 0;
  const shapeOk = gotShape.join(',') === referenceShape.join(',') && got.length === reference.length;
  for (let i = 0; i < reference.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(reference[i]!));
    const diff = Math.abs((got[i] ?? NaN) - reference[i]!);
    maxAbs = Math.max(maxAbs, Number.isNaN(diff) ? Infinity : diff);
  }
  const allowed = TOLERANCE_FACTOR * Math.max(1, maxRef);
  return { name, shape: gotShape, maxAbs, maxRef, allowed, ok: shapeOk && maxAbs <= allowed };
}

function inputs(tf: Tf, golden: GoldenFile) {
  const t = (e: EncodedTensor) => tf.tensor(decode(e), e.shape, 'float32');
  return {
    encoderValues: t(golden.inputs.x_enc), encoderMarks: t(golden.inputs.x_mark_enc),
    decoderValues: t(golden.inputs.x_dec), decoderMarks: t(golden.inputs.x_mark_dec),
  };
}

/** Replays the recorded key samples and compares everything the golden recorded. */
export async function runGoldenReplay(tf: Tf, configFile: GoldenConfigFile, weights: GoldenWeightsFile, golden: GoldenFile): Promise<GoldenReport> {
  const before = tf.memory().numTensors;
  const config = configFromPytorch(configFile.model_kwargs);
  const model = InformerModel.fromWeights(tf, config, weightsMap(weights));
  const recorded = new Map<string, Tensor>();
  const selections: { call: GoldenProbCall; measure: Tensor; selected: Tensor }[] = [];
  const input = inputs(tf, golden);
  // Top-u is compared as a set per (b, h) after the pass (no synchronous read-back, which WebGPU
  // cannot do cheaply). When a set differs the margin was below our rounding: the pass is run
  // again with the recorded M_top forced for those calls, and the report flags it.
  const sameSets = (got: ArrayLike<number>, call: GoldenProbCall) => {
    const reference = decode(call.M_top_sorted);
    const u = call.n_top;
    for (let offset = 0; offset < reference.length; offset += u) {
      const want = new Set(Array.from(reference.subarray(offset, offset + u)));
      for (let j = 0; j < u; j++) if (!want.has(got[offset + j]!)) return false;
    }
    return true;
  };
  const pass = (force: Set<number>) => {
    const sampler = replayKeySampler(golden.prob_attention.map((call) => ({ queryLength: call.L_Q, keyLength: call.L_K, samples: call.sample_k, indices: decode(call.index_sample) as Int32Array })));
    const prediction = model.forward(input, {
      sampler,
      observers: {
        record: (name, value) => { if (!recorded.has(name)) recorded.set(name, tf.keep(value.clone())); },
        selection: (selection) => {
          const index = selections.length;
          const call = golden.prob_attention[index]!;
          selections.push({ call, measure: tf.keep(selection.measure.clone()), selected: tf.keep(selection.selected.clone()) });
          return force.has(index) ? tf.tensor(decode(call.M_top), call.M_top.shape, 'int32') : undefined;
        },
      },
    });
    return { prediction, sampler };
  };
  const release = () => {
    for (const tensor of [...recorded.values(), ...selections.flatMap((s) => [s.measure, s.selected])]) tensor.dispose();
    recorded.clear();
    selections.length = 0;
  };
  let { prediction, sampler } = pass(new Set());
  const differing = new Set<number>();
  for (const [index, entry] of selections.entries()) if (!sameSets(await entry.selected.data(), entry.call)) differing.add(index);
  if (differing.size > 0) {
    prediction.dispose();
    release();
    ({ prediction, sampler } = pass(differing));
  }
  const selectionReports: SelectionComparison[] = selections.map((entry, index) => ({
    module: entry.call.module, measureMaxAbs: 0, measureAllowed: 0, setsEqual: !differing.has(index), forced: differing.has(index), minGap: entry.call.min_gap,
  }));
  const tensors: TensorComparison[] = [];
  for (const [name, reference] of Object.entries(golden.intermediates)) {
    const got = recorded.get(name);
    if (got === undefined) {
      tensors.push({ name, shape: [], maxAbs: Infinity, maxRef: 0, allowed: 0, ok: false });
      continue;
    }
    tensors.push(compare(name, await got.data(), got.shape, decode(reference), reference.shape));
  }
  tensors.push(compare('prediction', await prediction.data(), prediction.shape, decode(golden.outputs.prediction), golden.outputs.prediction.shape));
  // inverse_transform in float32, as the reference computes it on a torch tensor.
  const mean = tf.tensor1d(configFile.data.scaler_mean.slice(-config.outputs), 'float32');
  const std = tf.tensor1d(configFile.data.scaler_std.slice(-config.outputs), 'float32');
  const inverse = tf.tidy(() => tf.add(tf.mul(prediction, std), mean));
  tensors.push(compare('prediction_inverse', await inverse.data(), inverse.shape, decode(golden.outputs.prediction_inverse), golden.outputs.prediction_inverse.shape));
  for (const [index, entry] of selections.entries()) {
    const measure = compare(`${entry.call.module}.M`, await entry.measure.data(), entry.measure.shape, decode(entry.call.M), entry.call.M.shape);
    selectionReports[index]!.measureMaxAbs = measure.maxAbs;
    selectionReports[index]!.measureAllowed = measure.allowed;
    tensors.push(measure);
  }
  if (sampler.calls() !== golden.prob_attention.length) {
    tensors.push({ name: `prob_attention calls (${sampler.calls()} of ${golden.prob_attention.length})`, shape: [], maxAbs: Infinity, maxRef: 0, allowed: 0, ok: false });
  }
  release();
  for (const tensor of [prediction, mean, std, inverse, ...Object.values(input)]) tensor.dispose();
  model.dispose();
  const leakedTensors = tf.memory().numTensors - before;
  return {
    config: configFile.name,
    backend: tf.getBackend(),
    tensors,
    selections: selectionReports,
    ok: tensors.every((t) => t.ok) && selectionReports.every((s) => s.setsEqual),
    leakedTensors,
  };
}

/** Without replay: a seeded sampler of our own; returns max |prediction - golden|. */
export async function runGoldenWithoutReplay(tf: Tf, configFile: GoldenConfigFile, weights: GoldenWeightsFile, golden: GoldenFile, seed: number): Promise<number> {
  const config = configFromPytorch(configFile.model_kwargs);
  const model = InformerModel.fromWeights(tf, config, weightsMap(weights));
  const input = inputs(tf, golden);
  const prediction = model.forward(input, { sampler: seededKeySampler(seed) });
  const result = compare('prediction', await prediction.data(), prediction.shape, decode(golden.outputs.prediction), golden.outputs.prediction.shape);
  prediction.dispose();
  for (const tensor of Object.values(input)) tensor.dispose();
  model.dispose();
  return result.maxAbs;
}
