/**
 * The Informer forward pass (models/model.py `Informer.forward`): embed encoder and decoder inputs,
 * encode (with distilling), decode against the encoder output, project every decoder step and keep
 * the last `horizon`. Parameters live in tf tensors (variables when training) keyed by their
 * PyTorch state_dict names, in PyTorch layouts.
 */
import { LookaheadError } from '@/lib/core/errors';
import type { InformerConfig } from './config';
import { markColumns } from './config';
import { record, type ForwardContext, type ForwardObservers } from './context';
import { decoder } from './decoder';
import type { BatchNormUpdate } from './distil-conv';
import { dataEmbedding } from './embeddings';
import { encoder } from './encoder';
import { linear } from './layers';
import { parameterSpecs } from './parameters';
import type { KeySampler } from './sampler';
import { seededKeySampler, seededRandom } from './sampler';
import type { Tensor, Tf } from './tf';

export interface InformerInputs {
  /** [B, contextLength, encoderInputs] scaled values. */
  encoderValues: Tensor;
  /** [B, contextLength, marks]. */
  encoderMarks: Tensor;
  /** [B, labelLength + horizon, decoderInputs]: labelLength known values, then zeros. */
  decoderValues: Tensor;
  /** [B, labelLength + horizon, marks]: the real time marks, future included. */
  decoderMarks: Tensor;
}

export interface ForwardOptions {
  training?: boolean;
  sampler?: KeySampler;
  observers?: ForwardObservers;
  /** Seed for dropout masks (training only). */
  dropoutSeed?: number;
  /** Receives BatchNorm batch statistics in training. */
  batchNormUpdates?: BatchNormUpdate[];
}

export class InformerModel {
  readonly tf: Tf;
  readonly config: InformerConfig;
  readonly parameters: Map<string, Tensor>;
  private readonly defaultSampler: KeySampler;

  constructor(tf: Tf, config: InformerConfig, parameters: Map<string, Tensor>, samplerSeed = 0) {
    this.tf = tf;
    this.config = config;
    this.parameters = parameters;
    this.defaultSampler = seededKeySampler(samplerSeed);
  }

  /**
   * From named float32 arrays in PyTorch layout (a golden weights.json, a checkpoint). Every
   * expected name must be present with its exact shape; extra names are an error too.
   */
  static fromWeights(tf: Tf, config: InformerConfig, weights: Map<string, { shape: number[]; values: Float32Array }>, samplerSeed = 0): InformerModel {
    const parameters = new Map<string, Tensor>();
    const specs = parameterSpecs(config);
    try {
      for (const spec of specs) {
        const found = weights.get(spec.name);
        if (found === undefined) throw new LookaheadError('informer', 'bad_input', `weights lack ${spec.name} (shape [${spec.shape}]); the config says ${config.attention}/${config.timeEmbedding}, ${config.encoderLayers} encoder layers, distil ${config.distil}`);
        if (found.shape.join(',') !== spec.shape.join(',')) throw new LookaheadError('informer', 'bad_input', `weight ${spec.name} has shape [${found.shape}], the config needs [${spec.shape}]`);
        parameters.set(spec.name, tf.tensor(found.values, spec.shape, 'float32'));
      }
      const expected = new Set(specs.map((spec) => spec.name));
      const extra = [...weights.keys()].filter((name) => !expected.has(name));
      if (extra.length > 0) throw new LookaheadError('informer', 'bad_input', `weights have names the config does not use: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', ...' : ''}`);
    } catch (error) {
      for (const tensor of parameters.values()) tensor.dispose();
      throw error;
    }
    return new InformerModel(tf, config, parameters, samplerSeed);
  }

  /** Returns the prediction [B, horizon, outputs]. Intermediates are disposed unless observers keep them. */
  forward(inputs: InformerInputs, options: ForwardOptions = {}): Tensor {
    const { tf, config } = this;
    this.checkInputs(inputs);
    const dropoutRandom = seededRandom(options.dropoutSeed ?? 0);
    const context: ForwardContext = {
      tf,
      param: (name) => {
        const tensor = this.parameters.get(name);
        if (tensor === undefined) throw new Error(`informer: no parameter ${name}`);
        return tensor;
      },
      training: options.training ?? false,
      dropoutRate: config.dropout,
      nextSeed: () => Math.floor(dropoutRandom() * 2 ** 31),
      sampler: options.sampler ?? this.defaultSampler,
      observers: options.observers ?? {},
    };
    return tf.tidy(() => {
      const encoderEmbedded = dataEmbedding(context, config, inputs.encoderValues, inputs.encoderMarks, 'enc_embedding');
      const memory = encoder(context, config, encoderEmbedded, options.batchNormUpdates);
      const decoderEmbedded = dataEmbedding(context, config, inputs.decoderValues, inputs.decoderMarks, 'dec_embedding');
      const decoded = decoder(context, config, decoderEmbedded, memory);
      const projected = linear(context, decoded, 'projection');
      record(context, 'projection', projected);
      const steps = projected.shape[1]!;
      return tf.slice(projected, [0, steps - config.horizon, 0], [-1, config.horizon, -1]);
    });
  }

  private checkInputs(inputs: InformerInputs): void {
    const { config } = this;
    const marks = markColumns(config.frequency);
    const expect = (name: string, tensor: Tensor, length: number, channels: number) => {
      const [, l, c] = tensor.shape;
      if (tensor.rank !== 3 || l !== length || c !== channels) {
        throw new LookaheadError('informer', 'bad_input', `${name} has shape [${tensor.shape}], expected [B, ${length}, ${channels}]`);
      }
    };
    const decoderLength = config.labelLength + config.horizon;
    expect('encoderValues', inputs.encoderValues, config.contextLength, config.encoderInputs);
    expect('encoderMarks', inputs.encoderMarks, config.contextLength, marks);
    expect('decoderValues', inputs.decoderValues, decoderLength, config.decoderInputs);
    expect('decoderMarks', inputs.decoderMarks, decoderLength, marks);
  }

  dispose(): void {
    for (const tensor of this.parameters.values()) tensor.dispose();
    this.parameters.clear();
  }
}
