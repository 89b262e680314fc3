import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase } from '@/db';
import { call, readWindow } from '../support/data-plane';
import { startThrowawayCluster, type ThrowawayCluster } from '../support/pg-cluster';

/**
 * Postgres really restarted (`pg_ctl restart -m fast` on a throwaway server of the test's own,
 * never the shared one) in the middle of a window stream. The app database and the source both
 * live on that server. Fast shutdown ends every session with 57P01 ("terminating connection due
 * to administrator command") and closes the sockets: the client gets a clean error (the body
 * fails with code "unavailable"; no driver text, no hang), and a retry once the server is back
 * reads the whole window on fresh connections.
 * (`window-stream-fault.test.ts` covers the other way a database goes away: the network drops,
 * with no message from the server at all.)
 */
const available = Boolean(process.env.DATABASE_URL);
const ROWS = 300_000;

describe.skipIf(!available)('faults: Postgres restarted during a window stream', () => {
  let cluster: ThrowawayCluster;
  let route: typeof import('@/app/api/sources/[id]/window/route');
  const query = '/api/sources/restarting/window?table=lake.ticks&columns=value&limit=1000000';

  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    const admin = postgres(cluster.url(), { max: 1, onnotice: () => {} });
    await admin.unsafe('CREATE DATABASE lookahead');
    await admin.end();
    const url = cluster.url('lookahead');
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql.unsafe('CREATE SCHEMA lake');
    await sql.unsafe(`CREATE TABLE lake.ticks AS SELECT timestamptz '2024-01-01' + i * interval '1 second' AS ts, (i % 977)::float8 AS value FROM generate_series(1, ${ROWS}) i`);
    await sql.end();
    const handle = await openDatabase({ url });
    await migrateDatabase(handle);
    await handle.close();
    Object.assign(process.env, { DATABASE_URL: url, LOOKAHEAD_SOURCES: JSON.stringify([{ id: 'restarting', url, schemas: ['lake'] }]) });
    route = await import('@/app/api/sources/[id]/window/route');
  }, 180_000);

  afterAll(async () => {
    try {
      const { closeSourcePools } = await import('@/lib/server/sources');
      await closeSourcePools().catch(() => undefined);
      const { getDatabase } = await import('@/db');
      await (await getDatabase()).close().catch(() => undefined);
    } finally {
      await cluster?.drop();
      delete process.env.LOOKAHEAD_SOURCES;
    }
  });

  it('the stream fails cleanly when the server restarts, and a retry reads the whole window', async () => {
    // A first full read: the source's pool and the app database's connections exist before the restart.
    expect((await readWindow(await call(route.GET, query, { id: 'restarting' }))).timestampsMs.length).toBe(ROWS);

    const response = await call(route.GET, query, { id: 'restarting' });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    let received = first.value!.byteLength;
    const restarted = cluster.restart({ mode: 'fast' });
    let failure: unknown = null;
    const deadline = Date.now() + 60_000;
    try {
      for (;;) {
        const chunk = await Promise.race([
          reader.read(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no chunk nor error within 30 s of the restart (${received} bytes so far)`)), 30_000)),
        ]);
        if (chunk.done) break;
        received += chunk.value.byteLength;
        if (Date.now() > deadline) throw new Error('the stream neither ended nor failed within 60 s of the restart');
      }
    } catch (error) {
      failure = error;
    }
    await restarted;
    expect(cluster.log()).toMatch(/database system is ready to accept connections[\s\S]*received fast shutdown request[\s\S]*database system is ready to accept connections/);
    // 300,000 rows of two float64 columns are over 4.8 MB; a restart mid-way cannot deliver them all.
    expect(received).toBeLessThan(ROWS * 16);
    expect(failure).toBeInstanceOf(Error);
    expect(String((failure as Error).message)).not.toMatch(/no chunk nor error|neither ended nor failed/);
    expect(String((failure as Error).message)).not.toMatch(/administrator command|ECONNRESET|postgres|127\.0\.0\.1/i);
    expect((failure as { code?: string }).code).toBe('unavailable');

    // The server is back: a retry (a client honouring Retry-After) gets every row, from fresh connections.
    const statuses: number[] = [];
    let retried = null;
    for (let attempt = 0; attempt < 5 && !retried; attempt++) {
      const again = await call(route.GET, query, { id: 'restarting' });
      statuses.push(again.status);
      if (again.status === 200) retried = await readWindow(again);
      else {
        expect(again.status).toBe(503);
        expect(again.headers.get('retry-after')).toMatch(/^\d+$/);
        await again.text();
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    expect(statuses.at(-1)).toBe(200);
    expect(retried?.timestampsMs.length).toBe(ROWS);
    expect(retried?.columns.value![976]).toBe(977 % 977);
  }, 180_000);
});
