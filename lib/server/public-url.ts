import 'server-only';
import { requestOrigin } from '@/lib/server/access';

/**
 * The origin links are built on: LOOKAHEAD_PUBLIC_URL when set (behind a proxy that rewrites the
 * host), else the Host the request came with (X-Forwarded-Host/-Proto only with LOOKAHEAD_TRUST_PROXY). Not
 * `request.url`: Next.js rebuilds that from its own bind address ("localhost"), not the client's.
 */
export function originFromHeaders(headers: Headers, env: Record<string, string | undefined> = process.env): string {
  // X-Forwarded-* only count with LOOKAHEAD_TRUST_PROXY (see lib/server/access/request-origin).
  return requestOrigin(headers, env);
}
