import { LookaheadError } from '@/lib/core/errors';
import type { ChronosBoltConfig, WeightDtype } from '@/lib/models/chronos-bolt';

/**
 * Chronos-Bolt models converted in this browser, in the Cache API (shared by the page and the
 * worker). An entry is two keys under `/__lookahead-installed/<repo>/<commit>/<sha256>/<dtype>/`:
 * `model.onnx`, written first, and `manifest.json`, written last. An entry counts only when its
 * manifest exists and the onnx length matches it, so a failed or cancelled install never leaves a
 * usable-looking half; `removeCachedModel` deletes both keys.
 */
export const INSTALLED_CACHE = 'lookahead-installed-models-v1';
const PREFIX = '/__lookahead-installed/';

export interface CachedModelManifest {
  /** Model id in the app, e.g. chronos-bolt-small. */
  id: string;
  label: string;
  repo: string;
  commit: string;
  /** sha256 of model.safetensors, as the hub published it. */
  sha256: string;
  dtype: WeightDtype;
  config: ChronosBoltConfig;
  onnxBytes: number;
  checkpointBytes: number;
  hubUrl: string;
  createdAt: string;
}

export interface CachedModel extends CachedModelManifest {
  /** Cache key prefix of this entry (what `removeCachedModel` takes). */
  key: string;
}

export function entryKey(manifest: Pick<CachedModelManifest, 'repo' | 'commit' | 'sha256' | 'dtype'>): string {
  return `${PREFIX}${manifest.repo}/${manifest.commit}/${manifest.sha256}/${manifest.dtype}/`;
}

function absolute(origin: string, path: string): string {
  return new URL(path, origin).href;
}

export async function openInstalledCache(): Promise<Cache> {
  if (typeof caches === 'undefined') {
    throw new LookaheadError('model-cache', 'unsupported', 'this browser offers no Cache API here (private window or an insecure origin?); open the app over https or localhost to install models in the browser');
  }
  try {
    return await caches.open(INSTALLED_CACHE);
  } catch (error) {
    throw new LookaheadError('model-cache', 'unsupported', `the browser refused to open its model cache (${(error as Error).message}); storage may be disabled for this site`, { cause: error });
  }
}

export function isQuotaError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'QuotaExceededError' || /quota/i.test(error.message));
}

export function quotaError(what: string, bytes: number, error: unknown): LookaheadError {
  return new LookaheadError(
    'model-cache',
    'too_large',
    `the browser has no room to store ${what} (${(bytes / 1e6).toFixed(1)} MB: ${(error as Error).message || (error as Error).name}); nothing was kept. Free space: delete models under "Models in this browser", choose fp16 weights or a smaller model, or allow this site more storage`,
    { cause: error },
  );
}

/** Every complete entry, newest first. */
export async function listCachedModels(): Promise<CachedModel[]> {
  const cache = await openInstalledCache();
  const models: CachedModel[] = [];
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (!path.startsWith(PREFIX) || !path.endsWith('/manifest.json')) continue;
    const response = await cache.match(request);
    if (!response) continue;
    try {
      const manifest = (await response.json()) as CachedModelManifest;
      models.push({ ...manifest, key: path.slice(0, -'manifest.json'.length) });
    } catch {
      // An unreadable manifest: the entry does not count (removeCachedModel can still clear it).
    }
  }
  return models.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function removeCachedModel(origin: string, key: string): Promise<void> {
  if (!key.startsWith(PREFIX)) throw new LookaheadError('model-cache', 'bad_input', `"${key}" is not a model cache entry (they start with ${PREFIX})`);
  const cache = await openInstalledCache();
  // Manifest first: from then on the entry no longer counts, even if the second delete fails.
  await cache.delete(absolute(origin, `${key}manifest.json`));
  await cache.delete(absolute(origin, `${key}model.onnx`));
}

/** The newest complete entry for repo + dtype, or null. */
export async function findCachedModel(repo: string, dtype: WeightDtype): Promise<CachedModel | null> {
  const models = await listCachedModels();
  return models.find((model) => model.repo === repo && model.dtype === dtype) ?? null;
}

/** The entry's onnx bytes; a damaged entry (length differs from its manifest) is removed and null returned. */
export async function readCachedOnnx(origin: string, model: CachedModel): Promise<Uint8Array | null> {
  const cache = await openInstalledCache();
  const response = await cache.match(absolute(origin, `${model.key}model.onnx`));
  const bytes = response ? new Uint8Array(await response.arrayBuffer()) : null;
  if (bytes === null || bytes.byteLength !== model.onnxBytes) {
    await removeCachedModel(origin, model.key);
    return null;
  }
  return bytes;
}

/**
 * Stores a converted model: the onnx bytes pulled from `chunks` one at a time (a streamed body, so
 * the converted model is never held whole), then the manifest. Any failure removes both keys.
 */
export async function storeCachedModel({
  origin,
  manifest,
  chunks,
  onChunk,
  signal,
}: {
  origin: string;
  manifest: CachedModelManifest;
  chunks: Iterator<Uint8Array>;
  onChunk?: (writtenBytes: number) => void;
  signal?: AbortSignal;
}): Promise<CachedModel> {
  const cache = await openInstalledCache();
  const key = entryKey(manifest);
  let written = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (signal?.aborted) {
        controller.error(new LookaheadError('model-install', 'cancelled', 'cancelled'));
        return;
      }
      const next = chunks.next();
      if (next.done) {
        controller.close();
        return;
      }
      written += next.value.byteLength;
      onChunk?.(written);
      controller.enqueue(next.value);
    },
  });
  try {
    await cache.put(absolute(origin, `${key}model.onnx`), new Response(body, { headers: { 'content-type': 'application/octet-stream' } }));
    if (written !== manifest.onnxBytes) {
      throw new LookaheadError('model-install', 'internal', `the converted model has ${written} bytes, ${manifest.onnxBytes} were expected`);
    }
    await cache.put(absolute(origin, `${key}manifest.json`), Response.json(manifest));
  } catch (error) {
    await removeCachedModel(origin, key).catch(() => undefined);
    if (signal?.aborted) throw new LookaheadError('model-install', 'cancelled', 'cancelled');
    if (isQuotaError(error)) throw quotaError(`${manifest.label} (${manifest.dtype})`, manifest.onnxBytes, error);
    throw error;
  }
  return { ...manifest, key };
}
