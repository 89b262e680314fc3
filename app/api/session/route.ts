import { LookaheadError } from '@/lib/core/errors';
import {
  authMode,
  clearedSessionCookies,
  issueSession,
  matchApiToken,
  overTls,
  parseApiTokens,
  parsePasswordEntries,
  principalFromHeaders,
  sessionCookies,
  verifyPassword,
  type Principal,
} from '@/lib/server/access';
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

interface SignInFields {
  token?: unknown;
  name?: unknown;
  password?: unknown;
}

const SIGN_IN_SHAPE = 'send {"token": "lka_..."} or {"name": "...", "password": "..."} as JSON, or the sign-in form';

/** Who the sign-in fields prove the caller is, or null when they prove nobody. */
async function signInAs(fields: SignInFields): Promise<Principal | null> {
  if (fields.password !== undefined || fields.name !== undefined) {
    const { name, password } = fields;
    if (typeof name !== 'string' || typeof password !== 'string' || name.length === 0 || password.length === 0 || name.length > 64 || password.length > 1024) {
      throw new LookaheadError('access', 'bad_input', `${SIGN_IN_SHAPE}: a password sign-in needs a name (up to 64 characters) and a password (up to 1024)`);
    }
    const entry = await verifyPassword(name, password, parsePasswordEntries(process.env.LOOKAHEAD_USERS));
    return entry ? { role: entry.role, name: entry.name, via: 'password' } : null;
  }
  const token = fields.token;
  if (typeof token !== 'string' || token.length === 0 || token.length > 512) throw new LookaheadError('access', 'bad_input', `${SIGN_IN_SHAPE}: the token is missing`);
  const entry = matchApiToken(token, parseApiTokens(process.env.LOOKAHEAD_API_TOKENS));
  return entry ? { role: entry.role, name: entry.name, via: 'token' } : null;
}

/**
 * POST /api/session {token} or {name, password} (JSON, or the sign-in form's urlencoded fields
 * plus next): checks the API token, or the password against LOOKAHEAD_USERS' scrypt hash, and
 * answers with the session cookie (HttpOnly, SameSite=Strict) and the CSRF cookie the page
 * echoes. A form post is redirected to `next`; wrong credentials are 401 (the form: back to
 * /signin?failed=1).
 */
export async function POST(request: Request): Promise<Response> {
  try {
    if (authMode(process.env) === 'off') throw new LookaheadError('access', 'bad_input', 'sign-in is off (LOOKAHEAD_AUTH is unset): this server trusts whoever reaches it');
    const bytes = await readBodyCapped(request, { maxBytes: 4096, tooLarge: () => new LookaheadError('access', 'too_large', 'a sign-in body is a token or a name and password of under 4 KiB') });
    const text = new TextDecoder().decode(bytes ?? new Uint8Array());
    const form = (request.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
    let fields: SignInFields;
    let next = '/';
    if (form) {
      const values = new URLSearchParams(text);
      const field = (key: string) => values.get(key) ?? undefined;
      fields = { token: field('token'), name: field('name'), password: field('password') };
      next = safeNext(values.get('next'));
    } else {
      try {
        const parsed = JSON.parse(text) as unknown;
        fields = parsed && typeof parsed === 'object' ? (parsed as SignInFields) : {};
      } catch {
        throw new LookaheadError('access', 'bad_input', SIGN_IN_SHAPE);
      }
    }
    const principal = await signInAs(fields);
    if (!principal) {
      if (form) return new Response(null, { status: 303, headers: { location: `/signin?failed=1&next=${encodeURIComponent(next)}`, 'cache-control': 'no-store' } });
      const message = fields.token !== undefined ? 'access: that token is not one of this server’s tokens' : 'access: that name and password do not match LOOKAHEAD_USERS';
      return Response.json({ error: { code: 'unauthenticated', message } }, { status: 401 });
    }
    if (principal.role === 'public') throw new Error('access: a sign-in resolved to the public role');
    const { cookie, session } = issueSession(principal.role, principal.name, process.env);
    const headers = new Headers({ 'cache-control': 'no-store' });
    for (const value of sessionCookies(cookie, session, overTls(request.headers, process.env))) headers.append('set-cookie', value);
    await recordAudit(await getDatabase(), { actor: principal, action: 'session.sign_in', target: principal.name });
    if (form) {
      headers.set('location', next);
      return new Response(null, { status: 303, headers });
    }
    return Response.json({ role: principal.role, name: principal.name, csrf: session.csrf }, { headers });
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
