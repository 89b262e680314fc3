import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db';
import { authorize, hashPassword, parsePasswordEntries, passwordEntry, verifyPassword } from '@/lib/server/access';

/**
 * Page sign-in by password (LOOKAHEAD_AUTH=password): LOOKAHEAD_USERS holds scrypt hashes; the
 * sign-in route (called directly, real PGlite for the audit row) issues the same HttpOnly,
 * SameSite=Strict session and CSRF cookies as a token sign-in, and the access policy then lets
 * the session read and, with the CSRF header only, write.
 */
const PASSWORD = 'correct horse battery staple';
const ORIGIN = 'http://lookahead.test';

describe('password sign-in', () => {
  let handle: DatabaseHandle;
  let route: typeof import('@/app/api/session/route');
  const env = () => process.env as Record<string, string | undefined>;

  beforeAll(async () => {
    const entry = passwordEntry('editor', 'alice', await hashPassword(PASSWORD));
    Object.assign(process.env, { DATABASE_URL: '', LOOKAHEAD_AUTH: 'password', LOOKAHEAD_USERS: entry, LOOKAHEAD_API_TOKENS: '', LOOKAHEAD_SESSION_SECRET: 'password-test-secret' });
    const { getDatabase, migrateDatabase, openDatabase } = await import('@/db');
    (globalThis as { lookaheadDatabase?: Promise<DatabaseHandle> }).lookaheadDatabase = openDatabase({ dataDir: 'memory://' });
    handle = await getDatabase();
    await migrateDatabase(handle);
    route = await import('@/app/api/session/route');
  }, 120_000);

  afterAll(async () => {
    await handle?.close();
    for (const name of ['LOOKAHEAD_AUTH', 'LOOKAHEAD_USERS', 'LOOKAHEAD_SESSION_SECRET']) delete process.env[name];
  });

  const signIn = (body: unknown, form = false) =>
    route.POST(
      new Request(`${ORIGIN}/api/session`, {
        method: 'POST',
        headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json', origin: ORIGIN },
        body: form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
      }),
    );

  it('hashes with scrypt (salted: one password, two hashes) and verifies only the right password', async () => {
    const [first, second] = [await hashPassword(PASSWORD), await hashPassword(PASSWORD)];
    expect(first).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(first).not.toBe(second);
    const entries = parsePasswordEntries(passwordEntry('viewer', 'bob', first));
    expect((await verifyPassword('bob', PASSWORD, entries))?.role).toBe('viewer');
    expect(await verifyPassword('bob', `${PASSWORD}!`, entries)).toBeNull();
    expect(await verifyPassword('carol', PASSWORD, entries)).toBeNull();
    expect(() => parsePasswordEntries('editor:alice:plaintext')).toThrow(
      'access: LOOKAHEAD_USERS entry 1 ("editor:alice...") is not <role>:<name>:scrypt$N$r$p$salt$hash; roles are viewer, editor, admin; make one with npm run password -- <role> <name>',
    );
    expect(() => parsePasswordEntries(first.replace('scrypt$32768', 'editor:x:scrypt$30000'))).toThrow(/LOOKAHEAD_USERS entry 1/);
  });

  it('the right password gets an HttpOnly SameSite=Strict session; the policy lets it read, and write only with the CSRF header', async () => {
    const response = await signIn({ name: 'alice', password: PASSWORD });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ role: 'editor', name: 'alice' });
    const cookies = response.headers.getSetCookie();
    const session = cookies.find((value) => value.startsWith('lookahead_session='))!;
    expect(session).toMatch(/; HttpOnly;/);
    expect(session).toMatch(/SameSite=Strict/);
    const csrf = cookies.find((value) => value.startsWith('lookahead_csrf='))!.split(';')[0]!.split('=')[1]!;
    expect(csrf).toBe(body.csrf);
    const cookie = cookies.map((value) => value.split(';')[0]).join('; ');

    const read = authorize({ method: 'GET', pathname: '/api/sources', headers: new Headers({ cookie }), env: env() });
    expect(read).toMatchObject({ allow: true, principal: { role: 'editor', name: 'alice', via: 'session' } });
    const noCsrf = authorize({ method: 'POST', pathname: '/api/uploads', headers: new Headers({ cookie, origin: ORIGIN, host: 'lookahead.test' }), env: env() });
    expect(noCsrf).toMatchObject({ allow: false, status: 403, code: 'csrf' });
    const withCsrf = authorize({ method: 'POST', pathname: '/api/uploads', headers: new Headers({ cookie, origin: ORIGIN, host: 'lookahead.test', 'x-csrf-token': csrf }), env: env() });
    expect(withCsrf).toMatchObject({ allow: true });
    const admin = authorize({ method: 'POST', pathname: '/api/models', headers: new Headers({ cookie, origin: ORIGIN, host: 'lookahead.test', 'x-csrf-token': csrf }), env: env() });
    expect(admin).toMatchObject({ allow: false, status: 403, code: 'forbidden' });
    const crossSite = authorize({ method: 'POST', pathname: '/api/uploads', headers: new Headers({ cookie, origin: 'https://evil.example', host: 'lookahead.test', 'x-csrf-token': csrf }), env: env() });
    expect(crossSite).toMatchObject({ allow: false, status: 403, code: 'cross_origin' });

    const audit = await handle.query<{ actor: string; role: string; via: string; action: string }>(`SELECT actor, role, via, action FROM audit_log WHERE action = 'session.sign_in'`);
    expect(audit).toEqual([{ actor: 'alice', role: 'editor', via: 'password', action: 'session.sign_in' }]);
  });

  it('a wrong password or an unknown name is 401 and sets no cookie; the form goes back to /signin', async () => {
    for (const attempt of [{ name: 'alice', password: 'wrong password!' }, { name: 'mallory', password: PASSWORD }]) {
      const response = await signIn(attempt);
      expect(response.status).toBe(401);
      expect((await response.json()).error.message).toBe('access: that name and password do not match LOOKAHEAD_USERS');
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    const failedForm = await signIn({ name: 'alice', password: 'nope', next: '/monitor' }, true);
    expect(failedForm.status).toBe(303);
    expect(failedForm.headers.get('location')).toBe('/signin?failed=1&next=%2Fmonitor');
    const form = await signIn({ name: 'alice', password: PASSWORD, next: '/monitor' }, true);
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe('/monitor');
    expect(form.headers.getSetCookie().some((value) => value.startsWith('lookahead_session=') && value.includes('HttpOnly'))).toBe(true);
    const missing = await signIn({ name: 'alice' });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.message).toMatch(/a password sign-in needs a name \(up to 64 characters\) and a password/);
  });

  it('npm run password prints an entry that signs in with the password it read', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/password.ts', 'admin', 'root'], { input: `${PASSWORD}\n`, encoding: 'utf8', timeout: 60_000 });
    expect(result.status, result.stderr).toBe(0);
    const entry = /LOOKAHEAD_USERS entry \(comma-separate several\): (\S+)/.exec(result.stdout)?.[1];
    expect(entry).toMatch(/^admin:root:scrypt\$/);
    return verifyPassword('root', PASSWORD, parsePasswordEntries(entry)).then((found) => expect(found?.role).toBe('admin'));
  });
});
