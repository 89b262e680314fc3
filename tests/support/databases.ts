import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '@/db';

/**
 * The database backends every DB test runs against: PGlite always, real Postgres when
 * DATABASE_URL is set (CI sets it). Each Postgres test file gets a database of its own, created
 * here and dropped afterwards, so whatever earlier runs left behind never matters.
 */
export interface TestDatabase {
  name: string;
  handle: DatabaseHandle;
  /** URL of the fresh database (postgres only). */
  url?: string;
  drop(): Promise<void>;
}

export const backends: { name: 'pglite' | 'postgres'; available: boolean; reason: string }[] = [
  { name: 'pglite', available: true, reason: '' },
  {
    name: 'postgres',
    available: Boolean(process.env.DATABASE_URL),
    reason: 'DATABASE_URL is not set; real-Postgres tests skipped (CI sets it)',
  },
];

export async function createTestDatabase(kind: 'pglite' | 'postgres', { migrate = true } = {}): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const handle = await openDatabase({ dataDir: 'memory://' });
    if (migrate) await migrateDatabase(handle);
    return { name: 'pglite (memory)', handle, drop: () => handle.close() };
  }
  const adminUrl = process.env.DATABASE_URL!;
  const databaseName = `lookahead_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${databaseName}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${databaseName}`;
  const handle = await openDatabase({ url: url.toString() });
  if (migrate) await migrateDatabase(handle);
  return {
    name: `postgres (${databaseName})`,
    handle,
    url: url.toString(),
    async drop() {
      await handle.close();
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
