import { describe, expect, it } from 'vitest';
import { authorize, issueSession, matchApiToken, newApiToken, parseApiTokens, requiredRole, tokenEntry } from '@/lib/server/access';
import { requestOrigin } from '@/lib/server/access/request-origin';
import { securityHeaders } from '@/lib/server/access/security-headers';

const viewerToken = newApiToken();
const editorToken = newApiToken();
const adminToken = newApiToken();
const env = {
  LOOKAHEAD_AUTH: 'tokens',
  LOOKAHEAD_SESSION_SECRET: 'unit-test-secret',
  LOOKAHEAD_API_TOKENS: [tokenEntry('viewer', 'vera', viewerToken), tokenEntry('editor', 'ed', editorToken), tokenEntry('admin', 'ada', adminToken)].join(','),
};
const request = (method: string, pathname: string, headers: Record<string, string> = {}, withEnv: Record<string, string | undefined> = env) =>
  authorize({ method, pathname, headers: new Headers({ host: 'app.test', ...headers }), env: withEnv });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('access: route table', () => {
  it('default-denies paths and methods in no row', () => {
    expect(requiredRole('GET', '/api/secret-admin')).toEqual({ kind: 'no_route' });
    expect(requiredRole('GET', '/etc/passwd')).toEqual({ kind: 'no_route' });
    expect(requiredRole('DELETE', '/api/sources')).toEqual({ kind: 'no_method', allowed: ['GET', 'HEAD'] });
  });

  it('covers the routes other issues add (jobs, telemetry, model installs)', () => {
    expect(requiredRole('POST', '/api/jobs')).toMatchObject({ role: 'editor' });
    expect(requiredRole('GET', '/api/jobs/123/events')).toMatchObject({ role: 'viewer' });
    expect(requiredRole('DELETE', '/api/jobs/123')).toMatchObject({ role: 'editor' });
    expect(requiredRole('POST', '/api/models/install')).toMatchObject({ role: 'admin' });
    expect(requiredRole('GET', '/api/telemetry')).toMatchObject({ role: 'admin' });
    expect(requiredRole('GET', '/monitor')).toMatchObject({ role: 'admin' });
  });
});

describe('access: tokens', () => {
  it('stores only hashes and matches the right entry', () => {
    expect(env.LOOKAHEAD_API_TOKENS).not.toContain(viewerToken);
    const entries = parseApiTokens(env.LOOKAHEAD_API_TOKENS);
    expect(matchApiToken(editorToken, entries)?.name).toBe('ed');
    expect(matchApiToken(editorToken + 'x', entries)).toBeNull();
  });

  it('names a malformed entry and the fix', () => {
    expect(() => parseApiTokens('owner:me:abc')).toThrow('access: LOOKAHEAD_API_TOKENS entry 1 ("owner:me:abc...") is not <role>:<name>:<sha256 hex>');
  });
});

describe('access: decisions', () => {
  it('with LOOKAHEAD_AUTH unset the local caller owns everything', () => {
    expect(request('POST', '/api/uploads', {}, {})).toMatchObject({ allow: true, principal: { role: 'admin', via: 'local' } });
  });

  it('anonymous callers get public routes only; 401 names how to sign in', () => {
    expect(request('GET', '/f/abc')).toMatchObject({ allow: true });
    expect(request('GET', '/api/sources')).toMatchObject({ allow: false, status: 401, signIn: true, message: expect.stringContaining('needs the viewer role') });
  });

  it('each role gets its own and no more', () => {
    expect(request('GET', '/api/sources', bearer(viewerToken))).toMatchObject({ allow: true, principal: { name: 'vera' } });
    expect(request('POST', '/api/uploads', bearer(viewerToken))).toMatchObject({ allow: false, status: 403 });
    expect(request('POST', '/api/uploads', bearer(editorToken))).toMatchObject({ allow: true });
    expect(request('POST', '/api/models/install', bearer(editorToken))).toMatchObject({ allow: false, status: 403 });
    expect(request('POST', '/api/models/install', bearer(adminToken))).toMatchObject({ allow: true });
    expect(request('GET', '/api/sources', bearer('lka_wrong'))).toMatchObject({ allow: false, status: 401 });
  });

  it('refuses cross-site state-changing requests, even from the local owner', () => {
    expect(request('POST', '/api/forecasts', { origin: 'https://evil.example' }, {})).toMatchObject({ allow: false, status: 403, code: 'cross_origin' });
    expect(request('POST', '/api/forecasts', { 'sec-fetch-site': 'cross-site' }, {})).toMatchObject({ allow: false, status: 403 });
    expect(request('POST', '/api/forecasts', { origin: 'http://app.test' }, {})).toMatchObject({ allow: true });
    expect(request('GET', '/api/sources', { origin: 'https://evil.example' }, {})).toMatchObject({ allow: true });
  });

  it('a session cookie needs its CSRF token on writes', () => {
    const { cookie, session } = issueSession('editor', 'ed', env);
    const headers = { cookie: `lookahead_session=${cookie}`, origin: 'http://app.test' };
    expect(request('GET', '/api/sources', headers)).toMatchObject({ allow: true, principal: { via: 'session', role: 'editor' } });
    expect(request('POST', '/api/uploads', headers)).toMatchObject({ allow: false, status: 403, code: 'csrf' });
    expect(request('POST', '/api/uploads', { ...headers, 'x-csrf-token': session.csrf })).toMatchObject({ allow: true });
    const tampered = cookie.replace(/^./, (first) => (first === 'a' ? 'b' : 'a'));
    expect(request('GET', '/api/sources', { cookie: `lookahead_session=${tampered}` })).toMatchObject({ allow: false, status: 401 });
    const expired = issueSession('admin', 'ada', env, Date.now() - 13 * 3_600_000).cookie;
    expect(request('GET', '/api/sources', { cookie: `lookahead_session=${expired}` })).toMatchObject({ allow: false, status: 401 });
  });

  it('believes X-Forwarded-Host only with LOOKAHEAD_TRUST_PROXY', () => {
    const headers = new Headers({ host: 'app.test', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    expect(requestOrigin(headers, {})).toBe('http://app.test');
    expect(requestOrigin(headers, { LOOKAHEAD_TRUST_PROXY: '1' })).toBe('https://evil.example');
  });
});

describe('access: security headers', () => {
  it('HSTS only behind TLS (a trusted proxy saying https, or an https public URL)', () => {
    const plain = new Headers({ host: 'app.test', 'x-forwarded-proto': 'https' });
    expect(securityHeaders('n', plain, {})['strict-transport-security']).toBeUndefined();
    expect(securityHeaders('n', plain, { LOOKAHEAD_TRUST_PROXY: '1' })['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(securityHeaders('n', new Headers(), { LOOKAHEAD_PUBLIC_URL: 'https://forecasts.example' })['strict-transport-security']).toBeDefined();
  });

  it('the CSP allows scripts only with the nonce, never inline, and no framing', () => {
    const csp = securityHeaders('abc123', new Headers(), {})['content-security-policy']!;
    expect(csp).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic' 'wasm-unsafe-eval'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
