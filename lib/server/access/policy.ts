import { isStateChanging, requiredRole } from './route-table';
import { roleAllows, type CallerRole } from './roles';
import { CSRF_HEADER, SESSION_COOKIE, csrfMatches, readCookie, verifySession } from './session';
import { matchApiToken, parseApiTokens } from './tokens';
import { requestOrigin } from './request-origin';

/**
 * The access decision for one request, from its method, path and headers alone: who is calling
 * (nobody, a bearer token, a session cookie, or the local owner when LOOKAHEAD_AUTH is off),
 * whether the route table lets that role in, and, for state-changing requests, whether they come
 * from our own origin (and, with a session cookie, carry its CSRF token).
 */
/** `tokens`: API tokens, and the page signs in with one; `password`: API tokens, and the page signs in with a name and password (LOOKAHEAD_USERS). */
export type AuthMode = 'off' | 'tokens' | 'password';

export interface Principal {
  role: CallerRole | 'public';
  name: string;
  /** How the caller proved who it is; `password` only on the sign-in that issues a session. */
  via: 'local' | 'token' | 'password' | 'session' | 'anonymous';
}

export type AccessDecision =
  | { allow: true; principal: Principal }
  | { allow: false; status: number; code: string; message: string; principal: Principal; signIn?: boolean; allowedMethods?: string[] };

export function authMode(env: Record<string, string | undefined>): AuthMode {
  const value = (env.LOOKAHEAD_AUTH ?? '').trim().toLowerCase();
  if (value === '' || value === 'off' || value === 'none') return 'off';
  if (value === 'tokens' || value === 'token') return 'tokens';
  if (value === 'password' || value === 'passwords') return 'password';
  throw new Error(
    `access: LOOKAHEAD_AUTH is "${env.LOOKAHEAD_AUTH}"; use "tokens" (API tokens; the page signs in with a token), "password" (API tokens; the page signs in with LOOKAHEAD_USERS) or leave it unset for local use`,
  );
}

const ANONYMOUS: Principal = { role: 'public', name: 'anonymous', via: 'anonymous' };
const LOCAL_OWNER: Principal = { role: 'admin', name: 'local', via: 'local' };

function identify(headers: Headers, env: Record<string, string | undefined>): { principal: Principal; cookieAuth: boolean; badCredential?: string } {
  if (authMode(env) === 'off') return { principal: LOCAL_OWNER, cookieAuth: false };
  const authorization = headers.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S{1,512})$/i.exec(authorization.trim());
    const entry = match ? matchApiToken(match[1]!, parseApiTokens(env.LOOKAHEAD_API_TOKENS)) : null;
    if (!entry) return { principal: ANONYMOUS, cookieAuth: false, badCredential: 'the bearer token is not one of LOOKAHEAD_API_TOKENS' };
    return { principal: { role: entry.role, name: entry.name, via: 'token' }, cookieAuth: false };
  }
  const session = verifySession(readCookie(headers.get('cookie'), SESSION_COOKIE), env);
  if (session) return { principal: { role: session.role, name: session.name, via: 'session' }, cookieAuth: true };
  return { principal: ANONYMOUS, cookieAuth: false };
}

export function authorize({ method, pathname, headers, env }: { method: string; pathname: string; headers: Headers; env: Record<string, string | undefined> }): AccessDecision {
  const requirement = requiredRole(method, pathname);
  if (requirement.kind === 'no_route') {
    return { allow: false, status: 404, code: 'not_found', message: `access: no route ${pathname.slice(0, 200)}`, principal: ANONYMOUS };
  }
  if (requirement.kind === 'no_method') {
    return { allow: false, status: 405, code: 'method_not_allowed', message: `access: ${method} is not allowed on ${pathname.slice(0, 200)}; allowed: ${requirement.allowed.join(', ')}`, principal: ANONYMOUS, allowedMethods: requirement.allowed };
  }
  if (isStateChanging(method)) {
    const crossSite = crossSiteReason(headers, env);
    if (crossSite) return { allow: false, status: 403, code: 'cross_origin', message: `access: ${crossSite}; state-changing requests are accepted only from this site`, principal: ANONYMOUS };
  }
  const { principal, cookieAuth, badCredential } = identify(headers, env);
  if (badCredential) return { allow: false, status: 401, code: 'unauthenticated', message: `access: ${badCredential}`, principal };
  if (!roleAllows(principal.role, requirement.role)) {
    if (principal.via === 'anonymous') {
      return { allow: false, status: 401, code: 'unauthenticated', message: `access: ${method} ${pathname.slice(0, 200)} needs the ${requirement.role} role; send Authorization: Bearer <token> or sign in at /signin`, principal, signIn: true };
    }
    return { allow: false, status: 403, code: 'forbidden', message: `access: ${method} ${pathname.slice(0, 200)} needs the ${requirement.role} role; ${principal.name} is ${principal.role}`, principal };
  }
  if (cookieAuth && isStateChanging(method) && requirement.role !== 'public') {
    const session = verifySession(readCookie(headers.get('cookie'), SESSION_COOKIE), env)!;
    if (!csrfMatches(session, headers.get(CSRF_HEADER))) {
      return { allow: false, status: 403, code: 'csrf', message: `access: the ${CSRF_HEADER} header is missing or does not match the session; reload the page`, principal };
    }
  }
  return { allow: true, principal };
}

/** Why a state-changing request looks cross-site, or null when it comes from our origin (or from no browser). */
function crossSiteReason(headers: Headers, env: Record<string, string | undefined>): string | null {
  const fetchSite = headers.get('sec-fetch-site');
  if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') return `Sec-Fetch-Site is ${fetchSite}`;
  const origin = headers.get('origin');
  if (origin === null) return null;
  const own = requestOrigin(headers, env);
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return `Origin "${origin.slice(0, 100)}" is not an origin`;
  }
  return host === new URL(own).host ? null : `Origin ${origin.slice(0, 100)} is not ${own}`;
}
