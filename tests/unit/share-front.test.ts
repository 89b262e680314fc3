import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, answerShareFromCache, shareCacheKey, type ShareCacheEntry } from '@/lib/server/share-cache';
import { shareResponses } from '@/lib/server/share-cache/serve';

/**
 * The share front (lib/server/share-cache/front.ts) answers only fresh cache hits, exactly as the
 * route handler would; everything else goes to Next (null). The e2e share-cache test checks it
 * against Next's answer on the real server.
 */
const ORIGIN = 'http://127.0.0.1:3000';
const env = { NODE_ENV: 'production' };
let tokens = 0;

async function cached(kind: 'page' | 'image', fields: Partial<ShareCacheEntry> = {}): Promise<ShareCacheEntry> {
  const token = `front${tokens++}`.padEnd(24, 'x');
  const body = new TextEncoder().encode(kind === 'page' ? `<html><body>${'forecast '.repeat(400)}</body></html>` : 'PNG-bytes');
  const entry: ShareCacheEntry = {
    token,
    body,
    gzipped: kind === 'page' ? new Uint8Array(gzipSync(body)) : null,
    contentType: kind === 'page' ? 'text/html; charset=utf-8' : 'image/png',
    etag: `"etag-${token}"`,
    csp: "default-src 'self'; script-src 'nonce-abc'",
    expiresAtMs: null,
    checkedAtMs: Date.now(),
    ...fields,
  };
  await shareResponses().getOrRender(shareCacheKey(token, kind, ORIGIN), async () => entry);
  return entry;
}

const request = (url: string, headers: Record<string, string> = {}, method = 'GET') => ({ method, url, headers: { host: '127.0.0.1:3000', ...headers } });

describe('share front', () => {
  it('answers a fresh hit with the body, ETag, caching, CSP, security and isolation headers', async () => {
    const entry = await cached('page');
    const answer = answerShareFromCache(request(`/f/${entry.token}`, { 'accept-encoding': 'identity' }), { env });
    expect(answer).not.toBeNull();
    expect(answer!.status).toBe(200);
    expect(Buffer.from(answer!.body!).equals(Buffer.from(entry.body))).toBe(true);
    expect(answer!.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      etag: entry.etag,
      'cache-control': 'public, max-age=0, must-revalidate',
      'content-security-policy': entry.csp,
      'content-length': String(entry.body.byteLength),
      'x-lookahead-share-cache': 'front',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    });
    expect(answer!.headers.vary).toMatch(/^rsc, .*Accept-Encoding$/);
    expect(answer!.headers['content-encoding']).toBeUndefined();
    // A query string does not change the page.
    expect(answerShareFromCache(request(`/f/${entry.token}?utm=x`), { env })?.status).toBe(200);
  });

  it('gzips for clients that accept it, a 304 for a matching If-None-Match, the image as it is', async () => {
    const page = await cached('page');
    const zipped = answerShareFromCache(request(`/f/${page.token}`, { 'accept-encoding': 'gzip, deflate, br' }), { env })!;
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(Buffer.from(gunzipSync(zipped.body!)).equals(Buffer.from(page.body))).toBe(true);
    expect(zipped.headers['content-length']).toBe(String(zipped.body!.byteLength));
    for (const tag of [page.etag, `W/${page.etag}`, `"other", ${page.etag}`]) {
      const revalidated = answerShareFromCache(request(`/f/${page.token}`, { 'if-none-match': tag }), { env })!;
      expect(revalidated.status).toBe(304);
      expect(revalidated.body).toBeNull();
    }
    expect(answerShareFromCache(request(`/f/${page.token}`, { 'if-none-match': '"other"' }), { env })!.status).toBe(200);
    const image = await cached('image');
    const png = answerShareFromCache(request(`/f/${image.token}/opengraph-image`, { 'accept-encoding': 'gzip' }), { env })!;
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(Buffer.from(png.body!).toString()).toBe('PNG-bytes');
    // The page's entry is not the image's.
    expect(answerShareFromCache(request(`/f/${page.token}/opengraph-image`), { env })).toBeNull();
  });

  it('declines (null: Next answers) a miss, a stale or expired entry, another origin, other methods, Next navigations, renders and bypasses', async () => {
    const entry = await cached('page');
    const url = `/f/${entry.token}`;
    expect(answerShareFromCache(request(`/f/${'n'.repeat(24)}`), { env })).toBeNull();
    expect(answerShareFromCache(request(url, {}, 'HEAD'), { env })).toBeNull();
    expect(answerShareFromCache(request(url, {}, 'POST'), { env })).toBeNull();
    expect(answerShareFromCache(request(url, { rsc: '1' }), { env })).toBeNull();
    expect(answerShareFromCache(request(url, { 'x-lookahead-share-render': '1' }), { env })).toBeNull();
    expect(answerShareFromCache(request(url, { 'x-lookahead-share-front': 'off' }), { env })).toBeNull();
    expect(answerShareFromCache(request(url, { host: 'elsewhere.example' }), { env })).toBeNull();
    expect(answerShareFromCache(request('/f/%E0%A4%A'), { env })).toBeNull();
    expect(answerShareFromCache(request(`${url}/other`), { env })).toBeNull();
    // Liveness confirmed more than a second ago: Next rechecks the database first.
    expect(answerShareFromCache(request(url), { env, now: entry.checkedAtMs + 1_001 })).toBeNull();
    expect(answerShareFromCache(request(url), { env, now: entry.checkedAtMs + 999 })?.status).toBe(200);
    const expiring = await cached('page', { expiresAtMs: Date.now() - 1 });
    expect(answerShareFromCache(request(`/f/${expiring.token}`), { env })).toBeNull();
  });

  it('lets the access rules decide: a bad bearer token on a public page goes to Next (its 401)', async () => {
    const entry = await cached('page');
    const tokensEnv = { ...env, LOOKAHEAD_AUTH: 'tokens', LOOKAHEAD_API_TOKENS: '' };
    expect(answerShareFromCache(request(`/f/${entry.token}`), { env: tokensEnv })?.status).toBe(200);
    expect(answerShareFromCache(request(`/f/${entry.token}`, { authorization: 'Bearer not-a-token' }), { env: tokensEnv })).toBeNull();
  });

  it('reads Accept-Encoding as HTTP does', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('br, GZIP;q=0.5')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip('br, deflate')).toBe(false);
    expect(acceptsGzip(null)).toBe(false);
  });
});
