/**
 * npm run models:pull -- <owner/name>[@revision] [--dtype fp32|fp16]
 *
 * Downloads config.json and model.safetensors of a Chronos-Bolt checkpoint from the hub
 * (LOOKAHEAD_HUB_URL, default https://huggingface.co; resumable, sha256-verified), converts it
 * to ONNX and installs it under <models dir>/<id>/<commit>/ (LOOKAHEAD_MODELS_DIR, default
 * public/models), where the app lists it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { LookaheadError, isLookaheadError } from '@/lib/core/errors';
import type { ChronosBoltManifest, WeightDtype } from '@/lib/models/chronos-bolt';
import { downloadHubFile, formatProgress, hubBaseUrl, parseHubReference, type DownloadProgress, type DownloadedFile } from '@/lib/server/models/hub';
import { modelsDirectory } from '@/lib/server/models/store';
import { convertCheckpointDir } from './models-convert';

export const CHECKPOINT_FILES = ['config.json', 'model.safetensors'] as const;

export interface PullResult {
  manifest: ChronosBoltManifest;
  directory: string;
  downloads: DownloadedFile[];
  /** False when the same weights were already installed. */
  converted: boolean;
}

export async function pullModel({
  reference,
  dtype = 'fp32',
  baseUrl = hubBaseUrl(),
  modelsDir = modelsDirectory(),
  cacheDir = path.resolve(process.env.LOOKAHEAD_DATA_DIR ?? '.data', 'hub'),
  onProgress,
}: {
  reference: string;
  dtype?: WeightDtype;
  baseUrl?: string;
  modelsDir?: string;
  cacheDir?: string;
  onProgress?: (progress: DownloadProgress) => void;
}): Promise<PullResult> {
  const parsed = parseHubReference(reference);
  const checkpointDir = path.join(cacheDir, parsed.repo, parsed.revision);
  const downloads: DownloadedFile[] = [];
  for (const file of CHECKPOINT_FILES) {
    downloads.push(await downloadHubFile({ baseUrl, reference: parsed, file, directory: checkpointDir, onProgress }));
  }
  // Install under the commit the hub resolved the revision to: an immutable path.
  const revision = downloads.find((download) => download.commit)?.commit ?? parsed.revision;
  const id = parsed.repo.split('/')[1]!;
  const directory = path.join(modelsDir, id, revision);
  const manifestPath = path.join(directory, 'manifest.json');
  const weightsSha = downloads.find((download) => download.file === 'model.safetensors')!.sha256;
  if (existsSync(manifestPath)) {
    const existing = JSON.parse(readFileSync(manifestPath, 'utf8')) as ChronosBoltManifest;
    const sameWeights = existing.inputs.some((input) => input.name === 'model.safetensors' && input.sha256 === weightsSha);
    const hasDtype = existing.files.some((file) => (file.dtype ?? 'fp32') === dtype);
    if (sameWeights && hasDtype) return { manifest: existing, directory, downloads, converted: false };
  }
  const manifest = await convertCheckpointDir({ checkpointDir, outDir: directory, dtype, revision, repo: parsed.repo, id });
  return { manifest, directory, downloads, converted: true };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { dtype: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) {
    throw new LookaheadError('models:pull', 'bad_input', 'usage: npm run models:pull -- <owner/name>[@revision] [--dtype fp32|fp16], e.g. amazon/chronos-bolt-small');
  }
  const dtype = (values.dtype ?? 'fp32') as WeightDtype;
  if (dtype !== 'fp32' && dtype !== 'fp16') throw new LookaheadError('models:pull', 'bad_input', `--dtype must be fp32 or fp16, got "${values.dtype}"`);
  const started = performance.now();
  const interactive = process.stderr.isTTY;
  let lastLine = 0;
  console.error(`models:pull: ${positionals[0]} from ${hubBaseUrl()}`);
  const result = await pullModel({
    reference: positionals[0]!,
    dtype,
    onProgress: (progress) => {
      const now = performance.now();
      const done = progress.totalBytes !== null && progress.receivedBytes >= progress.totalBytes;
      if (!done && now - lastLine < (interactive ? 100 : 2000)) return;
      lastLine = now;
      process.stderr.write(`${interactive ? '\r' : ''}${formatProgress(progress, started)}${interactive && !done ? '' : '\n'}`);
    },
  });
  for (const download of result.downloads) {
    console.error(
      `models:pull: ${download.file} ${(download.bytes / 1e6).toFixed(1)} MB sha256 ${download.sha256}${download.verified ? ' (verified against the hub)' : ''}${download.resumedFrom ? ` (resumed at ${download.resumedFrom} bytes)` : ''}`,
    );
  }
  console.error(
    result.converted
      ? `models:pull: installed ${result.manifest.id}@${result.manifest.revision} in ${result.directory} (${((performance.now() - started) / 1000).toFixed(1)} s); restart npm start to list it`
      : `models:pull: ${result.manifest.id}@${result.manifest.revision} is already installed in ${result.directory}`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(isLookaheadError(error) ? error.message : error);
    process.exitCode = 1;
  });
}
