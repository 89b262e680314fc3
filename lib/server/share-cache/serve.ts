import 'server-only';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { getDatabase } from '@/db';
import { originFromHeaders } from '../public-url';
import { readShareLiveness } from '../shares';
import { contentSecurityPolicy, newNonce } from '../access/security-headers';
import { shareCacheKey, ShareResponseStore, type ShareCacheEntry } from './store';

/**
 * `/f/<token>` and its preview image, each rendered once and then served from memory.
 *
 * next.config.ts rewrites both paths to the route handlers in app/api/share-pages/, which call
 * `serveSharedResponse`. On a miss the handler renders the real page (or image) by requesting it
 * from this same server with SHARE_RENDER_HEADER, which the rewrite lets through to Next's renderer;
 * what comes back is kept with its hash as ETag. A hit checks expiry against the clock; the
 * database is asked again whether the share is live at most once per LIVENESS_RECHECK_MS, so a
 * delete through this process purges at once (`purgeSharedResponses`) and one through another
 * server process is seen within that interval. Not live: the same 404 the page renders for a token
 * that never existed, never cached.
 */
export const SHARE_RENDER_HEADER = 'x-lookahead-share-render';
export const SHARE_CACHE_HEADER = 'x-lookahead-share-cache';
export const LIVENESS_RECHECK_MS = 1_000;
const DEFAULT_CACHE_MIB = 64;

type Kind = 'page' | 'image';

// One store per process: the route handlers and the delete route are separate bundles.
const STORE_KEY = Symbol.for('lookahead.share-response-store');

export function shareResponses(): ShareResponseStore {
  const holder = globalThis as { [STORE_KEY]?: ShareResponseStore };
  return (holder[STORE_KEY] ??= new ShareResponseStore({ maxBytes: shareCacheMaxBytes() }));
}

/** LOOKAHEAD_SHARE_CACHE_MB (64): memory for rendered pages and images (~120 KiB + ~70 KiB per share). */
export function shareCacheMaxBytes(env: Record<string, string | undefined> = process.env): number {
  const configured = Number(env.LOOKAHEAD_SHARE_CACHE_MB);
  return (Number.isFinite(configured) && configured >= 0 && env.LOOKAHEAD_SHARE_CACHE_MB !== '' ? configured : DEFAULT_CACHE_MIB) * 1024 * 1024;
}

/**
 * LOOKAHEAD_SHARE_MAX_AGE (0): seconds browsers and CDNs may reuse a page without asking. 0 makes
 * every reuse a conditional request (a body-less 304 while the share lives), so deletion reaches
 * every cache at once; more trades that for fewer requests, capped at the share's expiry.
 */
export function shareMaxAgeSeconds(env: Record<string, string | undefined> = process.env): number {
  const configured = Number(env.LOOKAHEAD_SHARE_MAX_AGE);
  return Number.isInteger(configured) && configured > 0 ? configured : 0;
}

/** Forgets everything rendered for `token`; the delete route calls it. */
export function purgeSharedResponses(token: string): void {
  shareResponses().purge(token);
}

export async function serveSharedResponse({ request, token, kind }: { request: Request; token: string; kind: Kind }): Promise<Response> {
  const origin = originFromHeaders(request.headers);
  const key = shareCacheKey(token, kind, origin);
  const responses = shareResponses();
  let entry = responses.get(key);
  let state = 'hit';
  if (entry && Date.now() - entry.checkedAtMs > LIVENESS_RECHECK_MS) {
    if (await readShareLiveness({ handle: await getDatabase(), token })) responses.confirm(key);
    else {
      responses.purge(token);
      entry = undefined;
    }
  }
  if (!entry) {
    state = 'miss';
    entry = (await responses.getOrRender(key, () => renderEntry({ request, token, kind, origin }))) ?? undefined;
  }
  if (!entry) return notFound({ request, token, kind, origin });
  return cachedResponse(request, entry, state);
}

async function renderEntry({ request, token, kind, origin }: { request: Request; token: string; kind: Kind; origin: string }): Promise<ShareCacheEntry | null> {
  const live = await readShareLiveness({ handle: await getDatabase(), token });
  if (!live) return null;
  const checkedAtMs = Date.now();
  const rendered = await renderThrough({ request, token, kind, origin });
  // Deleted between the check and the render: the renderer answered 404; keep nothing.
  if (rendered.status !== 200) return null;
  const body = new Uint8Array(await rendered.arrayBuffer());
  const contentType = rendered.headers.get('content-type') ?? (kind === 'page' ? 'text/html; charset=utf-8' : 'image/png');
  return {
    token,
    body,
    // Compressed once for the share front, which answers gzip clients before Next (a PNG is compressed already).
    gzipped: contentType.startsWith('text/') ? new Uint8Array(gzipSync(body, { level: 9 })) : null,
    contentType,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    // The page's nonce is found once here; an image has none (a CSP without scripts to allow).
    csp: contentType.startsWith('text/html') ? policyFor(body) : policyFor(new Uint8Array()),
    expiresAtMs: live.expiresAt?.getTime() ?? null,
    checkedAtMs,
  };
}

/** Asks this server's own renderer for the page or image, as the client would see it. */
function renderThrough({ request, token, kind, origin }: { request: Request; token: string; kind: Kind; origin: string }): Promise<Response> {
  const self = new URL(request.url);
  // Next builds request.url from its bind address; a wildcard or "localhost" is reached as loopback.
  if (['localhost', '0.0.0.0', '[::]'].includes(self.hostname)) self.hostname = '127.0.0.1';
  const base = process.env.LOOKAHEAD_INTERNAL_URL ?? self.origin;
  const publicOrigin = new URL(origin);
  return fetch(`${base}/f/${encodeURIComponent(token)}${kind === 'image' ? '/opengraph-image' : ''}`, {
    headers: {
      [SHARE_RENDER_HEADER]: '1',
      // The page builds its absolute links (og:image, og:url) from these.
      'x-forwarded-host': publicOrigin.host,
      'x-forwarded-proto': publicOrigin.protocol.slice(0, -1),
      'accept-encoding': 'identity',
    },
    redirect: 'manual',
    cache: 'no-store',
  });
}

async function notFound({ request, token, kind, origin }: { request: Request; token: string; kind: Kind; origin: string }): Promise<Response> {
  const rendered = await renderThrough({ request, token, kind, origin });
  const body = await rendered.arrayBuffer();
  return new Response(body, {
    status: rendered.status === 200 ? 404 : rendered.status,
    headers: { 'content-type': rendered.headers.get('content-type') ?? 'text/plain', 'cache-control': 'no-store', [SHARE_CACHE_HEADER]: 'none', 'content-security-policy': policyFor(body) },
  });
}

/**
 * The CSP of a share response: the nonce its document was rendered with (the same bytes are
 * served again, so the nonce is fixed per cached document, like a hash), or a fresh one when the
 * body has none (the preview image).
 */
function policyFor(body: Uint8Array | ArrayBuffer): string {
  const head = new TextDecoder().decode(body instanceof Uint8Array ? body.subarray(0, 65_536) : new Uint8Array(body, 0, Math.min(body.byteLength, 65_536)));
  const nonce = /\snonce="([A-Za-z0-9+/=_-]+)"/.exec(head)?.[1];
  return contentSecurityPolicy(nonce ?? newNonce(), { development: process.env.NODE_ENV === 'development' });
}

function cachedResponse(request: Request, entry: ShareCacheEntry, state: string): Response {
  // Next compresses the body itself for clients that accept gzip (and drops a content-encoding set here).
  const headers = cachedHeaders(entry, state);
  if (etagMatches(request.headers.get('if-none-match'), entry.etag)) return new Response(null, { status: 304, headers });
  return new Response(entry.body as Uint8Array<ArrayBuffer>, { headers });
}

/** The headers of a cached share response: its type, ETag, caching rules, where it came from (`state`) and its CSP. */
export function cachedHeaders(entry: ShareCacheEntry, state: string, now = Date.now()): Record<string, string> {
  const maxAge = shareMaxAgeSeconds();
  const secondsLeft = entry.expiresAtMs === null ? Infinity : Math.max(0, Math.floor((entry.expiresAtMs - now) / 1000));
  return {
    'content-type': entry.contentType,
    etag: entry.etag,
    'cache-control': `public, max-age=${Math.min(maxAge, secondsLeft)}, must-revalidate`,
    [SHARE_CACHE_HEADER]: state,
    'content-security-policy': entry.csp,
  };
}

/** Whether an If-None-Match header names `etag` (weak or strong, in a list). */
export function etagMatches(ifNoneMatch: string | null | undefined, etag: string): boolean {
  return !!ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
