import { LookaheadError } from '@/lib/core/errors';

/**
 * A Chronos-Bolt model's shape and settings, read from the HF `config.json` (a T5 config with a
 * `chronos_config` block). Field names are camelCase here; the checkpoint's spelling appears only in
 * `parseChronosBoltConfig` and in error messages, so a bad file points at the field to fix.
 */
export interface ChronosBoltConfig {
  /** chronos_config.context_length: the most recent values the model reads. */
  contextLength: number;
  /** chronos_config.prediction_length: steps produced by one model call. */
  predictionLength: number;
  /** chronos_config.input_patch_size (== input_patch_stride). */
  patchSize: number;
  /** chronos_config.quantiles: the training quantile levels, ascending. */
  quantileLevels: number[];
  /** chronos_config.use_reg_token: a [REG] token is appended to the encoder input. */
  useRegToken: boolean;
  /** d_model */
  modelDim: number;
  /** d_ff */
  feedForwardDim: number;
  /** d_kv: per-head width; numHeads * headDim need not equal modelDim. */
  headDim: number;
  /** num_heads */
  numHeads: number;
  /** num_layers */
  encoderLayers: number;
  /** num_decoder_layers (defaults to num_layers, as in T5Config) */
  decoderLayers: number;
  /** layer_norm_epsilon */
  layerNormEpsilon: number;
  /** relative_attention_num_buckets */
  relativeAttentionBuckets: number;
  /** relative_attention_max_distance */
  relativeAttentionMaxDistance: number;
  /** decoder_start_token_id: row of `shared.weight` fed to the decoder. */
  decoderStartTokenId: number;
  /** reg_token_id: row of `shared.weight` used as [REG]. */
  regTokenId: number;
  /** vocab_size: rows of `shared.weight`. */
  vocabSize: number;
}

function fail(field: string, problem: string, value: unknown): never {
  throw new LookaheadError('chronos-bolt', 'bad_input', `config.json field \`${field}\` ${problem}, got ${JSON.stringify(value) ?? String(value)}`, {
    details: { field },
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveInteger(record: Record<string, unknown>, key: string, path: string): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(path, 'must be a positive integer', value);
  return value;
}

function nonNegativeInteger(record: Record<string, unknown>, key: string, path: string): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(path, 'must be a non-negative integer', value);
  return value;
}

/** Validates a parsed config.json (or the `config` block of a manifest written by this module). */
export function parseChronosBoltConfig(json: unknown): ChronosBoltConfig {
  if (!isRecord(json)) fail('(root)', 'must be a JSON object', json);
  if ('contextLength' in json && !('chronos_config' in json)) return parseManifestConfig(json);

  if (json.model_type !== undefined && json.model_type !== 't5') fail('model_type', 'must be "t5"', json.model_type);
  const chronos = json.chronos_config;
  if (!isRecord(chronos)) fail('chronos_config', 'must be an object (is this a Chronos-Bolt checkpoint?)', chronos);

  const patchSize = positiveInteger(chronos, 'input_patch_size', 'chronos_config.input_patch_size');
  const stride = chronos.input_patch_stride ?? patchSize;
  if (stride !== patchSize) fail('chronos_config.input_patch_stride', `must equal input_patch_size (${patchSize}); overlapping patches are not supported`, stride);
  const contextLength = positiveInteger(chronos, 'context_length', 'chronos_config.context_length');
  const predictionLength = positiveInteger(chronos, 'prediction_length', 'chronos_config.prediction_length');
  const quantileLevels = parseLevels(chronos.quantiles, 'chronos_config.quantiles');
  const useRegToken = chronos.use_reg_token ?? false;
  if (typeof useRegToken !== 'boolean') fail('chronos_config.use_reg_token', 'must be a boolean', useRegToken);

  const activation = json.dense_act_fn ?? json.feed_forward_proj ?? 'relu';
  if (activation !== 'relu') fail('dense_act_fn', 'must be "relu" (the only activation Chronos-Bolt uses)', activation);
  if (json.is_gated_act === true) fail('is_gated_act', 'must be false; gated feed-forward is not supported', json.is_gated_act);

  const encoderLayers = positiveInteger(json, 'num_layers', 'num_layers');
  const decoderLayers = json.num_decoder_layers === undefined || json.num_decoder_layers === null
    ? encoderLayers
    : positiveInteger(json, 'num_decoder_layers', 'num_decoder_layers');
  const layerNormEpsilon = json.layer_norm_epsilon ?? 1e-6;
  if (typeof layerNormEpsilon !== 'number' || !(layerNormEpsilon > 0)) fail('layer_norm_epsilon', 'must be a positive number', layerNormEpsilon);
  const vocabSize = positiveInteger(json, 'vocab_size', 'vocab_size');
  const regTokenId = nonNegativeInteger(json, 'reg_token_id', 'reg_token_id');
  const decoderStartTokenId = nonNegativeInteger(json, 'decoder_start_token_id', 'decoder_start_token_id');
  if (regTokenId >= vocabSize) fail('reg_token_id', `must be below vocab_size (${vocabSize})`, regTokenId);
  if (decoderStartTokenId >= vocabSize) fail('decoder_start_token_id', `must be below vocab_size (${vocabSize})`, decoderStartTokenId);

  return {
    contextLength,
    predictionLength,
    patchSize,
    quantileLevels,
    useRegToken,
    modelDim: positiveInteger(json, 'd_model', 'd_model'),
    feedForwardDim: positiveInteger(json, 'd_ff', 'd_ff'),
    headDim: positiveInteger(json, 'd_kv', 'd_kv'),
    numHeads: positiveInteger(json, 'num_heads', 'num_heads'),
    encoderLayers,
    decoderLayers,
    layerNormEpsilon,
    relativeAttentionBuckets: positiveInteger(json, 'relative_attention_num_buckets', 'relative_attention_num_buckets'),
    relativeAttentionMaxDistance: positiveInteger(json, 'relative_attention_max_distance', 'relative_attention_max_distance'),
    decoderStartTokenId,
    regTokenId,
    vocabSize,
  };
}

function parseLevels(value: unknown, path: string): number[] {
  if (!Array.isArray(value) || value.length === 0) fail(path, 'must be a non-empty array of levels in (0, 1)', value);
  value.forEach((level: unknown, index) => {
    if (typeof level !== 'number' || !(level > 0 && level < 1)) fail(`${path}[${index}]`, 'must be a number in (0, 1)', level);
    if (index > 0 && !(level > (value[index - 1] as number))) fail(path, 'must be strictly ascending', value);
  });
  return value as number[];
}

/** The camelCase form, as stored in manifest.json: same checks, field names as in ChronosBoltConfig. */
function parseManifestConfig(json: Record<string, unknown>): ChronosBoltConfig {
  const integerFields = [
    'contextLength', 'predictionLength', 'patchSize', 'modelDim', 'feedForwardDim', 'headDim', 'numHeads',
    'encoderLayers', 'decoderLayers', 'relativeAttentionBuckets', 'relativeAttentionMaxDistance', 'vocabSize',
  ] as const;
  const config: Record<string, unknown> = {};
  for (const field of integerFields) config[field] = positiveInteger(json, field, field);
  config.decoderStartTokenId = nonNegativeInteger(json, 'decoderStartTokenId', 'decoderStartTokenId');
  config.regTokenId = nonNegativeInteger(json, 'regTokenId', 'regTokenId');
  if (typeof json.useRegToken !== 'boolean') fail('useRegToken', 'must be a boolean', json.useRegToken);
  config.useRegToken = json.useRegToken;
  if (typeof json.layerNormEpsilon !== 'number' || !(json.layerNormEpsilon > 0)) fail('layerNormEpsilon', 'must be a positive number', json.layerNormEpsilon);
  config.layerNormEpsilon = json.layerNormEpsilon;
  config.quantileLevels = parseLevels(json.quantileLevels, 'quantileLevels');
  return config as unknown as ChronosBoltConfig;
}

/** Longest encoder input in tokens: all context patches plus [REG]. */
export function maxEncoderTokens(config: ChronosBoltConfig): number {
  return Math.ceil(config.contextLength / config.patchSize) + (config.useRegToken ? 1 : 0);
}
