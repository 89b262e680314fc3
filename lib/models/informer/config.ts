/**
 * Informer hyper-parameters with the names this codebase uses, and the mapping from the PyTorch
 * `Informer(...)` keyword arguments (the golden configs and checkpoints spell them that way).
 */
import { LookaheadError } from '@/lib/core/errors';

export type AttentionKind = 'prob' | 'full';
export type TimeEmbedding = 'timeF' | 'fixed' | 'learned';
export type Activation = 'gelu' | 'relu';

export interface InformerConfig {
  /** Input channels of the encoder and decoder, output channels of the head. */
  encoderInputs: number;
  decoderInputs: number;
  outputs: number;
  /** Encoder history length (seq_len), known decoder steps (label_len), horizon (pred_len). */
  contextLength: number;
  labelLength: number;
  horizon: number;
  /** ProbSparse factor c: u = c * ceil(ln L). */
  factor: number;
  dModel: number;
  heads: number;
  encoderLayers: number;
  decoderLayers: number;
  dFeedForward: number;
  dropout: number;
  attention: AttentionKind;
  timeEmbedding: TimeEmbedding;
  /** Time-feature frequency: 'h' hourly (4 mark columns), 't' minutes (5), 'd' daily (3, timeF only). */
  frequency: 'h' | 't' | 'd';
  activation: Activation;
  distil: boolean;
  mix: boolean;
}

/** Mark columns per frequency (timeF: utils/timefeatures.py; fixed: month, day, weekday, hour[, minute]). */
export function markColumns(frequency: InformerConfig['frequency']): number {
  return frequency === 'h' ? 4 : frequency === 't' ? 5 : 3;
}

export interface PytorchInformerKwargs {
  enc_in: number; dec_in: number; c_out: number; seq_len: number; label_len: number; pred_len: number;
  factor: number; d_model: number; n_heads: number; e_layers: number; d_layers: number; d_ff: number;
  dropout: number; attn: string; embed: string; freq: string; activation: string; distil: boolean; mix: boolean;
}

export function configFromPytorch(kwargs: PytorchInformerKwargs): InformerConfig {
  return validateConfig({
    encoderInputs: kwargs.enc_in, decoderInputs: kwargs.dec_in, outputs: kwargs.c_out,
    contextLength: kwargs.seq_len, labelLength: kwargs.label_len, horizon: kwargs.pred_len,
    factor: kwargs.factor, dModel: kwargs.d_model, heads: kwargs.n_heads,
    encoderLayers: kwargs.e_layers, decoderLayers: kwargs.d_layers, dFeedForward: kwargs.d_ff,
    dropout: kwargs.dropout, attention: kwargs.attn as AttentionKind, timeEmbedding: kwargs.embed as TimeEmbedding,
    frequency: kwargs.freq as 'h', activation: kwargs.activation as Activation, distil: kwargs.distil, mix: kwargs.mix,
  });
}

function positiveInteger(config: InformerConfig, key: keyof InformerConfig): void {
  const value = config[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new LookaheadError('informer', 'bad_input', `config.${key} must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

/** Checks a config and returns it; errors name the field, the value and what is valid. */
export function validateConfig(config: InformerConfig): InformerConfig {
  for (const key of ['encoderInputs', 'decoderInputs', 'outputs', 'contextLength', 'horizon', 'factor', 'dModel', 'heads', 'encoderLayers', 'decoderLayers', 'dFeedForward'] as const) {
    positiveInteger(config, key);
  }
  if (!Number.isInteger(config.labelLength) || config.labelLength < 0 || config.labelLength > config.contextLength) {
    throw new LookaheadError('informer', 'bad_input', `config.labelLength must be an integer in [0, contextLength=${config.contextLength}], got ${config.labelLength}`);
  }
  if (config.dModel % config.heads !== 0) {
    throw new LookaheadError('informer', 'bad_input', `config.dModel (${config.dModel}) must be divisible by config.heads (${config.heads})`);
  }
  if (!(config.dropout >= 0 && config.dropout < 1)) {
    throw new LookaheadError('informer', 'bad_input', `config.dropout must be in [0, 1), got ${config.dropout}`);
  }
  const choices: [keyof InformerConfig, readonly unknown[]][] = [
    ['attention', ['prob', 'full']], ['timeEmbedding', ['timeF', 'fixed', 'learned']], ['frequency', ['h', 't', 'd']],
    ['activation', ['gelu', 'relu']], ['distil', [true, false]], ['mix', [true, false]],
  ];
  for (const [key, valid] of choices) {
    if (!valid.includes(config[key])) {
      throw new LookaheadError('informer', 'bad_input', `config.${key} is ${JSON.stringify(config[key])}; valid: ${valid.map((v) => JSON.stringify(v)).join(', ')}`);
    }
  }
  if (config.frequency === 'd' && config.timeEmbedding !== 'timeF') {
    throw new LookaheadError('informer', 'bad_input', `config.frequency 'd' needs timeEmbedding 'timeF' (the fixed and learned tables read hour marks), got ${JSON.stringify(config.timeEmbedding)}`);
  }
  return config;
}
