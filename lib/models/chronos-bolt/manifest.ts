import { LookaheadError } from '@/lib/core/errors';
import { parseChronosBoltConfig, type ChronosBoltConfig } from './config';
import type { WeightDtype } from '../onnx/builder';

/**
 * manifest.json next to converted model files (public/models/<id>/<revision>/): where the weights
 * came from, the model config the pipeline needs, and the sha256 of every file, so clients can
 * cache model bytes by identity and verify them.
 */
export interface ChronosBoltManifest {
  id: string;
  family: 'chronos-bolt';
  sourceRepo: string | null;
  revision: string;
  config: ChronosBoltConfig;
  /** The variant asked for; every model file also names its own dtype. */
  dtype: WeightDtype;
  opset: number;
  files: ManifestFile[];
  /** sha256 of the checkpoint files converted (config.json, model.safetensors). */
  inputs: { name: string; sha256: string }[];
  createdAt: string;
}

export interface ManifestFile {
  name: string;
  sha256: string;
  bytes: number;
  /** Weight storage of an .onnx file (compute is float32 in all). */
  dtype?: WeightDtype;
}

const SHA256 = /^[0-9a-f]{64}$/;

function fail(message: string): never {
  throw new LookaheadError('chronos-bolt', 'bad_input', `manifest.json ${message}`);
}

/** Validates a parsed manifest.json. */
export function parseChronosBoltManifest(json: unknown): ChronosBoltManifest {
  if (typeof json !== 'object' || json === null) fail('must be a JSON object');
  const manifest = json as Record<string, unknown>;
  for (const field of ['id', 'revision', 'createdAt'] as const) {
    if (typeof manifest[field] !== 'string' || manifest[field] === '') fail(`field \`${field}\` must be a non-empty string, got ${JSON.stringify(manifest[field])}`);
  }
  if (manifest.dtype !== 'fp32' && manifest.dtype !== 'fp16') fail(`field \`dtype\` must be fp32 or fp16, got ${JSON.stringify(manifest.dtype)}`);
  if (typeof manifest.opset !== 'number') fail(`field \`opset\` must be a number, got ${JSON.stringify(manifest.opset)}`);
  if (!Array.isArray(manifest.files) || manifest.files.length === 0) fail('field `files` must be a non-empty array');
  for (const file of manifest.files as ManifestFile[]) {
    if (typeof file.name !== 'string' || !SHA256.test(String(file.sha256)) || !Number.isInteger(file.bytes)) {
      fail(`field \`files\` has an entry without name, 64-hex sha256 and integer bytes: ${JSON.stringify(file)}`);
    }
  }
  const config = parseChronosBoltConfig(manifest.config);
  return {
    id: manifest.id as string,
    family: 'chronos-bolt',
    sourceRepo: typeof manifest.sourceRepo === 'string' ? manifest.sourceRepo : null,
    revision: manifest.revision as string,
    config,
    dtype: manifest.dtype,
    opset: manifest.opset,
    files: manifest.files as ManifestFile[],
    inputs: Array.isArray(manifest.inputs) ? (manifest.inputs as { name: string; sha256: string }[]) : [],
    createdAt: manifest.createdAt as string,
  };
}

/** The model file for a dtype (fp32 when not given), falling back to fp32 when the variant is absent. */
export function modelFileFor(manifest: ChronosBoltManifest, dtype: WeightDtype = 'fp32'): ManifestFile {
  const onnxFiles = manifest.files.filter((file) => file.name.endsWith('.onnx'));
  const match = onnxFiles.find((file) => (file.dtype ?? 'fp32') === dtype) ?? onnxFiles.find((file) => (file.dtype ?? 'fp32') === 'fp32');
  if (match === undefined) fail(`lists no .onnx file (files: ${manifest.files.map((file) => file.name).join(', ')})`);
  return match;
}
