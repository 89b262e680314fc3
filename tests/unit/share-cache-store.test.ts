import { describe, expect, it } from 'vitest';
import { shareCacheKey, ShareResponseStore, type ShareCacheEntry } from '@/lib/server/share-cache/store';

function entry(token: string, bytes: number, expiresAtMs: number | null = null): ShareCacheEntry {
  return { token, body: new Uint8Array(bytes), gzipped: null, contentType: 'text/html', etag: `"${token}"`, csp: "default-src 'self'", expiresAtMs, checkedAtMs: 0 };
}

describe('share response store', () => {
  it('renders a key once for concurrent callers and serves the kept entry afterwards', async () => {
    const store = new ShareResponseStore({ maxBytes: 1000 });
    let renders = 0;
    const render = async () => {
      renders++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return entry('a', 10);
    };
    const key = shareCacheKey('a', 'page', 'http://x');
    const results = await Promise.all([store.getOrRender(key, render), store.getOrRender(key, render), store.getOrRender(key, render)]);
    expect(renders).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(await store.getOrRender(key, render)).toBe(results[0]);
    expect(renders).toBe(1);
  });

  it('keeps nothing when the render says the share is not live', async () => {
    const store = new ShareResponseStore({ maxBytes: 1000 });
    expect(await store.getOrRender('k', async () => null)).toBeNull();
    expect(store.size).toBe(0);
  });

  it('a purge during a render keeps the rendered response out of the store', async () => {
    const store = new ShareResponseStore({ maxBytes: 1000 });
    let finish!: () => void;
    const rendering = store.getOrRender(shareCacheKey('a', 'page', 'o'), () => new Promise((resolve) => (finish = () => resolve(entry('a', 10)))));
    store.purge('a');
    finish();
    expect((await rendering)?.token).toBe('a');
    expect(store.get(shareCacheKey('a', 'page', 'o'))).toBeUndefined();
  });

  it('purges every kind and origin of one token, and only that token', async () => {
    const store = new ShareResponseStore({ maxBytes: 1000 });
    for (const key of [shareCacheKey('a', 'page', 'o1'), shareCacheKey('a', 'image', 'o1'), shareCacheKey('a', 'page', 'o2')]) await store.getOrRender(key, async () => entry('a', 10));
    await store.getOrRender(shareCacheKey('ab', 'page', 'o1'), async () => entry('ab', 10));
    store.purge('a');
    expect(store.size).toBe(1);
    expect(store.totalBytes).toBe(10);
    expect(store.get(shareCacheKey('ab', 'page', 'o1'))?.token).toBe('ab');
  });

  it('an entry past its expiry is gone on the next read', async () => {
    let now = 1_000;
    const store = new ShareResponseStore({ maxBytes: 1000, now: () => now });
    const key = shareCacheKey('a', 'page', 'o');
    await store.getOrRender(key, async () => entry('a', 10, 2_000));
    expect(store.get(key)).toBeDefined();
    now = 2_000;
    expect(store.get(key)).toBeUndefined();
    expect(store.totalBytes).toBe(0);
  });

  it('evicts the least recently used within the byte budget, and never keeps one response larger than it', async () => {
    const store = new ShareResponseStore({ maxBytes: 25 });
    await store.getOrRender('a p o', async () => entry('a', 10));
    await store.getOrRender('b p o', async () => entry('b', 10));
    store.get('a p o');
    await store.getOrRender('c p o', async () => entry('c', 10));
    expect(store.get('b p o')).toBeUndefined();
    expect(store.get('a p o')).toBeDefined();
    expect(store.get('c p o')).toBeDefined();
    expect(store.totalBytes).toBe(20);
    expect((await store.getOrRender('d p o', async () => entry('d', 26)))?.token).toBe('d');
    expect(store.get('d p o')).toBeUndefined();
    expect(store.totalBytes).toBe(20);
  });
});
