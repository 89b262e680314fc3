import 'server-only';
import { authorize, CROSS_ORIGIN_ISOLATION_HEADERS, headersBesidesCsp } from '@/lib/server/access';
import { originFromHeaders } from '../public-url';
import { cachedHeaders, etagMatches, LIVENESS_RECHECK_MS, shareResponses, SHARE_RENDER_HEADER } from './serve';
import { shareCacheKey } from './store';

/**
 * The share front: answers `GET /f/<token>` and its preview image straight from the share cache,
 * before Next.js routes the request (scripts/server.mjs asks it first), so a hit costs a map lookup
 * instead of Next's router, the proxy and a route handler. It answers only what it can answer
 * exactly as that path would (same bytes, ETag, caching, CSP and security headers, a 304 for a
 * matching If-None-Match, gzip for clients that accept it): a cached entry whose liveness the
 * database confirmed within LIVENESS_RECHECK_MS, for a caller the access rules let in. Anything
 * else (a miss, a stale entry, a denied or odd request) returns null and goes to Next, whose
 * handler renders, rechecks or answers the 404 and refreshes the entry for the next hits.
 *
 * The header SHARE_FRONT_BYPASS_HEADER sends a request past the front (the benchmark's "Next
 * route handler" column; the tests compare both paths with it).
 */
export const SHARE_FRONT_BYPASS_HEADER = 'x-lookahead-share-front';
const FRONT_KEY = Symbol.for('lookahead.share-front');
const NEXT_VARY = 'rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch';
const SHARE_PATH = /^\/f\/([^/?#]+)(\/opengraph-image)?(?:\?.*)?$/;

/** A request as Node's http server gives it (lower-case header names). */
export interface FrontRequest {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface FrontAnswer {
  status: 200 | 304;
  headers: Record<string, string>;
  body: Uint8Array | null;
}

export type ShareFront = (request: FrontRequest) => FrontAnswer | null;

export function answerShareFromCache(request: FrontRequest, { env = process.env, now = Date.now() }: { env?: Record<string, string | undefined>; now?: number } = {}): FrontAnswer | null {
  if (request.method !== 'GET' || !request.url) return null;
  const match = SHARE_PATH.exec(request.url);
  if (!match) return null;
  const raw = request.headers;
  // Next's own client navigations (rsc), the cache's renders and explicit bypasses go to Next.
  if (raw.rsc !== undefined || raw[SHARE_RENDER_HEADER] !== undefined || raw[SHARE_FRONT_BYPASS_HEADER] !== undefined) return null;
  let token: string;
  try {
    token = decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const kind = match[2] ? 'image' : 'page';
  if (!authorize({ method: 'GET', pathname: `/f/${match[1]}${match[2] ?? ''}`, headers, env }).allow) return null;
  const entry = shareResponses().get(shareCacheKey(token, kind, originFromHeaders(headers, env)));
  if (!entry || now - entry.checkedAtMs > LIVENESS_RECHECK_MS) return null;
  const answer: Record<string, string> = { ...CROSS_ORIGIN_ISOLATION_HEADERS, ...headersBesidesCsp(headers, env), ...cachedHeaders(entry, 'front', now) };
  // What Next's app routes vary on (its client navigations get another response), and the encoding.
  answer.vary = entry.gzipped ? `${NEXT_VARY}, Accept-Encoding` : NEXT_VARY;
  if (etagMatches(headers.get('if-none-match'), entry.etag)) return { status: 304, headers: answer, body: null };
  const body = entry.gzipped && acceptsGzip(headers.get('accept-encoding')) ? entry.gzipped : entry.body;
  if (body === entry.gzipped) answer['content-encoding'] = 'gzip';
  answer['content-length'] = String(body.byteLength);
  return { status: 200, headers: answer, body };
}

/** gzip listed in Accept-Encoding without q=0. */
export function acceptsGzip(acceptEncoding: string | null): boolean {
  if (!acceptEncoding) return false;
  return acceptEncoding.split(',').some((part) => {
    const [coding, ...parameters] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  });
}

/** Makes the front reachable from scripts/server.mjs (which runs outside Next's bundles). */
export function registerShareFront(): void {
  (globalThis as { [FRONT_KEY]?: ShareFront })[FRONT_KEY] = (request) => answerShareFromCache(request);
}
