/**
 * The parameter table of an Informer: every state_dict name with its PyTorch shape, whether it is
 * trained, and how PyTorch initialises it (so a fresh model starts like the reference's would).
 */
import type { InformerConfig } from './config';
import { markColumns } from './config';
import { sinusoidTable } from './embeddings';
import { seededRandom } from './sampler';

export type ParameterRole = 'trained' | 'fixed' | 'running';

export interface ParameterSpec {
  name: string;
  shape: number[];
  role: ParameterRole;
  init: (random: () => number) => Float32Array;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const uniform = (shape: number[], bound: number) => (random: () => number) => Float32Array.from({ length: size(shape) }, () => (random() * 2 - 1) * bound);
const constant = (shape: number[], value: number) => () => new Float32Array(size(shape)).fill(value);
function normal(shape: number[], std: number) {
  return (random: () => number) => Float32Array.from({ length: size(shape) }, () => {
    const u = Math.max(random(), 1e-12);
    return std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  });
}

export function parameterSpecs(config: InformerConfig): ParameterSpec[] {
  const specs: ParameterSpec[] = [];
  const d = config.dModel;
  const dense = (name: string, outputs: number, inputs: number, kernel?: number) => {
    const shape = kernel === undefined ? [outputs, inputs] : [outputs, inputs, kernel];
    const bound = 1 / Math.sqrt(inputs * (kernel ?? 1));
    specs.push({ name: `${name}.weight`, shape, role: 'trained', init: uniform(shape, bound) });
    specs.push({ name: `${name}.bias`, shape: [outputs], role: 'trained', init: uniform([outputs], bound) });
  };
  const norm = (name: string) => {
    specs.push({ name: `${name}.weight`, shape: [d], role: 'trained', init: constant([d], 1) });
    specs.push({ name: `${name}.bias`, shape: [d], role: 'trained', init: constant([d], 0) });
  };
  const embedding = (prefix: string, inputs: number) => {
    const tokenShape = [d, inputs, 3];
    // kaiming_normal_(mode='fan_in', nonlinearity='leaky_relu'), then Conv1d's default bias init.
    specs.push({ name: `${prefix}.value_embedding.tokenConv.weight`, shape: tokenShape, role: 'trained', init: normal(tokenShape, Math.sqrt(2 / (1 + 0.01 ** 2)) / Math.sqrt(inputs * 3)) });
    specs.push({ name: `${prefix}.value_embedding.tokenConv.bias`, shape: [d], role: 'trained', init: uniform([d], 1 / Math.sqrt(inputs * 3)) });
    if (config.timeEmbedding === 'timeF') {
      dense(`${prefix}.temporal_embedding.embed`, d, markColumns(config.frequency));
      return;
    }
    const tables: [string, number][] = [['hour', 24], ['weekday', 7], ['day', 32], ['month', 13]];
    if (config.frequency === 't') tables.unshift(['minute', 4]);
    for (const [table, rows] of tables) {
      const shape = [rows, d];
      if (config.timeEmbedding === 'fixed') specs.push({ name: `${prefix}.temporal_embedding.${table}_embed.emb.weight`, shape, role: 'fixed', init: () => sinusoidTable(rows, d) });
      else specs.push({ name: `${prefix}.temporal_embedding.${table}_embed.weight`, shape, role: 'trained', init: normal(shape, 1) });
    }
  };
  const attention = (prefix: string) => {
    for (const projection of ['query', 'key', 'value', 'out']) dense(`${prefix}.${projection}_projection`, d, d);
  };
  embedding('enc_embedding', config.encoderInputs);
  embedding('dec_embedding', config.decoderInputs);
  for (let layer = 0; layer < config.encoderLayers; layer++) {
    const prefix = `encoder.attn_layers.${layer}`;
    attention(`${prefix}.attention`);
    dense(`${prefix}.conv1`, config.dFeedForward, d, 1);
    dense(`${prefix}.conv2`, d, config.dFeedForward, 1);
    norm(`${prefix}.norm1`);
    norm(`${prefix}.norm2`);
  }
  if (config.distil) {
    for (let layer = 0; layer < config.encoderLayers - 1; layer++) {
      const prefix = `encoder.conv_layers.${layer}`;
      dense(`${prefix}.downConv`, d, d, 3);
      norm(`${prefix}.norm`);
      specs.push({ name: `${prefix}.norm.running_mean`, shape: [d], role: 'running', init: constant([d], 0) });
      specs.push({ name: `${prefix}.norm.running_var`, shape: [d], role: 'running', init: constant([d], 1) });
    }
  }
  norm('encoder.norm');
  for (let layer = 0; layer < config.decoderLayers; layer++) {
    const prefix = `decoder.layers.${layer}`;
    attention(`${prefix}.self_attention`);
    attention(`${prefix}.cross_attention`);
    dense(`${prefix}.conv1`, config.dFeedForward, d, 1);
    dense(`${prefix}.conv2`, d, config.dFeedForward, 1);
    norm(`${prefix}.norm1`);
    norm(`${prefix}.norm2`);
    norm(`${prefix}.norm3`);
  }
  norm('decoder.norm');
  dense('projection', config.outputs, d);
  return specs;
}

/** Fresh values for every parameter, deterministic in the seed. */
export function initialParameters(config: InformerConfig, seed: number): Map<string, { shape: number[]; values: Float32Array }> {
  const random = seededRandom(seed);
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const spec of parameterSpecs(config)) out.set(spec.name, { shape: spec.shape, values: spec.init(random) });
  return out;
}
