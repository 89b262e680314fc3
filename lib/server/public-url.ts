import 'server-only';

/**
 * The origin links are built on: LOOKAHEAD_PUBLIC_URL when set (behind a proxy that rewrites the
 * host), else the Host (or X-Forwarded-Host) and X-Forwarded-Proto the request came with. Not
 * `request.url`: Next.js rebuilds that from its own bind address ("localhost"), not the client's.
 */
export function originFromHeaders(headers: Headers, env: Record<string, string | undefined> = process.env): string {
  if (env.LOOKAHEAD_PUBLIC_URL) return new URL(env.LOOKAHEAD_PUBLIC_URL).origin;
  const host = headers.get('x-forwarded-host') ?? headers.get('host') ?? 'localhost:3000';
  const protocol = headers.get('x-forwarded-proto')?.split(',')[0]?.trim() ?? 'http';
  return `${protocol}://${host}`;
}
