import 'server-only';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChronosBoltManifest, WeightDtype } from '@/lib/models/chronos-bolt';
import { convertCheckpointDir } from './convert-checkpoint';
import { downloadHubFile, hubBaseUrl, parseHubReference, type DownloadProgress, type DownloadedFile } from './hub';
import { modelsDirectory } from './store';

/**
 * models:pull as a function: download a Chronos-Bolt checkpoint from the hub (resumable,
 * sha256-verified) and install it converted under <models dir>/<id>/<commit>/. The CLI, the
 * server install route and LOOKAHEAD_PULL_ON_START share it.
 */
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
  onConvert,
}: {
  reference: string;
  dtype?: WeightDtype;
  baseUrl?: string;
  modelsDir?: string;
  cacheDir?: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** Called when the downloads are done and the conversion starts. */
  onConvert?: () => void;
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
  onConvert?.();
  const manifest = await convertCheckpointDir({ checkpointDir, outDir: directory, dtype, revision, repo: parsed.repo, id });
  return { manifest, directory, downloads, converted: true };
}

