import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApiToken, tokenEntry } from '@/lib/server/access/tokens';
import { startAppServer, type AppServer } from '../support/app-server';

/**
 * The access matrix against the real production server with LOOKAHEAD_AUTH=tokens: every route
 * handler found under app/ (enumerated from the files, so a new route without a row here fails),
 * every method it exports, each role, anonymous, and a cross-origin caller. The expected roles
 * are written out here by hand (not read from lib/server/access) and must equal the README's
 * "Access and limits" table.
 */
type Caller = 'anonymous' | 'viewer' | 'editor' | 'admin';
const ORDER: Caller[] = ['anonymous', 'viewer', 'editor', 'admin'];

/** Route file path (under app/, without /route.ts) + method -> the least role that may call it. */
const EXPECTED: Record<string, Caller> = {
  'GET /api/health': 'anonymous',
  'GET /api/session': 'anonymous',
  'POST /api/session': 'anonymous',
  'DELETE /api/session': 'anonymous',
  'GET /api/sources': 'viewer',
  'GET /api/sources/[id]/tables': 'viewer',
  'GET /api/sources/[id]/columns': 'viewer',
  'GET /api/sources/[id]/series': 'viewer',
  'GET /api/sources/[id]/window': 'viewer',
  'GET /api/sources/[id]/quality': 'viewer',
  'GET /api/files/[...path]': 'viewer',
  'HEAD /api/files/[...path]': 'viewer',
  'POST /api/forecast': 'viewer',
  'GET /api/models': 'viewer',
  'GET /api/models/[...path]': 'viewer',
  'POST /api/uploads': 'editor',
  'DELETE /api/uploads/[id]': 'editor',
  'POST /api/forecasts': 'editor',
  'GET /api/forecasts/[token]': 'anonymous',
  'DELETE /api/forecasts/[token]': 'anonymous',
  // Routes other issues add (jobs, telemetry, model installs): checked when their files exist.
  'GET /api/jobs': 'viewer',
  'POST /api/jobs': 'editor',
  'GET /api/jobs/[id]': 'viewer',
  'DELETE /api/jobs/[id]': 'editor',
  'POST /api/jobs/[id]/cancel': 'editor',
  'GET /api/jobs/[id]/events': 'viewer',
  'GET /api/jobs/[id]/results': 'viewer',
  'GET /api/telemetry': 'admin',
  'POST /api/telemetry': 'viewer',
  'POST /api/telemetry/training': 'viewer',
  'POST /api/models/install': 'admin',
  'GET /api/models/install': 'viewer',
  'GET /api/models/install/[id]': 'viewer',
  'POST /api/models/trained': 'editor',
  'GET /api/models/trained/[id]': 'viewer',
  'DELETE /api/models/trained/[id]': 'admin',
  'GET /api/models/trained/[id]/[revision]': 'viewer',
  'DELETE /api/models/trained/[id]/[revision]': 'admin',
  'POST /api/models/trained/[id]/[revision]/current': 'admin',
  'GET /api/models/trained/[id]/[revision]/weights': 'viewer',
  'GET /api/sources/[id]/anomalies': 'viewer',
  'GET /api/share-pages/[token]': 'anonymous',
  'GET /api/share-pages/[token]/image': 'anonymous',
  'GET /api/monitor': 'admin',
  'GET /metrics': 'admin',
  // Pages.
  'GET /': 'viewer',
  'GET /f/[token]': 'anonymous',
  'GET /signin': 'anonymous',
  'GET /monitor': 'admin',
};

function routeFiles(directory = 'app', found: { route: string; methods: string[] }[] = []): { route: string; methods: string[] }[] {
  for (const entry of readdirSync(directory)) {
    const full = path.join(directory, entry);
    if (statSync(full).isDirectory()) routeFiles(full, found);
    else if (entry === 'route.ts' || entry === 'page.tsx') {
      const route = '/' + path.relative('app', path.dirname(full)).split(path.sep).filter((part) => part && !part.startsWith('(')).join('/');
      const text = readFileSync(full, 'utf8');
      const methods =
        entry === 'page.tsx' ? ['GET'] : [...text.matchAll(/export (?:async function|const) (GET|HEAD|POST|PUT|PATCH|DELETE)\b/g)].map((match) => match[1]!);
      found.push({ route: route === '/' ? '/' : route.replace(/\/$/, ''), methods });
    }
  }
  return found;
}

function concretePath(route: string): string {
  return route
    .replace('[...path]', 'air-passengers/part.parquet')
    .replace('[id]', route.startsWith('/api/uploads') ? 'upload-0123456789abcdef' : 'air-passengers')
    .replace('[revision]', '0123456789ab')
    .replace('[token]', 'AAAAAAAAAAAAAAAAAAAAAAAA');
}

let server: AppServer;
const tokens: Record<Exclude<Caller, 'anonymous'>, string> = { viewer: newApiToken(), editor: newApiToken(), admin: newApiToken() };

beforeAll(async () => {
  server = await startAppServer({
    LOOKAHEAD_AUTH: 'tokens',
    LOOKAHEAD_SESSION_SECRET: 'e2e-session-secret',
    LOOKAHEAD_API_TOKENS: (Object.keys(tokens) as (keyof typeof tokens)[]).map((role) => tokenEntry(role, `${role}-e2e`, tokens[role])).join(','),
    LOOKAHEAD_RATE_LIMIT: '0',
  });
}, 180_000);
afterAll(async () => {
  await server?.stop();
});

async function call(method: string, pathname: string, caller: Caller, extra: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { ...extra };
  if (caller !== 'anonymous') headers.authorization = `Bearer ${tokens[caller]}`;
  const hasBody = !['GET', 'HEAD'].includes(method);
  if (hasBody) headers['content-type'] ??= 'application/json';
  return fetch(server.url + pathname, { method, headers, body: hasBody ? '{}' : undefined, redirect: 'manual' });
}

describe('access matrix (LOOKAHEAD_AUTH=tokens)', () => {
  const routes = routeFiles();

  it('has an expected role for every route and method under app/', () => {
    const missing = routes.flatMap(({ route, methods }) => methods.map((method) => `${method} ${route}`)).filter((key) => !(key in EXPECTED));
    expect(missing).toEqual([]);
    expect(routes.length).toBeGreaterThan(10);
  });

  it('the README "Access and limits" table lists the same roles', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Access and limits'));
    for (const [key, role] of Object.entries(EXPECTED)) {
      const [method, route] = key.split(' ');
      const row = section.split('\n').find((line) => line.startsWith(`| \`${route}\` |`));
      expect(row, `README row for ${route}`).toBeDefined();
      expect(row, `README: ${key}`).toMatch(new RegExp(`\\b${method}(?:, [A-Z]+)*: ${role === 'anonymous' ? 'public' : role}\\b`));
    }
  });

  for (const caller of ORDER) {
    it(`${caller}: allowed routes pass the check, the rest are 401/403`, async () => {
      for (const { route, methods } of routes) {
        for (const method of methods) {
          const required = EXPECTED[`${method} ${route}`]!;
          const response = await call(method, concretePath(route), caller, method === 'GET' && !route.startsWith('/api') ? { accept: 'text/html' } : {});
          const label = `${caller} ${method} ${route} -> ${response.status}`;
          if (ORDER.indexOf(caller) >= ORDER.indexOf(required)) {
            expect([401, 403], label).not.toContain(response.status);
            expect(response.status, label).toBeLessThan(500);
          } else if (caller === 'anonymous' && method === 'GET' && !route.startsWith('/api')) {
            expect(response.status, label).toBe(303);
            expect(response.headers.get('location'), label).toContain('/signin?next=');
          } else {
            expect(response.status, label).toBe(caller === 'anonymous' ? 401 : 403);
            if (method !== 'HEAD') expect((await response.json()).error.message, label).toContain(`needs the ${required === 'anonymous' ? 'public' : required} role`);
          }
        }
      }
    });
  }

  it('cross-origin: every state-changing route refuses another site, even an admin', async () => {
    for (const { route, methods } of routes) {
      for (const method of methods.filter((name) => !['GET', 'HEAD'].includes(name))) {
        for (const extra of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) {
          const response = await call(method, concretePath(route), 'admin', extra);
          expect(response.status, `${method} ${route} ${JSON.stringify(extra)}`).toBe(403);
          expect((await response.json()).error.code).toBe('cross_origin');
        }
      }
    }
  });

  it('default deny: paths in no row are 404, methods in no row 405', async () => {
    for (const pathname of ['/api/admin', '/api/sources/x/y/z', '/.env', '/api/../etc/passwd']) {
      expect((await call('GET', pathname, 'admin')).status, pathname).toBe(404);
    }
    const wrongMethod = await call('PUT', '/api/sources', 'admin');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
  });

  it('a forged or wrong token is 401, and the principal header cannot be forged', async () => {
    const wrong = await fetch(`${server.url}/api/sources`, { headers: { authorization: `Bearer ${newApiToken()}` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="lookahead"');
    const forged = await fetch(`${server.url}/api/session`, { headers: { 'x-lookahead-principal': 'token:admin:mallory' } });
    expect(await forged.json()).toMatchObject({ role: 'public', via: 'anonymous' });
  });

  it('page sign-in: HttpOnly SameSite=Strict session; writes need the CSRF token', async () => {
    const signIn = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: new URLSearchParams({ token: tokens.editor, next: '/' }).toString(),
      redirect: 'manual',
    });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/');
    const cookies = signIn.headers.getSetCookie();
    const session = cookies.find((cookie) => cookie.startsWith('lookahead_session='))!;
    expect(session).toMatch(/; HttpOnly;/);
    expect(session).toMatch(/SameSite=Strict/);
    const csrf = cookies.find((cookie) => cookie.startsWith('lookahead_csrf='))!.split(';')[0]!.split('=')[1]!;
    const cookie = cookies.map((value) => value.split(';')[0]).join('; ');
    const whoami = await (await fetch(`${server.url}/api/session`, { headers: { cookie } })).json();
    expect(whoami).toMatchObject({ role: 'editor', name: 'editor-e2e', via: 'session' });
    const csv = 'date,value\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n';
    const withoutToken = await fetch(`${server.url}/api/uploads?fileName=a.csv`, { method: 'POST', headers: { cookie, origin: server.url }, body: csv });
    expect(withoutToken.status).toBe(403);
    expect((await withoutToken.json()).error.code).toBe('csrf');
    const withToken = await fetch(`${server.url}/api/uploads?fileName=a.csv`, { method: 'POST', headers: { cookie, origin: server.url, 'x-csrf-token': csrf }, body: csv });
    expect(withToken.status).toBe(201);
    const { source } = await withToken.json();
    const removed = await fetch(`${server.url}/api/uploads/${source.id}`, { method: 'DELETE', headers: { cookie, origin: server.url, 'x-csrf-token': csrf } });
    expect(removed.status).toBe(204);
    const again = await fetch(`${server.url}/api/uploads/${source.id}`, { method: 'DELETE', headers: { cookie, origin: server.url, 'x-csrf-token': csrf } });
    expect(again.status).toBe(404);
    const badSignIn = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'lka_nope' }) });
    expect(badSignIn.status).toBe(401);
  });
});

describe('headers', () => {
  it('pages carry a nonce CSP and the security headers; no X-Powered-By', async () => {
    const response = await fetch(`${server.url}/f/AAAAAAAAAAAAAAAAAAAAAAAA`);
    const csp = response.headers.get('content-security-policy')!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('strict-transport-security')).toBeNull();
    const html = await response.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag, tag).toContain(`nonce="${nonce}"`);
    const second = await fetch(`${server.url}/f/AAAAAAAAAAAAAAAAAAAAAAAA`);
    expect(second.headers.get('content-security-policy')).not.toBe(csp);
  });
});
