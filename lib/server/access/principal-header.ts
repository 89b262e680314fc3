import type { Principal } from './policy';

/**
 * proxy.ts hands the caller it identified to route handlers in this request header (after
 * deleting whatever the client sent under that name), for audit records and rate limits.
 */
export const PRINCIPAL_HEADER = 'x-lookahead-principal';

export function encodePrincipal(principal: Principal): string {
  return `${principal.via}:${principal.role}:${encodeURIComponent(principal.name)}`;
}

export function principalFromHeaders(headers: Headers): Principal {
  const [via, role, name] = (headers.get(PRINCIPAL_HEADER) ?? '').split(':');
  if (!via || !role || name === undefined) return { via: 'anonymous', role: 'public', name: 'anonymous' };
  return { via: via as Principal['via'], role: role as Principal['role'], name: decodeURIComponent(name) };
}
