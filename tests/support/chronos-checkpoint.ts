/**
 * Random-weight Chronos-Bolt checkpoints in the HF layout (config.json + model.safetensors) for the
 * four official shapes, so converter tests and benchmarks can run real sizes without downloads.
 * Shapes are those of specs/chronos-bolt.md section 1; the weights are uniform noise scaled by
 * 1/sqrt(fan_in), which keeps activations finite but forecasts meaningless.
 */

export type ChronosBoltSize = 'tiny' | 'mini' | 'small' | 'base';

interface Shape {
  d_model: number;
  d_ff: number;
  d_kv: number;
  num_heads: number;
  num_layers: number;
  num_decoder_layers: number;
}

export const CHRONOS_BOLT_SHAPES: Record<ChronosBoltSize, Shape> = {
  tiny: { d_model: 256, d_ff: 1024, d_kv: 64, num_heads: 4, num_layers: 4, num_decoder_layers: 4 },
  mini: { d_model: 384, d_ff: 1536, d_kv: 64, num_heads: 8, num_layers: 4, num_decoder_layers: 4 },
  small: { d_model: 512, d_ff: 2048, d_kv: 64, num_heads: 8, num_layers: 6, num_decoder_layers: 6 },
  base: { d_model: 768, d_ff: 3072, d_kv: 64, num_heads: 12, num_layers: 12, num_decoder_layers: 12 },
};

/** Exact parameter counts from the spec (HF's 8.65M / 21.2M / 47.7M / 0.2B). */
export const CHRONOS_BOLT_PARAMETERS: Record<ChronosBoltSize, number> = {
  tiny: 8_652_672,
  mini: 21_236_096,
  small: 47_718_016,
  base: 205_292_928,
};

export function chronosBoltConfigJson(shape: Shape, overrides: { context_length?: number } = {}): Record<string, unknown> {
  return {
    architectures: ['ChronosBoltModelForForecasting'],
    chronos_config: {
      context_length: overrides.context_length ?? 2048,
      input_patch_size: 16,
      input_patch_stride: 16,
      prediction_length: 64,
      quantiles: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
      use_reg_token: true,
    },
    chronos_pipeline_class: 'ChronosBoltPipeline',
    ...shape,
    decoder_start_token_id: 0,
    dense_act_fn: 'relu',
    dropout_rate: 0.1,
    eos_token_id: 1,
    feed_forward_proj: 'relu',
    initializer_factor: 0.05,
    is_encoder_decoder: true,
    is_gated_act: false,
    layer_norm_epsilon: 1e-6,
    model_type: 't5',
    n_positions: 512,
    pad_token_id: 0,
    reg_token_id: 1,
    relative_attention_max_distance: 128,
    relative_attention_num_buckets: 32,
    torch_dtype: 'float32',
    vocab_size: 2,
  };
}

/** Every tensor of a Chronos-Bolt checkpoint with its shape, in HF T5 naming. */
export function chronosBoltTensorShapes(shape: Shape): [string, number[]][] {
  const { d_model: d, d_ff: ff, d_kv: kv, num_heads: heads } = shape;
  const inner = heads * kv;
  const patchFeatures = 32;
  const outputs = 9 * 64;
  const tensors: [string, number[]][] = [];
  const residualBlock = (name: string, inDim: number, outDim: number): void => {
    tensors.push([`${name}.hidden_layer.weight`, [ff, inDim]], [`${name}.hidden_layer.bias`, [ff]]);
    tensors.push([`${name}.output_layer.weight`, [outDim, ff]], [`${name}.output_layer.bias`, [outDim]]);
    tensors.push([`${name}.residual_layer.weight`, [outDim, inDim]], [`${name}.residual_layer.bias`, [outDim]]);
  };
  const attention = (name: string): void => {
    for (const projection of ['q', 'k', 'v']) tensors.push([`${name}.${projection}.weight`, [inner, d]]);
    tensors.push([`${name}.o.weight`, [d, inner]]);
  };
  const feedForward = (name: string): void => {
    tensors.push([`${name}.wi.weight`, [ff, d]], [`${name}.wo.weight`, [d, ff]]);
  };
  residualBlock('input_patch_embedding', patchFeatures, d);
  tensors.push(['shared.weight', [2, d]]);
  for (let layer = 0; layer < shape.num_layers; layer++) {
    const prefix = `encoder.block.${layer}`;
    attention(`${prefix}.layer.0.SelfAttention`);
    if (layer === 0) tensors.push([`${prefix}.layer.0.SelfAttention.relative_attention_bias.weight`, [32, heads]]);
    tensors.push([`${prefix}.layer.0.layer_norm.weight`, [d]]);
    feedForward(`${prefix}.layer.1.DenseReluDense`);
    tensors.push([`${prefix}.layer.1.layer_norm.weight`, [d]]);
  }
  tensors.push(['encoder.final_layer_norm.weight', [d]]);
  for (let layer = 0; layer < shape.num_decoder_layers; layer++) {
    const prefix = `decoder.block.${layer}`;
    attention(`${prefix}.layer.0.SelfAttention`);
    if (layer === 0) tensors.push([`${prefix}.layer.0.SelfAttention.relative_attention_bias.weight`, [32, heads]]);
    tensors.push([`${prefix}.layer.0.layer_norm.weight`, [d]]);
    attention(`${prefix}.layer.1.EncDecAttention`);
    tensors.push([`${prefix}.layer.1.layer_norm.weight`, [d]]);
    feedForward(`${prefix}.layer.2.DenseReluDense`);
    tensors.push([`${prefix}.layer.2.layer_norm.weight`, [d]]);
  }
  tensors.push(['decoder.final_layer_norm.weight', [d]]);
  residualBlock('output_patch_embedding', d, outputs);
  return tensors;
}

/** A safetensors file (F32) with the header padded to 8 bytes, as the safetensors library writes it. */
export function writeSafetensors(tensors: readonly [string, number[], Float32Array][]): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, shape, data] of tensors) {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.byteLength;
  for (const [, , data] of tensors) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), position);
    position += data.byteLength;
  }
  return out;
}

/** xorshift32: deterministic and fast enough for 200M values. */
function uniformSource(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296 - 0.5;
  };
}

export interface RandomCheckpoint {
  configJson: Record<string, unknown>;
  safetensorsBytes: Uint8Array;
  parameters: number;
}

/** A random checkpoint of an official shape. `contextLength` defaults to the official 2048. */
export function makeRandomCheckpoint(size: ChronosBoltSize, options: { seed?: number; contextLength?: number } = {}): RandomCheckpoint {
  const shape = CHRONOS_BOLT_SHAPES[size];
  const next = uniformSource(options.seed ?? 20_240_601);
  let parameters = 0;
  const tensors = chronosBoltTensorShapes(shape).map(([name, dims]): [string, number[], Float32Array] => {
    const data = new Float32Array(dims.reduce((product, dim) => product * dim, 1));
    parameters += data.length;
    if (name.endsWith('layer_norm.weight')) {
      for (let i = 0; i < data.length; i++) data[i] = 1 + 0.1 * next();
    } else {
      // Uniform(-0.5, 0.5) has std 0.29; scale to about 1/sqrt(fan_in) for weights, small for biases.
      const scale = dims.length === 2 && !name.startsWith('shared') && !name.includes('relative_attention_bias') ? 3.4 / Math.sqrt(dims[1]!) : 0.2;
      for (let i = 0; i < data.length; i++) data[i] = scale * next();
    }
    return [name, dims, data];
  });
  const configJson = chronosBoltConfigJson(shape, options.contextLength === undefined ? {} : { context_length: options.contextLength });
  return { configJson, safetensorsBytes: writeSafetensors(tensors), parameters };
}
