/**
 * A trained Informer as an ONNX graph (opset 17), built with the project's own ONNX builder
 * (lib/models/onnx/builder.ts), no Python and no external exporter: inference only
 * (eval mode: no dropout, BatchNorm running statistics folded into a scale and a shift), the same
 * forward pass as model.ts op for op, so onnxruntime-node (CPU, or CUDA via
 * LOOKAHEAD_ORT_PROVIDERS) serves large server batches of a model trained with tfjs.
 *
 * Inputs (batch dimension "batch", everything else fixed by the config):
 * - `encoder_values` [B, contextLength, encoderInputs], `encoder_marks` [B, contextLength, marks],
 * - `decoder_values` [B, labelLength + horizon, decoderInputs], `decoder_marks` [B, ..., marks],
 * - one `prob_samples_<i>` [L_Q, U] per ProbSparse self-attention call (ProbSparse configs only),
 *   in forward order (encoder layers, then decoder layers): the key indices the reference draws
 *   with torch.randint(L_K, (L_Q, U)), shared by every batch element and head. They are float32
 *   holding exact integers (< 2^24) and cast to int64 in the graph, so the float-only session
 *   layer (lib/runtime/onnx-session.ts) carries them. `probSampleInputs` lists them;
 *   `defaultProbSamples` makes the documented deterministic choice the app uses on both paths:
 *   the draws of `seededKeySampler(0)` in call order, which is exactly what the tfjs forecaster
 *   (forecaster.ts) draws for each forecast.
 *
 * Output: `prediction` [B, horizon, outputs] in scaled units.
 *
 * Differences from model.ts that are numerical only: LayerNormalization is the ONNX op (one-pass
 * vs tf.moments), BatchNorm is folded, top-u selection uses TopK's indices (tfjs uses the u-th
 * largest as a threshold; the same set unless two measures tie exactly).
 */
import { LookaheadError } from '@/lib/core/errors';
import { attr, OnnxGraphBuilder } from '@/lib/models/onnx/builder';
import { encodeOnnxModel, concatChunks, type OnnxModel } from '@/lib/models/onnx/proto';
import type { InformerConfig } from './config';
import { markColumns, validateConfig } from './config';
import { BATCH_NORM_EPSILON } from './distil-conv';
import { sinusoidTable } from './embeddings';
import { MASKED } from './full-attention';
import { parameterSpecs } from './parameters';
import { probSparseCount } from './prob-attention';
import { seededKeySampler, type KeySampler } from './sampler';
import type { WeightMap } from './weights';

export const INFORMER_ONNX_OPSET = 17;
const IR_VERSION = 8;
/** Bump when the graph changes: cached exports are keyed by weights sha256 and this version. */
export const INFORMER_ONNX_EXPORTER_VERSION = 1;

export const INFORMER_ONNX_INPUTS = {
  encoderValues: 'encoder_values',
  encoderMarks: 'encoder_marks',
  decoderValues: 'decoder_values',
  decoderMarks: 'decoder_marks',
} as const;
export const INFORMER_ONNX_OUTPUT = 'prediction';

export interface ProbSampleInput {
  name: string;
  /** Module path of the attention, as in the golden records. */
  module: string;
  queryLength: number;
  keyLength: number;
  samples: number;
}

/** The encoder's sequence length after each layer's distilling conv. */
function encoderLengths(config: InformerConfig): number[] {
  const lengths: number[] = [];
  let length = config.contextLength;
  for (let layer = 0; layer < config.encoderLayers; layer++) {
    lengths.push(length);
    if (config.distil && layer < config.encoderLayers - 1) length = Math.floor((length - 1) / 2) + 1;
  }
  return lengths;
}

/** Every ProbSparse self-attention call of one forward pass, in the order model.ts samples them. */
export function probSampleInputs(config: InformerConfig): ProbSampleInput[] {
  if (config.attention !== 'prob') return [];
  const inputs: ProbSampleInput[] = [];
  encoderLengths(config).forEach((length, layer) => {
    inputs.push({ name: `prob_samples_${inputs.length}`, module: `encoder.attn_layers.${layer}.attention.inner_attention`, queryLength: length, keyLength: length, samples: probSparseCount(config.factor, length) });
  });
  const decoderLength = config.labelLength + config.horizon;
  for (let layer = 0; layer < config.decoderLayers; layer++) {
    inputs.push({ name: `prob_samples_${inputs.length}`, module: `decoder.layers.${layer}.self_attention.inner_attention`, queryLength: decoderLength, keyLength: decoderLength, samples: probSparseCount(config.factor, decoderLength) });
  }
  return inputs;
}

/** Draws every sample input from `sampler`, in forward order (feed these to the session). */
export function drawProbSamples(config: InformerConfig, sampler: KeySampler): { input: ProbSampleInput; indices: Int32Array }[] {
  return probSampleInputs(config).map((input) => ({ input, indices: sampler(input.queryLength, input.keyLength, input.samples) }));
}

/** The documented deterministic choice both serving paths use: `seededKeySampler(0)`'s draws in call order. */
export function defaultProbSamples(config: InformerConfig): { input: ProbSampleInput; indices: Int32Array }[] {
  return drawProbSamples(config, seededKeySampler(0));
}

/** Linear [out, in] (or conv k=1 [out, in, 1]) to [in, out] for MatMul(x, W). */
function transposed(values: Float32Array, outputs: number, inputs: number): Float32Array {
  const result = new Float32Array(values.length);
  for (let o = 0; o < outputs; o++) for (let i = 0; i < inputs; i++) result[i * outputs + o] = values[o * inputs + i]!;
  return result;
}

export interface BuildInformerGraphOptions {
  producerVersion?: string;
  metadata?: Record<string, string>;
}

export function buildInformerGraph(configIn: InformerConfig, weights: WeightMap, options: BuildInformerGraphOptions = {}): OnnxModel {
  const config = validateConfig(configIn);
  for (const spec of parameterSpecs(config)) {
    const found = weights.get(spec.name);
    if (found === undefined) throw new LookaheadError('informer', 'bad_input', `weights lack ${spec.name} (shape [${spec.shape}])`);
    if (found.shape.join(',') !== spec.shape.join(',')) throw new LookaheadError('informer', 'bad_input', `weight ${spec.name} has shape [${found.shape}], the config needs [${spec.shape}]`);
  }
  const g = new OnnxGraphBuilder('fp32');
  const w = (name: string) => weights.get(name)!;
  const d = config.dModel;
  const M = markColumns(config.frequency);
  const decoderLength = config.labelLength + config.horizon;

  const linear = (x: string, prefix: string): string => {
    const { shape, values } = w(`${prefix}.weight`);
    const [outputs, inputs] = [shape[0]!, shape[1]!];
    const kernel = g.weight(`${prefix}.weight`, () => transposed(values, outputs, inputs), [inputs, outputs]);
    return g.op('Add', [g.op('MatMul', [x, kernel]), g.parameter(`${prefix}.bias`, w(`${prefix}.bias`).values, [outputs])]);
  };

  /** Circular Conv1d k=3 along time as one matmul over [x[t-1], x[t], x[t+1]] (as layers.ts). */
  const circularConv3 = (x: string, length: number, prefix: string): string => {
    const { shape, values } = w(`${prefix}.weight`); // [out, in, 3]
    const [outputs, inputs] = [shape[0]!, shape[1]!];
    const slice = (start: number, end: number) => g.op('Slice', [x, g.int64([start]), g.int64([end]), g.int64([1])]);
    const previous = g.op('Concat', [slice(length - 1, length), slice(0, length - 1)], [attr.int('axis', 1)]);
    const next = g.op('Concat', [slice(1, length), slice(0, 1)], [attr.int('axis', 1)]);
    const columns = g.op('Concat', [previous, x, next], [attr.int('axis', 2)]);
    const kernel = g.weight(`${prefix}.weight`, () => {
      const out = new Float32Array(3 * inputs * outputs);
      for (let o = 0; o < outputs; o++) for (let c = 0; c < inputs; c++) for (let k = 0; k < 3; k++) out[(k * inputs + c) * outputs + o] = values[(o * inputs + c) * 3 + k]!;
      return out;
    }, [3 * inputs, outputs]);
    return g.op('Add', [g.op('MatMul', [columns, kernel]), g.parameter(`${prefix}.bias`, w(`${prefix}.bias`).values, [outputs])]);
  };

  const layerNorm = (x: string, prefix: string): string =>
    g.op('LayerNormalization', [x, g.parameter(`${prefix}.weight`, w(`${prefix}.weight`).values, [d]), g.parameter(`${prefix}.bias`, w(`${prefix}.bias`).values, [d])], [attr.int('axis', -1), attr.float('epsilon', 1e-5)]);

  const activation = (x: string): string => {
    if (config.activation === 'relu') return g.op('Relu', [x]);
    const erf = g.op('Erf', [g.op('Mul', [x, g.float32([Math.SQRT1_2], [])])]);
    return g.op('Mul', [g.op('Mul', [x, g.float32([0.5], [])]), g.op('Add', [erf, g.float32([1], [])])]);
  };

  const FIXED_ORDER: [string, number][] = [['hour', 3], ['weekday', 2], ['day', 1], ['month', 0], ['minute', 4]];
  const temporal = (marks: string, prefix: string): string => {
    if (config.timeEmbedding === 'timeF') return linear(marks, `${prefix}.embed`);
    const indices = g.op('Cast', [marks], [attr.int('to', 7)]); // int64, truncating like .long()
    let sum: string | undefined;
    for (const [name, column] of FIXED_ORDER) {
      if (column >= M) continue;
      const tableName = config.timeEmbedding === 'fixed' ? `${prefix}.${name}_embed.emb.weight` : `${prefix}.${name}_embed.weight`;
      const table = w(tableName);
      const index = g.op('Squeeze', [g.op('Slice', [indices, g.int64([column]), g.int64([column + 1]), g.int64([2])]), g.int64([2])]);
      const looked = g.op('Gather', [g.parameter(tableName, table.values, table.shape), index], [attr.int('axis', 0)]);
      sum = sum === undefined ? looked : g.op('Add', [sum, looked]);
    }
    return sum!;
  };

  const embedding = (values: string, marks: string, length: number, prefix: string): string =>
    g.scoped(prefix, () => {
      const value = circularConv3(values, length, `${prefix}.value_embedding.tokenConv`);
      const position = g.parameter(`${prefix}.position`, sinusoidTable(length, d), [1, length, d]);
      return g.op('Add', [g.op('Add', [value, position]), temporal(marks, `${prefix}.temporal_embedding`)]);
    });

  const sampleInputs = probSampleInputs(config);
  let sampleCall = 0;
  let causalCount = 0;

  /** q, k, v [B, H, L, D]; returns [B, H, L_Q, D]. */
  const probAttention = (q: string, k: string, v: string, queryLength: number, keyLength: number, headSize: number, causal: boolean): string => {
    const input = sampleInputs[sampleCall++]!;
    if (input.queryLength !== queryLength || input.keyLength !== keyLength) throw new LookaheadError('informer', 'internal', `ProbSparse call ${sampleCall - 1}: expected L_Q ${input.queryLength}, L_K ${input.keyLength}, got ${queryLength}, ${keyLength}`);
    const { samples } = input;
    const top = probSparseCount(config.factor, queryLength);
    const drawn = g.input(input.name, [queryLength, samples]);
    const index = g.op('Reshape', [g.op('Cast', [drawn], [attr.int('to', 7)]), g.int64([-1])]);
    const sampledKeys = g.op('Reshape', [g.op('Gather', [k, index], [attr.int('axis', 2)]), g.int64([0, 0, queryLength, samples, headSize])]);
    const sampledScores = g.op('ReduceSum', [g.op('Mul', [g.op('Unsqueeze', [q, g.int64([3])]), sampledKeys]), g.int64([-1])], [attr.int('keepdims', 0)]);
    const measure = g.op('Sub', [
      g.op('ReduceMax', [sampledScores], [attr.ints('axes', [-1]), attr.int('keepdims', 0)]),
      g.op('Div', [g.op('ReduceSum', [sampledScores, g.int64([-1])], [attr.int('keepdims', 0)]), g.float32([keyLength], [])]),
    ]);
    const [, indicesName] = g.opMulti('TopK', [measure, g.int64([top])], 2, [attr.int('axis', -1), attr.int('largest', 1), attr.int('sorted', 1)]);
    // One-hot [B,H,u,L_Q] of the chosen queries, as prob-attention.ts.
    const selection = g.op('OneHot', [indicesName!, g.int64([queryLength], []), g.float32([0, 1])], [attr.int('axis', -1)]);
    const reducedQueries = g.op('MatMul', [selection, q]);
    let scores = g.op('Mul', [g.op('MatMul', [reducedQueries, g.op('Transpose', [k], [attr.ints('perm', [0, 1, 3, 2])])]), g.float32([1 / Math.sqrt(headSize)], [])]);
    const initial = causal
      ? g.op('CumSum', [v, g.int64([2], [])])
      : g.op('ReduceMean', [v], [attr.ints('axes', [2]), attr.int('keepdims', 1)]);
    if (causal) {
      const lower = new Float32Array(queryLength * keyLength);
      for (let l = 0; l < queryLength; l++) for (let s = 0; s <= Math.min(l, keyLength - 1); s++) lower[l * keyLength + s] = 1;
      const allowed = g.op('MatMul', [selection, g.parameter(`const/lower_${queryLength}x${keyLength}_${sampleCall}`, lower, [queryLength, keyLength])]);
      const blocked = g.op('Sub', [g.float32([1], []), allowed]);
      scores = g.op('Add', [g.op('Mul', [scores, allowed]), g.op('Mul', [blocked, g.float32([MASKED], [])])]);
    }
    const weightsOut = g.op('Softmax', [scores], [attr.int('axis', -1)]);
    const updates = g.op('MatMul', [weightsOut, v]);
    const keep = g.op('Sub', [g.float32([1], []), g.op('ReduceSum', [selection, g.int64([2])], [attr.int('keepdims', 0)])]);
    const scattered = g.op('MatMul', [g.op('Transpose', [selection], [attr.ints('perm', [0, 1, 3, 2])]), updates]);
    return g.op('Add', [g.op('Mul', [initial, g.op('Unsqueeze', [keep, g.int64([3])])]), scattered]);
  };

  const fullAttention = (q: string, k: string, v: string, queryLength: number, keyLength: number, headSize: number, causal: boolean): string => {
    let scores = g.op('Mul', [g.op('MatMul', [q, g.op('Transpose', [k], [attr.ints('perm', [0, 1, 3, 2])])]), g.float32([1 / Math.sqrt(headSize)], [])]);
    if (causal) {
      const above = new Float32Array(queryLength * keyLength);
      const allowed = new Float32Array(queryLength * keyLength);
      for (let l = 0; l < queryLength; l++) for (let s = 0; s < keyLength; s++) (s > l ? above : allowed)[l * keyLength + s] = 1;
      // where(s > l, MASKED, score) as score * allowed + MASKED * above: exactly MASKED where masked.
      const name = `const/causal_${queryLength}x${keyLength}_${causalCount++}`;
      scores = g.op('Add', [g.op('Mul', [scores, g.parameter(`${name}_allowed`, allowed, [queryLength, keyLength])]), g.parameter(`${name}_masked`, above.map((a) => a * MASKED), [queryLength, keyLength])]);
    }
    return g.op('MatMul', [g.op('Softmax', [scores], [attr.int('axis', -1)]), v]);
  };

  const attentionLayer = (prefix: string, queriesIn: string, keysIn: string, queryLength: number, keyLength: number, kind: 'prob' | 'full', causal: boolean, mix: boolean): string =>
    g.scoped(prefix, () => {
      const H = config.heads;
      const D = d / H;
      const heads = (x: string, length: number) => g.op('Transpose', [g.op('Reshape', [x, g.int64([0, length, H, D])])], [attr.ints('perm', [0, 2, 1, 3])]);
      const q = heads(linear(queriesIn, `${prefix}.query_projection`), queryLength);
      const k = heads(linear(keysIn, `${prefix}.key_projection`), keyLength);
      const v = heads(linear(keysIn, `${prefix}.value_projection`), keyLength);
      const inner = kind === 'prob' ? probAttention(q, k, v, queryLength, keyLength, D, causal) : fullAttention(q, k, v, queryLength, keyLength, D, causal); // [B,H,L,D]
      // mix reads the [H, L, D] block row-major; otherwise back to [B, L, H, D] first.
      const merged = mix
        ? g.op('Reshape', [inner, g.int64([-1, queryLength, d])])
        : g.op('Reshape', [g.op('Transpose', [inner], [attr.ints('perm', [0, 2, 1, 3])]), g.int64([-1, queryLength, d])]);
      return linear(merged, `${prefix}.out_projection`);
    });

  const feedForward = (x: string, prefix: string): string => linear(activation(linear(x, `${prefix}.conv1`)), `${prefix}.conv2`);

  const distil = (x: string, length: number, prefix: string): string =>
    g.scoped(prefix, () => {
      const conv = circularConv3(x, length, `${prefix}.downConv`);
      const mean = w(`${prefix}.norm.running_mean`).values;
      const variance = w(`${prefix}.norm.running_var`).values;
      const gamma = w(`${prefix}.norm.weight`).values;
      const beta = w(`${prefix}.norm.bias`).values;
      const scale = new Float32Array(d);
      const shift = new Float32Array(d);
      for (let c = 0; c < d; c++) {
        scale[c] = gamma[c]! / Math.sqrt(variance[c]! + BATCH_NORM_EPSILON);
        shift[c] = beta[c]! - mean[c]! * scale[c]!;
      }
      const normalised = g.op('Add', [g.op('Mul', [conv, g.parameter(`${prefix}.norm.scale`, scale, [d])]), g.parameter(`${prefix}.norm.shift`, shift, [d])]);
      const activated = g.op('Elu', [normalised], [attr.float('alpha', 1)]);
      const pooled = g.op('MaxPool', [g.op('Transpose', [activated], [attr.ints('perm', [0, 2, 1])])], [attr.ints('kernel_shape', [3]), attr.ints('strides', [2]), attr.ints('pads', [1, 1])]);
      return g.op('Transpose', [pooled], [attr.ints('perm', [0, 2, 1])]);
    });

  const encoderValues = g.input(INFORMER_ONNX_INPUTS.encoderValues, ['batch', config.contextLength, config.encoderInputs]);
  const encoderMarks = g.input(INFORMER_ONNX_INPUTS.encoderMarks, ['batch', config.contextLength, M]);
  const decoderValues = g.input(INFORMER_ONNX_INPUTS.decoderValues, ['batch', decoderLength, config.decoderInputs]);
  const decoderMarks = g.input(INFORMER_ONNX_INPUTS.decoderMarks, ['batch', decoderLength, M]);

  let x = embedding(encoderValues, encoderMarks, config.contextLength, 'enc_embedding');
  const lengths = encoderLengths(config);
  for (let layer = 0; layer < config.encoderLayers; layer++) {
    const prefix = `encoder.attn_layers.${layer}`;
    const length = lengths[layer]!;
    x = g.scoped(prefix, () => {
      const attended = attentionLayer(`${prefix}.attention`, x, x, length, length, config.attention, false, false);
      const normed = layerNorm(g.op('Add', [x, attended]), `${prefix}.norm1`);
      return layerNorm(g.op('Add', [normed, feedForward(normed, prefix)]), `${prefix}.norm2`);
    });
    if (config.distil && layer < config.encoderLayers - 1) x = distil(x, length, `encoder.conv_layers.${layer}`);
  }
  const memory = layerNorm(x, 'encoder.norm');
  const memoryLength = lengths[lengths.length - 1]!;

  let y = embedding(decoderValues, decoderMarks, decoderLength, 'dec_embedding');
  for (let layer = 0; layer < config.decoderLayers; layer++) {
    const prefix = `decoder.layers.${layer}`;
    y = g.scoped(prefix, () => {
      const self = attentionLayer(`${prefix}.self_attention`, y, y, decoderLength, decoderLength, config.attention, true, config.mix);
      let z = layerNorm(g.op('Add', [y, self]), `${prefix}.norm1`);
      const cross = attentionLayer(`${prefix}.cross_attention`, z, memory, decoderLength, memoryLength, 'full', false, false);
      z = layerNorm(g.op('Add', [z, cross]), `${prefix}.norm2`);
      return layerNorm(g.op('Add', [z, feedForward(z, prefix)]), `${prefix}.norm3`);
    });
  }
  const decoded = layerNorm(y, 'decoder.norm');
  const projected = linear(decoded, 'projection');
  const prediction = g.op('Slice', [projected, g.int64([decoderLength - config.horizon]), g.int64([decoderLength]), g.int64([1])]);
  g.output(INFORMER_ONNX_OUTPUT, prediction, ['batch', config.horizon, config.outputs]);

  return {
    irVersion: IR_VERSION,
    opsetVersion: INFORMER_ONNX_OPSET,
    producerName: 'lookahead-informer-export',
    producerVersion: options.producerVersion ?? String(INFORMER_ONNX_EXPORTER_VERSION),
    docString: 'Informer (Zhou et al., AAAI 2021), eval mode, exported by Lookahead from tfjs-trained weights',
    metadata: { config: JSON.stringify(config), exporter_version: String(INFORMER_ONNX_EXPORTER_VERSION), ...(options.metadata ?? {}) },
    graph: g.graph('informer'),
  };
}

/** The .onnx bytes of a trained Informer (pure: runs in the browser, a worker or a CLI). */
export function exportInformerOnnx(config: InformerConfig, weights: WeightMap, options: BuildInformerGraphOptions = {}): Uint8Array {
  return concatChunks(encodeOnnxModel(buildInformerGraph(config, weights, options)));
}
