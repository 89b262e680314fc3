import { maxEncoderTokens, type ChronosBoltConfig } from './config';
import { attr, OnnxGraphBuilder, type WeightDtype } from '../onnx/builder';
import type { OnnxModel } from '../onnx/proto';
import { encoderPositionBiasTable } from './position-bias';

/**
 * The Chronos-Bolt forward pass (chronos_bolt.py + transformers' T5 stack) as an ONNX graph.
 *
 * Inputs are already patched and normalised (preprocess.ts does that in TypeScript, shared by
 * browser and server): `patches` [batch, num_patches, 2*patch_size] (values, then the observed mask)
 * and `patch_mask` [batch, num_patches] (1 = the patch has an observed value). Outputs are the
 * normalised `quantiles` [batch, num_quantiles, prediction_length] and `encoder_output`
 * [batch, tokens, d_model] (tokens = num_patches + 1 with [REG]).
 */

export const ONNX_OPSET = 17;
/** ONNX IR version 8 goes with opset 17. */
export const ONNX_IR_VERSION = 8;
export const INPUT_PATCHES = 'patches';
export const INPUT_PATCH_MASK = 'patch_mask';
export const OUTPUT_QUANTILES = 'quantiles';
export const OUTPUT_ENCODER = 'encoder_output';

/** transformers adds (1 - mask) * finfo(float32).min to the attention scores. */
const FLOAT32_MIN = -3.4028234663852886e38;

/** Where weights come from: a parsed safetensors file satisfies this. */
export interface WeightSource {
  float32(name: string, expectedShape?: readonly number[]): Float32Array;
}

export interface BuildGraphOptions {
  dtype?: WeightDtype;
  /**
   * Also output the hooks of the reference's intermediates (patch_embeddings,
   * encoder_input_embeds_incl_reg, encoder_block_{i}_out, decoder_block_{i}_out, decoder_output,
   * quantile_head_raw_normalized_space), for parity tests and debugging.
   */
  exposeIntermediates?: boolean;
  producerVersion?: string;
}

/** Linear weight [out, in] as stored by PyTorch, transposed to [in, out] for MatMul(x, W). */
function transposed(weight: Float32Array, out: number, inDim: number): Float32Array {
  const result = new Float32Array(weight.length);
  for (let row = 0; row < out; row++) {
    for (let column = 0; column < inDim; column++) result[column * out + row] = weight[row * inDim + column]!;
  }
  return result;
}

export function buildChronosBoltGraph(config: ChronosBoltConfig, weights: WeightSource, options: BuildGraphOptions = {}): OnnxModel {
  const {
    modelDim: d,
    feedForwardDim: dFf,
    headDim,
    numHeads,
    patchSize,
    predictionLength,
    vocabSize,
  } = config;
  const inner = numHeads * headDim;
  const numQuantiles = config.quantileLevels.length;
  const g = new OnnxGraphBuilder(options.dtype ?? 'fp32');
  const intermediates = options.exposeIntermediates === true;
  const tokensDim = config.useRegToken ? 'num_patches_plus_reg' : 'num_patches';

  const linear = (name: string, x: string, out: number, inDim: number, bias: boolean): string => {
    // Read (and shape-checked) now, transposed only when the encoder writes it: one copy at a time.
    const stored = weights.float32(`${name}.weight`, [out, inDim]);
    const w = g.weight(`${name}.weight`, () => transposed(stored, out, inDim), [inDim, out]);
    const product = g.op('MatMul', [x, w]);
    if (!bias) return product;
    return g.op('Add', [product, g.parameter(`${name}.bias`, weights.float32(`${name}.bias`, [out]), [out])]);
  };

  // chronos_bolt.ResidualBlock without layer norm: out(relu(hidden(x))) + residual(x).
  const residualBlock = (name: string, x: string, inDim: number, outDim: number): string =>
    g.scoped(name, () => {
      const hidden = g.op('Relu', [linear(`${name}.hidden_layer`, x, dFf, inDim, true)]);
      const out = linear(`${name}.output_layer`, hidden, outDim, dFf, true);
      return g.op('Add', [out, linear(`${name}.residual_layer`, x, outDim, inDim, true)]);
    });

  // T5LayerNorm: w * x / sqrt(mean(x^2) + eps), no mean subtraction; 1/sqrt as torch.rsqrt does on CPU.
  const rmsNorm = (name: string, x: string): string =>
    g.scoped(name, () => {
      const variance = g.op('ReduceMean', [g.op('Mul', [x, x])], [attr.ints('axes', [-1]), attr.int('keepdims', 1)]);
      const inverse = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.float32([config.layerNormEpsilon], [])])])]);
      return g.op('Mul', [g.parameter(`${name}.weight`, weights.float32(`${name}.weight`, [d]), [d]), g.op('Mul', [x, inverse])]);
    });

  const splitHeads = (x: string, keysLast: boolean): string =>
    g.op('Transpose', [g.op('Reshape', [x, g.int64([0, 0, numHeads, headDim])])], [attr.ints('perm', keysLast ? [0, 2, 3, 1] : [0, 2, 1, 3])]);

  // T5Attention without 1/sqrt(d_kv) scaling; `bias` already holds position bias + mask term.
  const attention = (name: string, queryInput: string, keyValueInput: string, bias: string): string =>
    g.scoped(name, () => {
      const q = splitHeads(linear(`${name}.q`, queryInput, inner, d, false), false);
      const kT = splitHeads(linear(`${name}.k`, keyValueInput, inner, d, false), true);
      const v = splitHeads(linear(`${name}.v`, keyValueInput, inner, d, false), false);
      const scores = g.op('Add', [g.op('MatMul', [q, kT]), bias]);
      const weightsByKey = g.op('Softmax', [scores], [attr.int('axis', -1)]);
      const context = g.op('Transpose', [g.op('MatMul', [weightsByKey, v])], [attr.ints('perm', [0, 2, 1, 3])]);
      return linear(`${name}.o`, g.op('Reshape', [context, g.int64([0, 0, inner])]), d, inner, false);
    });

  const feedForward = (name: string, x: string): string =>
    g.scoped(name, () => linear(`${name}.wo`, g.op('Relu', [linear(`${name}.wi`, x, dFf, d, false)]), d, dFf, false));

  const patches = g.input(INPUT_PATCHES, ['batch', 'num_patches', 2 * patchSize]);
  const patchMask = g.input(INPUT_PATCH_MASK, ['batch', 'num_patches']);
  const batch = g.op('Slice', [g.op('Shape', [patches]), g.int64([0]), g.int64([1])]);
  const shared = weights.float32('shared.weight', [vocabSize, d]);
  const tokenEmbedding = (id: number, name: string): string =>
    g.parameter(name, shared.slice(id * d, (id + 1) * d), [1, 1, d]);

  // Input embedding, then [REG] appended at the end with mask 1.
  const patchEmbeddings = residualBlock('input_patch_embedding', patches, 2 * patchSize, d);
  let hidden = patchEmbeddings;
  let tokenMask = patchMask;
  if (config.useRegToken) {
    const reg = g.op('Expand', [tokenEmbedding(config.regTokenId, 'shared.reg_token'), g.op('Concat', [batch, g.int64([1, 1])], [attr.int('axis', 0)])]);
    hidden = g.op('Concat', [patchEmbeddings, reg], [attr.int('axis', 1)]);
    tokenMask = g.op('Pad', [patchMask, g.int64([0, 0, 0, 1]), g.float32([1], [])]);
  }
  const encoderInput = hidden;

  // Mask term [batch, 1, 1, tokens], then the encoder bias = position bias + mask term, shared by all layers.
  const maskTerm = g.op('Unsqueeze', [
    g.op('Mul', [g.op('Sub', [g.float32([1], []), tokenMask]), g.float32([FLOAT32_MIN], [])]),
    g.int64([1, 2]),
  ]);
  const maxTokens = maxEncoderTokens(config);
  const biasName = 'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight';
  const biasTable = g.parameter(
    'encoder.position_bias_table',
    encoderPositionBiasTable(
      weights.float32(biasName, [config.relativeAttentionBuckets, numHeads]),
      numHeads,
      config.relativeAttentionBuckets,
      config.relativeAttentionMaxDistance,
      maxTokens,
    ),
    [1, numHeads, maxTokens, maxTokens],
  );
  const tokens = g.op('Slice', [g.op('Shape', [tokenMask]), g.int64([1]), g.int64([2])]);
  const positionBias = g.op('Slice', [biasTable, g.int64([0, 0]), g.op('Concat', [tokens, tokens], [attr.int('axis', 0)]), g.int64([2, 3])]);
  const encoderBias = g.op('Add', [positionBias, maskTerm]);

  const extraOutputs: [string, string, (number | string)[]][] = [];
  for (let layer = 0; layer < config.encoderLayers; layer++) {
    const prefix = `encoder.block.${layer}`;
    g.scoped(prefix, () => {
      const normed = rmsNorm(`${prefix}.layer.0.layer_norm`, hidden);
      hidden = g.op('Add', [hidden, attention(`${prefix}.layer.0.SelfAttention`, normed, normed, encoderBias)]);
      hidden = g.op('Add', [hidden, feedForward(`${prefix}.layer.1.DenseReluDense`, rmsNorm(`${prefix}.layer.1.layer_norm`, hidden))]);
    });
    extraOutputs.push([`encoder_block_${layer}_out`, hidden, ['batch', tokensDim, d]]);
  }
  const encoderOutput = rmsNorm('encoder.final_layer_norm', hidden);

  // Decoder: one step from decoder_start_token_id. Its self-attention sees one key, so softmax
  // is exactly 1 and the output is O(V(x)); the relative bias cancels.
  hidden = g.op('Expand', [tokenEmbedding(config.decoderStartTokenId, 'shared.decoder_start'), g.op('Concat', [batch, g.int64([1, 1])], [attr.int('axis', 0)])]);
  for (let layer = 0; layer < config.decoderLayers; layer++) {
    const prefix = `decoder.block.${layer}`;
    g.scoped(prefix, () => {
      const selfName = `${prefix}.layer.0.SelfAttention`;
      const normed = rmsNorm(`${prefix}.layer.0.layer_norm`, hidden);
      const values = linear(`${selfName}.v`, normed, inner, d, false);
      hidden = g.op('Add', [hidden, linear(`${selfName}.o`, values, d, inner, false)]);
      const crossNormed = rmsNorm(`${prefix}.layer.1.layer_norm`, hidden);
      hidden = g.op('Add', [hidden, attention(`${prefix}.layer.1.EncDecAttention`, crossNormed, encoderOutput, maskTerm)]);
      hidden = g.op('Add', [hidden, feedForward(`${prefix}.layer.2.DenseReluDense`, rmsNorm(`${prefix}.layer.2.layer_norm`, hidden))]);
    });
    extraOutputs.push([`decoder_block_${layer}_out`, hidden, ['batch', 1, d]]);
  }
  const decoderOutput = rmsNorm('decoder.final_layer_norm', hidden);

  const head = residualBlock('output_patch_embedding', decoderOutput, d, numQuantiles * predictionLength);
  const quantiles = g.op('Reshape', [head, g.int64([-1, numQuantiles, predictionLength])]);

  g.output(OUTPUT_QUANTILES, quantiles, ['batch', numQuantiles, predictionLength]);
  g.output(OUTPUT_ENCODER, encoderOutput, ['batch', tokensDim, d]);
  if (intermediates) {
    g.output('patch_embeddings', patchEmbeddings, ['batch', 'num_patches', d]);
    g.output('encoder_input_embeds_incl_reg', encoderInput, ['batch', tokensDim, d]);
    g.output('encoder_attention_mask_incl_reg', tokenMask, ['batch', tokensDim]);
    for (const [name, value, shape] of extraOutputs) g.output(name, value, shape);
    g.output('decoder_output', decoderOutput, ['batch', 1, d]);
    g.output('quantile_head_raw_normalized_space', head, ['batch', 1, numQuantiles * predictionLength]);
  }

  return {
    irVersion: ONNX_IR_VERSION,
    opsetVersion: ONNX_OPSET,
    producerName: 'lookahead',
    producerVersion: options.producerVersion ?? '0.1.0',
    docString: 'Chronos-Bolt: patched, normalised context in; normalised quantiles and encoder output out.',
    metadata: {
      'chronos.context_length': String(config.contextLength),
      'chronos.prediction_length': String(config.predictionLength),
      'chronos.patch_size': String(config.patchSize),
      'chronos.quantiles': JSON.stringify(config.quantileLevels),
      'chronos.weight_dtype': options.dtype ?? 'fp32',
    },
    graph: g.graph('chronos_bolt'),
  };
}
