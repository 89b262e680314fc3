/**
 * Rendered share responses (the page's HTML, the preview PNG) kept by key, least recently used
 * evicted first within a byte budget. A snapshot never changes, so neither does what is rendered
 * from it; what can change is whether it is still live, so every entry carries its expiry (checked
 * against the clock on each hit) and the time its liveness was last confirmed in the database.
 *
 * Concurrent misses on one key share one render. `purge` drops the entry and forgets any render in
 * flight, so a render that started before a delete never lands after it.
 */
export interface CachedResponse {
  body: Uint8Array;
  contentType: string;
  /** Strong validator: a hash of the body. */
  etag: string;
}

export interface ShareCacheEntry extends CachedResponse {
  token: string;
  /** The body gzipped once (documents; null for what is compressed already, like a PNG). */
  gzipped: Uint8Array | null;
  /** The response's Content-Security-Policy, fixed by the nonce the document was rendered with (computed once, not per hit). */
  csp: string;
  expiresAtMs: number | null;
  /** When the database last said this share is live. */
  checkedAtMs: number;
}

export interface ShareCacheOptions {
  maxBytes: number;
  now?: () => number;
}

export class ShareResponseStore {
  private readonly entries = new Map<string, ShareCacheEntry>();
  private readonly renders = new Map<string, Promise<ShareCacheEntry | null>>();
  private bytes = 0;
  readonly maxBytes: number;
  private readonly now: () => number;

  constructor({ maxBytes, now = Date.now }: ShareCacheOptions) {
    this.maxBytes = maxBytes;
    this.now = now;
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** The entry if present and not expired by the clock; an expired one is dropped. */
  get(key: string): ShareCacheEntry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs !== null && entry.expiresAtMs <= this.now()) {
      this.purge(entry.token);
      return undefined;
    }
    // Map keeps insertion order: re-inserting marks it most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  /** Marks the entry's liveness as confirmed now. */
  confirm(key: string): void {
    const entry = this.entries.get(key);
    if (entry) entry.checkedAtMs = this.now();
  }

  /**
   * The entry for `key`, rendering it once when absent: `render` resolves to the entry to keep, or
   * null (not live: nothing is kept). Callers waiting on the same key get the same result.
   */
  async getOrRender(key: string, render: () => Promise<ShareCacheEntry | null>): Promise<ShareCacheEntry | null> {
    const cached = this.get(key);
    if (cached) return cached;
    const pending = this.renders.get(key);
    if (pending) return pending;
    const rendering = render().then(
      (entry) => {
        // Purged while rendering (deleted): answer this caller, keep nothing.
        if (this.renders.get(key) !== rendering) return entry;
        this.renders.delete(key);
        if (entry) this.put(key, entry);
        return entry;
      },
      (error: unknown) => {
        if (this.renders.get(key) === rendering) this.renders.delete(key);
        throw error;
      },
    );
    this.renders.set(key, rendering);
    return rendering;
  }

  /** Drops every entry and render in flight for `token` (all origins, page and image). */
  purge(token: string): void {
    for (const [key, entry] of this.entries) {
      if (entry.token === token) this.remove(key);
    }
    for (const key of [...this.renders.keys()]) {
      if (keyToken(key) === token) this.renders.delete(key);
    }
  }

  private put(key: string, entry: ShareCacheEntry): void {
    // One response larger than the whole budget is served but not kept.
    if (entryBytes(entry) > this.maxBytes) return;
    this.remove(key);
    this.entries.set(key, entry);
    this.bytes += entryBytes(entry);
    while (this.bytes > this.maxBytes) this.remove(this.entries.keys().next().value!);
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entryBytes(entry);
  }
}

function entryBytes(entry: ShareCacheEntry): number {
  return entry.body.byteLength + (entry.gzipped?.byteLength ?? 0);
}

/** Keys are `<token> <kind> <origin>`: the origin is in the HTML (metadata links), the kind is page or image. */
export function shareCacheKey(token: string, kind: 'page' | 'image', origin: string): string {
  return `${token} ${kind} ${origin}`;
}

function keyToken(key: string): string {
  return key.slice(0, key.indexOf(' '));
}
