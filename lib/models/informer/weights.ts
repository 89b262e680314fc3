/**
 * Trained Informer weights and training checkpoints as safetensors bytes (F32, PyTorch names and
 * layouts), so a stored model is one immutable blob with a sha256, readable by any safetensors tool.
 * Checkpoints prefix each tensor with its role ("parameters/", "adam.m/", "adam.v/", "best/") and
 * keep the rest of the checkpoint (config, history, counters) as JSON in __metadata__.
 */
import { LookaheadError } from '@/lib/core/errors';
import { parseSafetensors } from '@/lib/models/onnx/safetensors';
import type { NamedArrays, TrainingCheckpoint } from './trainer';

export type WeightMap = Map<string, { shape: number[]; values: Float32Array }>;

/** Encodes float32 tensors (sorted by name, so equal weights give equal bytes) with string metadata. */
export function encodeSafetensors(tensors: WeightMap | NamedArrays, metadata: Record<string, string> = {}): Uint8Array {
  const entries = (tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, { shape, values }] of entries) {
    const elements = shape.reduce((product, dim) => product * dim, 1);
    if (elements !== values.length) throw new LookaheadError('informer', 'internal', `weights: ${name} has ${values.length} values for shape [${shape}]`);
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + values.length * 4] };
    offset += values.length * 4;
  }
  let json = JSON.stringify(header);
  // Pad the header to 8 bytes so every tensor's data is 4-byte aligned (zero-copy views on read).
  while ((8 + new TextEncoder().encode(json).length) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const [, { values }] of entries) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), position);
    position += values.byteLength;
  }
  return out;
}

/** Decodes safetensors bytes into float32 tensors (copied, so the bytes may be released) and metadata. */
export function decodeSafetensors(bytes: Uint8Array): { tensors: WeightMap; metadata: Record<string, string> } {
  const file = parseSafetensors(bytes);
  const tensors: WeightMap = new Map();
  for (const [name, entry] of file.entries) tensors.set(name, { shape: [...entry.shape], values: Float32Array.from(file.float32(name)) });
  return { tensors, metadata: file.metadata };
}

const CHECKPOINT_GROUPS = ['parameters', 'adam.m', 'adam.v', 'best'] as const;

export function encodeCheckpoint(checkpoint: TrainingCheckpoint): Uint8Array {
  const tensors: NamedArrays = {};
  const groups: Record<(typeof CHECKPOINT_GROUPS)[number], NamedArrays> = { parameters: checkpoint.parameters, 'adam.m': checkpoint.adam.m, 'adam.v': checkpoint.adam.v, best: checkpoint.best.parameters };
  for (const group of CHECKPOINT_GROUPS) for (const [name, tensor] of Object.entries(groups[group])) tensors[`${group}/${name}`] = tensor;
  const rest = {
    format: checkpoint.format, config: checkpoint.config, epoch: checkpoint.epoch, adamStep: checkpoint.adam.step, history: checkpoint.history,
    stepLosses: checkpoint.stepLosses, best: { validationLoss: checkpoint.best.validationLoss, epoch: checkpoint.best.epoch }, epochsWithoutImprovement: checkpoint.epochsWithoutImprovement,
  };
  return encodeSafetensors(tensors, { checkpoint: JSON.stringify(rest) });
}

export function decodeCheckpoint(bytes: Uint8Array): TrainingCheckpoint {
  const { tensors, metadata } = decodeSafetensors(bytes);
  if (!metadata.checkpoint) throw new LookaheadError('informer', 'bad_input', 'checkpoint: the bytes have no checkpoint metadata (not written by encodeCheckpoint)');
  const rest = JSON.parse(metadata.checkpoint) as {
    format: TrainingCheckpoint['format']; config: TrainingCheckpoint['config']; epoch: number; adamStep: number; history: TrainingCheckpoint['history'];
    stepLosses: number[]; best: { validationLoss: number | null; epoch: number }; epochsWithoutImprovement: number;
  };
  const groups: Record<string, NamedArrays> = Object.fromEntries(CHECKPOINT_GROUPS.map((group) => [group, {}]));
  for (const [key, tensor] of tensors) {
    const slash = key.indexOf('/');
    groups[key.slice(0, slash)]![key.slice(slash + 1)] = tensor;
  }
  return {
    format: rest.format, config: rest.config, epoch: rest.epoch, parameters: groups.parameters!,
    adam: { step: rest.adamStep, m: groups['adam.m']!, v: groups['adam.v']! },
    history: rest.history, stepLosses: rest.stepLosses,
    // JSON writes Infinity as null (no validation yet).
    best: { validationLoss: rest.best.validationLoss ?? Infinity, epoch: rest.best.epoch, parameters: groups.best! },
    epochsWithoutImprovement: rest.epochsWithoutImprovement,
  };
}
