import 'server-only';
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { LookaheadError } from '@/lib/core/errors';
import { convertChronosBolt, encodedChunks, type ChronosBoltManifest, type ManifestFile, type WeightDtype } from '@/lib/models/chronos-bolt';

/**
 * A Chronos-Bolt HF checkpoint directory (config.json + model.safetensors) to an installed model
 * folder: model.onnx (fp32, always), model.fp16.onnx for fp16, and manifest.json. Shared by
 * npm run models:convert, models:pull, the server install route and the tests.
 */
export interface ConvertCheckpointOptions {
  checkpointDir: string;
  outDir: string;
  /** 'fp16' also writes model.fp16.onnx (half the download); fp32 model.onnx is always written. */
  dtype?: WeightDtype;
  revision?: string;
  repo?: string;
  id?: string;
}

export const fileNameByDtype: Record<WeightDtype, string> = { fp32: 'model.onnx', fp16: 'model.fp16.onnx' };

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readCheckpointFile(dir: string, name: string): Promise<Buffer> {
  try {
    return await readFile(join(dir, name));
  } catch (error) {
    throw new LookaheadError('models:convert', 'not_found', `cannot read ${join(dir, name)}: ${(error as Error).message}; a checkpoint dir needs config.json and model.safetensors`, { cause: error });
  }
}

/** Converts one checkpoint directory into `outDir`; returns the manifest it wrote. Used by the CLI and the tests. */
export async function convertCheckpointDir(options: ConvertCheckpointOptions): Promise<ChronosBoltManifest> {
  const configBytes = await readCheckpointFile(options.checkpointDir, 'config.json');
  const safetensors = await readCheckpointFile(options.checkpointDir, 'model.safetensors');
  let configJson: unknown;
  try {
    configJson = JSON.parse(configBytes.toString('utf8'));
  } catch (error) {
    throw new LookaheadError('models:convert', 'bad_input', `${join(options.checkpointDir, 'config.json')} is not valid JSON`, { cause: error });
  }
  const safetensorsSha = sha256(safetensors);
  const requested = options.dtype ?? 'fp32';
  const dtypes = [...new Set<WeightDtype>(['fp32', requested])];
  await mkdir(options.outDir, { recursive: true });

  const files: ManifestFile[] = [];
  let converted: ReturnType<typeof convertChronosBolt> | undefined;
  for (const dtype of dtypes) {
    converted = convertChronosBolt({ configJson, safetensors, dtype });
    const name = fileNameByDtype[dtype];
    const hash = createHash('sha256');
    // Chunks are written as they are made (one transposed weight at a time), so a base model is
    // never copied into one 800 MB buffer.
    const handle = await open(join(options.outDir, name), 'w');
    try {
      for (const chunk of encodedChunks(converted.onnx)) {
        hash.update(chunk);
        await handle.write(chunk);
      }
    } finally {
      await handle.close();
    }
    files.push({ name, sha256: hash.digest('hex'), bytes: converted.onnx.byteLength, dtype });
  }

  const id = options.id ?? (options.repo !== undefined ? options.repo.split('/').pop()! : basename(resolve(options.checkpointDir)));
  const manifest: ChronosBoltManifest = {
    id,
    family: 'chronos-bolt',
    sourceRepo: options.repo ?? null,
    // Without a hub revision the weights' own hash names it, so the output path stays immutable.
    revision: options.revision ?? `sha256-${safetensorsSha.slice(0, 12)}`,
    config: converted!.config,
    dtype: requested,
    opset: converted!.opset,
    files,
    inputs: [
      { name: 'config.json', sha256: sha256(configBytes) },
      { name: 'model.safetensors', sha256: safetensorsSha },
    ],
    createdAt: new Date().toISOString(),
  };
  await writeFile(join(options.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

