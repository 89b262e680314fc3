/**
 * npm run models:convert -- <checkpoint-dir> <out-dir> [--dtype fp32|fp16] [--revision <rev>] [--repo <hub-repo>] [--id <model-id>]
 *
 * Converts a Chronos-Bolt HF checkpoint (config.json + model.safetensors) to ONNX without Python:
 * writes model.onnx (fp32 weights, always), model.fp16.onnx with --dtype fp16, and
 * manifest.json (source, revision, config, sha256 of every input and output file).
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LookaheadError } from '@/lib/core/errors';
import type { WeightDtype } from '@/lib/models/chronos-bolt';
import { convertCheckpointDir, fileNameByDtype, type ConvertCheckpointOptions } from '@/lib/server/models/convert-checkpoint';

export { convertCheckpointDir, type ConvertCheckpointOptions };

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
