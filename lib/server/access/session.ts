import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isCallerRole, type CallerRole } from './roles';

/**
 * The page's session: an HttpOnly, SameSite=Strict cookie carrying the role, the name of the
 * token it was issued for, an expiry and a CSRF secret, signed with HMAC-SHA256. The CSRF
 * secret is also set in a readable cookie, which the page echoes in `x-csrf-token` on every
 * state-changing request (a cross-site page can neither read it nor send the session cookie).
 * The key is LOOKAHEAD_SESSION_SECRET, or a random one per process (sessions end on restart).
 */
export const SESSION_COOKIE = 'lookahead_session';
export const CSRF_COOKIE = 'lookahead_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_TTL_MS = 12 * 3_600_000;

export interface Session {
  role: CallerRole;
  name: string;
  expiresAtMs: number;
  csrf: string;
}

const globalForSession = globalThis as unknown as { lookaheadSessionKey?: Buffer };

function sessionKey(env: Record<string, string | undefined>): Buffer {
  if (env.LOOKAHEAD_SESSION_SECRET) return Buffer.from(env.LOOKAHEAD_SESSION_SECRET, 'utf8');
  globalForSession.lookaheadSessionKey ??= randomBytes(32);
  return globalForSession.lookaheadSessionKey;
}

function sign(payload: string, env: Record<string, string | undefined>): string {
  return createHmac('sha256', sessionKey(env)).update(payload).digest('base64url');
}

export function issueSession(role: CallerRole, name: string, env: Record<string, string | undefined>, nowMs = Date.now()): { cookie: string; session: Session } {
  const session: Session = { role, name, expiresAtMs: nowMs + SESSION_TTL_MS, csrf: randomBytes(24).toString('base64url') };
  const payload = Buffer.from(JSON.stringify([session.role, session.name, session.expiresAtMs, session.csrf])).toString('base64url');
  return { cookie: `${payload}.${sign(payload, env)}`, session };
}

export function verifySession(cookie: string | undefined, env: Record<string, string | undefined>, nowMs = Date.now()): Session | null {
  if (!cookie || cookie.length > 1024) return null;
  const [payload, signature, extra] = cookie.split('.');
  if (!payload || !signature || extra !== undefined) return null;
  const expected = Buffer.from(sign(payload, env));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const [role, name, expiresAtMs, csrf] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [string, string, number, string];
    if (!isCallerRole(role) || typeof name !== 'string' || typeof csrf !== 'string' || !(expiresAtMs > nowMs)) return null;
    return { role, name, expiresAtMs, csrf };
  } catch {
    return null;
  }
}

export function csrfMatches(session: Session, header: string | null): boolean {
  if (!header) return false;
  const expected = Buffer.from(session.csrf);
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Set-Cookie values for a new session (`secure` behind TLS). */
export function sessionCookies(cookie: string, session: Session, secure: boolean): string[] {
  const maxAge = Math.floor(SESSION_TTL_MS / 1000);
  const flags = `Path=/; Max-Age=${maxAge}; SameSite=Strict${secure ? '; Secure' : ''}`;
  return [`${SESSION_COOKIE}=${cookie}; HttpOnly; ${flags}`, `${CSRF_COOKIE}=${session.csrf}; ${flags}`];
}

export function clearedSessionCookies(secure: boolean): string[] {
  const flags = `Path=/; Max-Age=0; SameSite=Strict${secure ? '; Secure' : ''}`;
  return [`${SESSION_COOKIE}=; HttpOnly; ${flags}`, `${CSRF_COOKIE}=; ${flags}`];
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
