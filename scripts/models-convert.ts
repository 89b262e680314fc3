/**
 * npm run models:convert -- <checkpoint-dir> <out-dir> [--dtype fp32|fp16] [--revision <rev>] [--repo <hub-repo>] [--id <model-id>]
 *
 * Converts a Chronos-Bolt HF checkpoint (config.json + model.safetensors) to ONNX without Python:
 * writes model.onnx (fp32 weights, always), model.fp16.onnx with --dtype fp16, and
 * manifest.json (source, revision, config, sha256 of every input and output file).
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LookaheadError } from '@/lib/core/errors';
import { convertChronosBolt, encodedChunks, type ChronosBoltManifest, type ManifestFile, type WeightDtype } from '@/lib/models/chronos-bolt';

export interface ConvertCheckpointOptions {
  checkpointDir: string;
  outDir: string;
  /** 'fp16' also writes model.fp16.onnx (half the download); fp32 model.onnx is always written. */
  dtype?: WeightDtype;
  revision?: string;
  repo?: string;
  id?: string;
}

const fileNameByDtype: Record<WeightDtype, string> = { fp32: 'model.onnx', fp16: 'model.fp16.onnx' };

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

const USAGE = 'usage: npm run models:convert -- <checkpoint-dir> <out-dir> [--dtype fp32|fp16] [--revision <rev>] [--repo <hub-repo>] [--id <model-id>]';

/** Parses CLI arguments; every error names the bad argument and shows the usage. */
export function parseConvertArgs(argv: readonly string[]): ConvertCheckpointOptions {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      if (!['dtype', 'revision', 'repo', 'id'].includes(name)) throw new LookaheadError('models:convert', 'bad_input', `unknown option --${name}\n${USAGE}`);
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new LookaheadError('models:convert', 'bad_input', `--${name} needs a value\n${USAGE}`);
      flags[name] = value;
    } else {
      positional.push(arg);
    }
  }
  if (positional.length !== 2) throw new LookaheadError('models:convert', 'bad_input', `expected <checkpoint-dir> <out-dir>, got ${positional.length} paths\n${USAGE}`);
  const dtype = flags.dtype ?? 'fp32';
  if (!(dtype in fileNameByDtype)) throw new LookaheadError('models:convert', 'bad_input', `--dtype must be fp32 or fp16, got ${JSON.stringify(dtype)}\n${USAGE}`);
  if (flags.repo !== undefined && !/^[\w.-]+\/[\w.-]+$/.test(flags.repo)) {
    throw new LookaheadError('models:convert', 'bad_input', `--repo must look like owner/name, got ${JSON.stringify(flags.repo)}`);
  }
  return {
    checkpointDir: positional[0]!,
    outDir: positional[1]!,
    dtype: dtype as WeightDtype,
    ...(flags.revision === undefined ? {} : { revision: flags.revision }),
    ...(flags.repo === undefined ? {} : { repo: flags.repo }),
    ...(flags.id === undefined ? {} : { id: flags.id }),
  };
}

async function main(): Promise<void> {
  const options = parseConvertArgs(process.argv.slice(2));
  const started = performance.now();
  const manifest = await convertCheckpointDir(options);
  for (const file of manifest.files) {
    console.log(`${join(options.outDir, file.name)}  ${(file.bytes / 2 ** 20).toFixed(1)} MiB  ${file.dtype}  sha256 ${file.sha256}`);
  }
  console.log(`${join(options.outDir, 'manifest.json')}  ${manifest.id}@${manifest.revision}  opset ${manifest.opset}  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
