import { NextResponse, type NextRequest } from 'next/server';
import { PRINCIPAL_HEADER, authorize, encodePrincipal, newNonce, securityHeaders, type AccessDecision } from '@/lib/server/access';

/**
 * Every request passes here first: the one place access is checked (lib/server/access: the
 * route table, tokens, sessions, CSRF and Origin checks), and where each response gets its CSP
 * nonce and security headers. Handlers read the caller from the x-lookahead-principal header,
 * which only this proxy sets.
 */
export function proxy(request: NextRequest): NextResponse {
  const env = process.env;
  const nonce = newNonce();
  const headers = securityHeaders(nonce, request.headers, env);
  let decision: AccessDecision;
  try {
    decision = authorize({ method: request.method, pathname: request.nextUrl.pathname, headers: request.headers, env });
  } catch (error) {
    console.error(error);
    return withHeaders(
      NextResponse.json({ error: { code: 'access_misconfigured', message: 'The server’s access settings are invalid; the operator has been told in the server log.' } }, { status: 500 }),
      headers,
    );
  }
  if (!decision.allow) {
    const wantsPage = request.method === 'GET' && !request.nextUrl.pathname.startsWith('/api/') && (request.headers.get('accept') ?? '').includes('text/html');
    if (decision.signIn && wantsPage) {
      const signIn = new URL('/signin', request.url);
      signIn.searchParams.set('next', request.nextUrl.pathname + request.nextUrl.search);
      return withHeaders(NextResponse.redirect(signIn, 303), headers);
    }
    const response = NextResponse.json({ error: { code: decision.code, message: decision.message } }, { status: decision.status });
    if (decision.status === 401) response.headers.set('www-authenticate', 'Bearer realm="lookahead"');
    response.headers.set('cache-control', 'no-store');
    if (decision.allowedMethods) response.headers.set('allow', decision.allowedMethods.join(', '));
    return withHeaders(response, headers);
  }
  const forwarded = new Headers(request.headers);
  forwarded.set(PRINCIPAL_HEADER, encodePrincipal(decision.principal));
  forwarded.set('x-nonce', nonce);
  forwarded.set('content-security-policy', headers['content-security-policy']!);
  // Share pages come from the share cache (lib/server/share-cache) as the same bytes every time:
  // it sets the CSP itself, with the nonce the cached document was rendered with.
  const { 'content-security-policy': _ownCsp, ...rest } = headers;
  return withHeaders(NextResponse.next({ request: { headers: forwarded } }), SHARE_PAGE.test(request.nextUrl.pathname) && !request.headers.has('rsc') ? rest : headers);
}

const SHARE_PAGE = /^\/f\/[^/]+(?:\/opengraph-image)?$/;

function withHeaders(response: NextResponse, headers: Record<string, string>): NextResponse {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}
