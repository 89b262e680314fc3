import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, openSqlConnection, PoolBusyError, type DatabaseHandle } from '@/db';
import { LookaheadError } from '@/lib/core/errors';
import { encodePrincipal, PRINCIPAL_HEADER } from '@/lib/server/access';
import { recordAudit } from '@/lib/server/audit';
import { errorResponse } from '@/lib/server/http';
import { enforceRateLimit, withHeavySlot } from '@/lib/server/limits';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';

/**
 * Resource limits and the audit log on real databases: migration 0005 applies on PGlite and
 * Postgres, rate limits count in the database (two handles = two server processes), the heavy
 * request cap, and the pool wait timeout answering 503 and then recovering.
 */
const caller = (name: string) => new Headers({ [PRINCIPAL_HEADER]: encodePrincipal({ via: 'token', role: 'editor', name }) });

for (const backend of backends) {
  describe.skipIf(!backend.available)(`limits and audit on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase(backend.name);
    }, 120_000);
    afterAll(async () => {
      await database?.drop();
    });

    it('migration 0005 made audit_log and rate_limit_buckets', async () => {
      const rows = await database.handle.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_name IN ('audit_log', 'rate_limit_buckets') ORDER BY 1`,
      );
      expect(rows.map((row) => row.name)).toEqual(['audit_log', 'rate_limit_buckets']);
    });

    it('records who did what, when', async () => {
      const before = new Date(Date.now() - 1000);
      await recordAudit(database.handle, { actor: caller('alice'), action: 'upload.create', target: 'upload-0123456789abcdef', details: { bytes: 10 } });
      const rows = await database.handle.query<Record<string, unknown>>(`SELECT actor, role, via, action, target, details, at FROM audit_log WHERE actor = 'alice'`);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor: 'alice', role: 'editor', via: 'token', action: 'upload.create', target: 'upload-0123456789abcdef', details: { bytes: 10 } });
      expect(new Date(rows[0]!.at as string).getTime()).toBeGreaterThan(before.getTime());
      const [kind] = await database.handle.query<{ kind: string }>(`SELECT jsonb_typeof(details) AS kind FROM audit_log WHERE actor = 'alice'`);
      expect(kind!.kind).toBe('object');
    });

    it('a caller over LOOKAHEAD_RATE_LIMIT gets a 429 with Retry-After; others are not affected', async () => {
      const env = { LOOKAHEAD_RATE_LIMIT: '3' };
      const now = new Date('2031-05-05T10:00:10Z');
      for (let i = 0; i < 3; i++) await enforceRateLimit(caller('bob'), { env, now, handle: database.handle });
      const error = await enforceRateLimit(caller('bob'), { env, now, handle: database.handle }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LookaheadError);
      expect((error as LookaheadError).message).toBe('limits: bob sent over 3 requests this minute; retry in 50 s');
      const response = errorResponse(error);
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('50');
      await enforceRateLimit(caller('carol'), { env, now, handle: database.handle });
      // The next minute starts a new window.
      await enforceRateLimit(caller('bob'), { env, now: new Date('2031-05-05T10:01:00Z'), handle: database.handle });
    });

    it.skipIf(backend.name !== 'postgres')('the limit holds across processes (two connection pools)', async () => {
      const second: DatabaseHandle = await openDatabase({ url: database.url! });
      try {
        const env = { LOOKAHEAD_RATE_LIMIT: '4' };
        const now = new Date('2031-06-06T10:00:00Z');
        await Promise.all([0, 1].map(() => enforceRateLimit(caller('dave'), { env, now, handle: database.handle })));
        await Promise.all([0, 1].map(() => enforceRateLimit(caller('dave'), { env, now, handle: second })));
        await expect(enforceRateLimit(caller('dave'), { env, now, handle: second })).rejects.toThrow('limits: dave sent over 4 requests this minute');
      } finally {
        await second.close();
      }
    });
  });
}

describe('heavy requests', () => {
  it('past LOOKAHEAD_MAX_HEAVY a request is refused at once with 429 and Retry-After, then slots free up', async () => {
    const env = { LOOKAHEAD_MAX_HEAVY: '1' };
    let release!: () => void;
    const running = withHeavySlot('the forecast', () => new Promise<void>((resolve) => (release = resolve)), env);
    const refused = await withHeavySlot('the forecast', async () => 'ran', env).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LookaheadError);
    const response = errorResponse(refused);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    release();
    await running;
    expect(await withHeavySlot('the forecast', async () => 'ran', env)).toBe('ran');
  });
});

describe.skipIf(!process.env.DATABASE_URL)('pool wait timeout (real Postgres)', () => {
  it('slow readers holding every connection: the next reader gets 503 quickly, and later succeeds', async () => {
    const database = await createTestDatabase('postgres');
    const pool = openSqlConnection(database.url!, { maxConnections: 2 });
    try {
      const options = { statementTimeoutMs: 30_000, idleTimeoutMs: 30_000, poolWaitMs: 500 };
      const slow = await Promise.all([pool.openReadSession(options), pool.openReadSession(options)]);
      const started = Date.now();
      const error = await pool.openReadSession(options).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PoolBusyError);
      // The sessions holding the connections do nothing: it gives up after the stall limit, not the (default 30 s) total limit.
      expect((error as PoolBusyError).reason).toBe('stalled');
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
      expect(Date.now() - started).toBeLessThan(10_000);
      const response = errorResponse(error);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('2');
      expect((await response.json()).error.code).toBe('unavailable');
      await Promise.all(slow.map((session) => session.close()));
      const recovered = await pool.openReadSession(options);
      expect(await recovered.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await recovered.close();
    } finally {
      await pool.close();
      await database.drop();
    }
  }, 60_000);

  it('a busy pool whose sessions keep working: readers queue past the stall limit, served in order, until the total limit', async () => {
    const database = await createTestDatabase('postgres');
    const pool = openSqlConnection(database.url!, { maxConnections: 2 });
    try {
      // Each reader holds its connection 400 ms; 10 readers on 2 connections take about 2 s, far
      // over the 600 ms stall limit: a wait that only counted time would turn most away.
      const read = async (index: number, poolMaxWaitMs: number) => {
        const asked = Date.now();
        const session = await pool.openReadSession({ statementTimeoutMs: 30_000, idleTimeoutMs: 30_000, poolWaitMs: 600, poolMaxWaitMs });
        const waitedMs = Date.now() - asked;
        const grantedAt = performance.now();
        try {
          await session.query('SELECT pg_sleep(0.4)');
        } finally {
          await session.close();
        }
        return { index, waitedMs, grantedAt };
      };
      const served = await Promise.all(Array.from({ length: 10 }, (_, index) => read(index, 30_000)));
      expect(Math.max(...served.map((reader) => reader.waitedMs))).toBeGreaterThan(1_000);
      // First come, first served: with two connections, reader i starts only after reader i - 2 has
      // (a connection freed by a reader that came later would break this by a whole 400 ms hold).
      for (let index = 2; index < served.length; index++) expect(served[index]!.grantedAt).toBeGreaterThan(served[index - 2]!.grantedAt);

      // The same queue with a 1 s total limit: the first readers are served, the last are told 503 after about 1 s.
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, index) => {
          const asked = Date.now();
          return read(index, 1_000).then(
            () => ({ index, ok: true as const }),
            (error: unknown) => ({ index, ok: false as const, error, afterMs: Date.now() - asked }),
          );
        }),
      );
      const refused = outcomes.filter((outcome) => !outcome.ok);
      expect(outcomes.filter((outcome) => outcome.ok).length).toBeGreaterThanOrEqual(2);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      for (const outcome of refused) {
        expect(outcome.error).toBeInstanceOf(PoolBusyError);
        expect((outcome.error as PoolBusyError).reason).toBe('queue');
        expect(outcome.afterMs).toBeGreaterThanOrEqual(950);
        expect(outcome.afterMs).toBeLessThan(10_000);
        expect(errorResponse(outcome.error).status).toBe(503);
      }
      // The refused are the last in line.
      expect(Math.min(...refused.map((outcome) => outcome.index))).toBeGreaterThan(Math.max(...outcomes.filter((outcome) => outcome.ok).map((outcome) => outcome.index)) - 1);
    } finally {
      await pool.close();
      await database.drop();
    }
  }, 60_000);
});
