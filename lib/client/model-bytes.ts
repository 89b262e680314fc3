import { LookaheadError } from '@/lib/core/errors';

/**
 * Model bytes by immutable identity: the Cache API entry is keyed by the file's sha256, so a
 * model downloads once per browser whatever URL served it, and every download is verified.
 */
const CACHE_NAME = 'lookahead-models-v1';

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function openCache(): Promise<Cache | null> {
  try {
    return typeof caches === 'undefined' ? null : await caches.open(CACHE_NAME);
  } catch {
    return null; // e.g. opaque origins: work without a cache
  }
}

export async function fetchModelBytes({
  url,
  sha256,
  bytes: expectedBytes,
  onProgress,
  signal,
}: {
  url: string;
  sha256: string;
  bytes: number;
  onProgress?: (receivedBytes: number, totalBytes: number, fromCache: boolean) => void;
  signal?: AbortSignal;
}): Promise<Uint8Array> {
  const cache = await openCache();
  const key = new URL(`/__lookahead-model-cache/${sha256}`, url).href;
  const cached = await cache?.match(key);
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    onProgress?.(bytes.byteLength, bytes.byteLength, true);
    return bytes;
  }
  const response = await fetch(url, { signal });
  if (!response.ok || !response.body) throw new LookaheadError('models', 'not_found', `downloading ${url} failed with HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length') ?? expectedBytes) || expectedBytes;
  const bytes = new Uint8Array(total);
  let received = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (received + value.byteLength > bytes.byteLength) throw new LookaheadError('models', 'bad_input', `${url} is larger than the ${total} bytes announced`);
    bytes.set(value, received);
    received += value.byteLength;
    onProgress?.(received, total, false);
  }
  if (received !== total) throw new LookaheadError('models', 'bad_input', `${url}: received ${received} of ${total} bytes; reload to try again`);
  const actual = hex(await crypto.subtle.digest('SHA-256', bytes));
  if (actual !== sha256) throw new LookaheadError('models', 'bad_input', `${url}: sha256 ${actual} does not match the manifest's ${sha256}; the file was not cached`);
  await cache?.put(key, new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } })).catch(() => undefined);
  return bytes;
}
