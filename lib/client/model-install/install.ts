import { LookaheadError } from '@/lib/core/errors';
import { convertChronosBolt, encodedChunks, type CatalogEntry, type WeightDtype } from '@/lib/models/chronos-bolt';
import { downloadHubFile, fetchHubRevision } from './hub-files';
import { findCachedModel, readCachedOnnx, storeCachedModel, type CachedModel } from './model-cache';

/**
 * A Chronos-Bolt checkpoint from the hub to ONNX bytes in this browser: from the cache when an entry
 * for the repo and dtype exists; otherwise download config.json and model.safetensors (verified),
 * convert them with lib/models/chronos-bolt while streaming the result into the cache, and read it
 * back. One progress scale for the whole install: download 0-80%, convert 80-95%; the caller's
 * warm-up takes the rest.
 */
export type InstallPhase = 'cache' | 'download' | 'convert' | 'warm-up';

export interface InstallProgress {
  phase: InstallPhase;
  message: string;
  /** Of the whole install, 0..1. */
  fraction: number;
}

export interface InstalledInBrowser {
  model: CachedModel;
  onnx: Uint8Array;
  fromCache: boolean;
  /** Requests that resumed a dropped download. */
  resumes: number;
}

export const PHASE_END = { download: 0.8, convert: 0.95, 'warm-up': 1 } as const;

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

export async function installFromHub({
  entry,
  hubUrl,
  origin,
  dtype = 'fp32',
  revision = 'main',
  signal,
  onProgress,
}: {
  entry: CatalogEntry;
  hubUrl: string;
  origin: string;
  dtype?: WeightDtype;
  revision?: string;
  signal?: AbortSignal;
  onProgress?: (progress: InstallProgress) => void;
}): Promise<InstalledInBrowser> {
  const cached = await findCachedModel(entry.repo, dtype);
  if (cached) {
    const onnx = await readCachedOnnx(origin, cached);
    if (onnx) {
      onProgress?.({ phase: 'cache', message: `${entry.label}: loaded from this browser's cache`, fraction: PHASE_END.convert });
      return { model: cached, onnx, fromCache: true, resumes: 0 };
    }
  }
  onProgress?.({ phase: 'download', message: `${entry.label}: asking ${hubUrl} for ${entry.repo}`, fraction: 0 });
  const hubRevision = await fetchHubRevision({ hubUrl, repo: entry.repo, revision, signal });
  const weightsInfo = hubRevision.files.get('model.safetensors');
  const totalBytes = (hubRevision.files.get('config.json')?.bytes ?? 0) + (weightsInfo?.bytes ?? 0);
  let doneBytes = 0;
  const download = async (file: string) => {
    const result = await downloadHubFile({
      hubUrl,
      revision: hubRevision,
      file,
      signal,
      onProgress: (progress) =>
        onProgress?.({
          phase: 'download',
          message: `downloading ${entry.label}: ${mb(doneBytes + progress.receivedBytes)} of ${mb(totalBytes)} MB${progress.resumedFrom > 0 ? ` (resumed at ${mb(progress.resumedFrom)} MB)` : ''}`,
          fraction: (PHASE_END.download * (doneBytes + progress.receivedBytes)) / Math.max(1, totalBytes),
        }),
    });
    doneBytes += result.bytes.byteLength;
    return result;
  };
  const config = await download('config.json');
  let configJson: unknown;
  try {
    configJson = JSON.parse(new TextDecoder().decode(config.bytes));
  } catch (error) {
    throw new LookaheadError('model-install', 'bad_input', `config.json of ${entry.repo}@${hubRevision.commit} is not JSON; is it a Chronos-Bolt checkpoint?`, { cause: error });
  }
  // Checkpoint bytes live only inside this function: by the time the onnx is read back, they can be collected.
  const convertAndStore = async () => {
    const weights = await download('model.safetensors');
    signal?.throwIfAborted();

    onProgress?.({ phase: 'convert', message: `converting ${entry.label} to ONNX (${dtype})`, fraction: PHASE_END.download });
    const converted = convertChronosBolt({ configJson, safetensors: weights.bytes, dtype });
    const total = converted.onnx.byteLength;
    const stored = await storeCachedModel({
      origin,
      signal,
      manifest: {
        id: entry.id,
        label: entry.label,
        repo: entry.repo,
        commit: hubRevision.commit,
        sha256: weights.sha256,
        dtype,
        config: converted.config,
        onnxBytes: total,
        checkpointBytes: weights.bytes.byteLength,
        hubUrl,
        createdAt: new Date().toISOString(),
      },
      chunks: encodedChunks(converted.onnx),
      onChunk: (written) =>
        onProgress?.({
          phase: 'convert',
          message: `converting ${entry.label} to ONNX (${dtype}): ${mb(written)} of ${mb(total)} MB`,
          fraction: PHASE_END.download + ((PHASE_END.convert - PHASE_END.download) * written) / Math.max(1, total),
        }),
    });
    return { stored, resumes: weights.resumes };
  };
  const { stored, resumes } = await convertAndStore();
  const onnx = await readCachedOnnx(origin, stored);
  if (!onnx) throw new LookaheadError('model-install', 'internal', `${entry.label} was stored in the browser cache but could not be read back; try again`);
  return { model: stored, onnx, fromCache: false, resumes: config.resumes + resumes };
}
