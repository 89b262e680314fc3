import { LookaheadError } from '@/lib/core/errors';
import { authMode, clearedSessionCookies, issueSession, sessionCookies, matchApiToken, overTls, parseApiTokens, principalFromHeaders } from '@/lib/server/access';
import { errorResponse } from '@/lib/server/http';
import { readBodyCapped } from '@/lib/server/json-body';
import { recordAudit } from '@/lib/server/audit';
import { getDatabase } from '@/db';

export const dynamic = 'force-dynamic';

/** GET /api/session: who the caller is (role, name, how identified) and whether sign-in is on. */
export async function GET(request: Request): Promise<Response> {
  const principal = principalFromHeaders(request.headers);
  return Response.json({ auth: authMode(process.env), role: principal.role, name: principal.name, via: principal.via }, { headers: { 'cache-control': 'no-store' } });
}

function safeNext(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/';
}

/**
 * POST /api/session {token} (JSON, or the sign-in form's urlencoded fields token and next): checks
 * the API token and answers with the session cookie (HttpOnly, SameSite=Strict) and the CSRF
 * cookie the page echoes. A form post is redirected to `next`; a wrong token is 401.
 */
export async function POST(request: Request): Promise<Response> {
  try {
    if (authMode(process.env) === 'off') throw new LookaheadError('access', 'bad_input', 'sign-in is off (LOOKAHEAD_AUTH is unset): this server trusts whoever reaches it');
    const bytes = await readBodyCapped(request, { maxBytes: 4096, tooLarge: () => new LookaheadError('access', 'too_large', 'a sign-in body is a token of under 4 KiB') });
    const text = new TextDecoder().decode(bytes ?? new Uint8Array());
    const form = (request.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
    let token: unknown;
    let next = '/';
    if (form) {
      const fields = new URLSearchParams(text);
      token = fields.get('token');
      next = safeNext(fields.get('next'));
    } else {
      try {
        token = (JSON.parse(text) as { token?: unknown }).token;
      } catch {
        throw new LookaheadError('access', 'bad_input', 'send {"token": "lka_..."} as JSON, or the sign-in form');
      }
    }
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) throw new LookaheadError('access', 'bad_input', 'send {"token": "lka_..."}: the token is missing');
    const entry = matchApiToken(token, parseApiTokens(process.env.LOOKAHEAD_API_TOKENS));
    if (!entry) {
      if (form) return new Response(null, { status: 303, headers: { location: `/signin?failed=1&next=${encodeURIComponent(next)}`, 'cache-control': 'no-store' } });
      return Response.json({ error: { code: 'unauthenticated', message: 'access: that token is not one of this server’s tokens' } }, { status: 401 });
    }
    const { cookie, session } = issueSession(entry.role, entry.name, process.env);
    const headers = new Headers({ 'cache-control': 'no-store' });
    for (const value of sessionCookies(cookie, session, overTls(request.headers, process.env))) headers.append('set-cookie', value);
    await recordAudit(await getDatabase(), { actor: { via: 'token', role: entry.role, name: entry.name }, action: 'session.sign_in', target: entry.name });
    if (form) {
      headers.set('location', next);
      return new Response(null, { status: 303, headers });
    }
    return Response.json({ role: entry.role, name: entry.name, csrf: session.csrf }, { headers });
  } catch (error) {
    return errorResponse(error);
  }
}

/** DELETE /api/session: signs out (clears both cookies). */
export async function DELETE(request: Request): Promise<Response> {
  const headers = new Headers({ 'cache-control': 'no-store' });
  for (const value of clearedSessionCookies(overTls(request.headers, process.env))) headers.append('set-cookie', value);
  return new Response(null, { status: 204, headers });
}
