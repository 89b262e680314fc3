import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { call, readWindow } from '../support/data-plane';
import { startProxy, type CuttableProxy } from '../support/job-workers';

/**
 * The network drops in the middle of a window stream: the source's connections go through a TCP
 * proxy that cuts every connection, so the sockets die with no message from the server (a real
 * restart, where the server says 57P01 first, is window-stream-restart.test.ts). The client gets
 * a clean error (the body stream fails; nothing hangs, no driver text), and a retry once the
 * database is back reads the whole window: no broken connection is kept in the pool.
 */
const available = Boolean(process.env.DATABASE_URL);
const ROWS = 300_000;

describe.skipIf(!available)('faults: the network to the database drops during a window stream', () => {
  let database: TestDatabase;
  let proxy: CuttableProxy;
  let route: typeof import('@/app/api/sources/[id]/window/route');
  const query = '/api/sources/flaky/window?table=lake.ticks&columns=value&limit=1000000';

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const sql = postgres(database.url!, { max: 1, onnotice: () => {} });
    await sql.unsafe('CREATE SCHEMA lake');
    await sql.unsafe(`CREATE TABLE lake.ticks AS SELECT timestamptz '2024-01-01' + i * interval '1 second' AS ts, (i % 977)::float8 AS value FROM generate_series(1, ${ROWS}) i`);
    await sql.end();
    const target = new URL(database.url!);
    proxy = await startProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const throughProxy = new URL(database.url!);
    throughProxy.hostname = '127.0.0.1';
    throughProxy.port = String(proxy.port);
    Object.assign(process.env, { DATABASE_URL: database.url, LOOKAHEAD_SOURCES: JSON.stringify([{ id: 'flaky', url: throughProxy.toString(), schemas: ['lake'] }]) });
    route = await import('@/app/api/sources/[id]/window/route');
  }, 120_000);

  afterAll(async () => {
    const { closeSourcePools } = await import('@/lib/server/sources');
    await closeSourcePools().catch(() => undefined);
    const { getDatabase } = await import('@/db');
    await (await getDatabase()).close();
    await proxy?.close();
    await database?.drop();
    delete process.env.LOOKAHEAD_SOURCES;
  });

  it('the stream fails cleanly when the connection is cut, and a retry reads the whole window', async () => {
    const response = await call(route.GET, query, { id: 'flaky' });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    let received = first.value!.byteLength;
    await proxy.cut(1_000);
    let failure: unknown = null;
    const deadline = Date.now() + 60_000;
    try {
      for (;;) {
        const chunk = await Promise.race([
          reader.read(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no chunk nor error within 30 s of the cut (${received} bytes so far)`)), 30_000)),
        ]);
        if (chunk.done) break;
        received += chunk.value.byteLength;
        if (Date.now() > deadline) throw new Error('the stream neither ended nor failed within 60 s of the cut');
      }
    } catch (error) {
      failure = error;
    }
    // 300,000 rows of two float64 columns are over 4.8 MB; a cut mid-way cannot deliver them all.
    expect(received).toBeLessThan(ROWS * 16);
    expect(failure).toBeInstanceOf(Error);
    expect(String((failure as Error).message)).not.toMatch(/no chunk nor error/);
    expect(String((failure as Error).message)).not.toMatch(/ECONNRESET|postgres|127\.0\.0\.1/i);
    expect((failure as { code?: string }).code).toBe('unavailable');

    // The database is back: a retry gets every row, from a fresh connection.
    let retried = null;
    for (let attempt = 0; attempt < 5 && !retried; attempt++) {
      const again = await call(route.GET, query, { id: 'flaky' });
      if (again.status === 200) retried = await readWindow(again);
      else await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(retried?.timestampsMs.length).toBe(ROWS);
    expect(retried?.columns.value![976]).toBe(977 % 977);
  }, 180_000);

  it('a session the server ended (idle in transaction) closes without sending on the dead connection, and the pool serves the next one', async () => {
    // One pooled connection: were the dead one handed back as open, the next session would get it
    // and its BEGIN would never be answered (and the queued write would throw from a timer).
    const { openSqlConnection } = await import('@/db');
    const connection = openSqlConnection(database.url!, { maxConnections: 1 });
    try {
      const session = await connection.openReadSession({ statementTimeoutMs: 5_000, idleTimeoutMs: 300 });
      expect(await session.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      // The server ends the idle transaction (and its connection) after 300 ms.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await expect(session.query('SELECT 2')).rejects.toMatchObject({ code: expect.stringMatching(/^(CONNECTION_CLOSED|25P03|57P05)$/) });
      const started = Date.now();
      await session.close();
      expect(Date.now() - started).toBeLessThan(2_000);
      const next = await connection.openReadSession({ statementTimeoutMs: 5_000, idleTimeoutMs: 10_000, poolWaitMs: 10_000 });
      try {
        expect(await next.query<{ three: number }>('SELECT 3 AS three')).toEqual([{ three: 3 }]);
      } finally {
        await next.close();
      }
    } finally {
      await connection.close();
    }
  }, 60_000);
});
