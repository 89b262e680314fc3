/**
 * The origin a request was addressed to. X-Forwarded-Host and X-Forwarded-Proto are believed
 * only when LOOKAHEAD_TRUST_PROXY is set (a reverse proxy in front rewrites them); otherwise
 * any client could name another host for share links or slip past the Origin check.
 * LOOKAHEAD_PUBLIC_URL, when set, wins.
 */
export function trustsProxy(env: Record<string, string | undefined>): boolean {
  const value = env.LOOKAHEAD_TRUST_PROXY?.trim().toLowerCase();
  return Boolean(value) && value !== '0' && value !== 'false' && value !== 'no';
}

export function requestOrigin(headers: Headers, env: Record<string, string | undefined>): string {
  if (env.LOOKAHEAD_PUBLIC_URL) return new URL(env.LOOKAHEAD_PUBLIC_URL).origin;
  const trusted = trustsProxy(env);
  const host = (trusted ? headers.get('x-forwarded-host')?.split(',')[0]?.trim() : undefined) || headers.get('host') || 'localhost:3000';
  const protocol = (trusted ? headers.get('x-forwarded-proto')?.split(',')[0]?.trim() : undefined) || 'http';
  return `${protocol === 'https' ? 'https' : 'http'}://${host}`;
}

/** Whether the request reached us over TLS (directly never here: `next start` speaks HTTP). */
export function overTls(headers: Headers, env: Record<string, string | undefined>): boolean {
  if (env.LOOKAHEAD_PUBLIC_URL) return new URL(env.LOOKAHEAD_PUBLIC_URL).protocol === 'https:';
  return trustsProxy(env) && headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}
