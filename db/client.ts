import 'server-only';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import * as schema from './schema';

export type AppDatabase = PgDatabase<PgQueryResultHKT, typeof schema>;

/**
 * The app's database: embedded PGlite (stored under LOOKAHEAD_DATA_DIR, default `.data/`) when
 * DATABASE_URL is unset, Postgres through postgres.js when it is set. `query` runs raw SQL with
 * parameters on a client of its own: a postgres.js client handed to drizzle() changes how it
 * sends timestamps, so raw queries never share drizzle's client.
 */
export interface DatabaseHandle {
  kind: 'pglite' | 'postgres';
  /** Where the data lives, without credentials: shown in logs. */
  location: string;
  db: AppDatabase;
  query<Row extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Runs `work` in one transaction on the raw client. */
  transaction<T>(work: (query: DatabaseHandle['query']) => Promise<T>): Promise<T>;
  /** The raw postgres.js client (postgres only), for cursors and COPY. */
  postgresClient?: postgres.Sql;
  /** The PGlite instance (pglite only), for the job queue's multi-statement SQL (db/queue-sql.ts). */
  pgliteClient?: PGlite;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres:// URL; when absent PGlite is used. */
  url?: string;
  /** PGlite data directory; 'memory://' for an in-memory database. */
  dataDir?: string;
}

export function defaultDataDir(): string {
  return path.resolve(process.env.LOOKAHEAD_DATA_DIR ?? '.data', 'pglite');
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  if (options.url) return openPostgres(options.url);
  return openPglite(options.dataDir ?? defaultDataDir());
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres (unparseable URL)';
  }
}

async function openPostgres(url: string): Promise<DatabaseHandle> {
  const drizzleClient = postgres(url, { max: 5, onnotice: () => {} });
  const rawClient = postgres(url, { max: 10, onnotice: () => {} });
  const db = drizzlePostgres(drizzleClient, { schema }) as unknown as AppDatabase;
  const query: DatabaseHandle['query'] = async (text, params = []) =>
    (await rawClient.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as never[];
  return {
    kind: 'postgres',
    location: redactUrl(url),
    db,
    query,
    postgresClient: rawClient,
    async transaction(work) {
      return (await rawClient.begin(async (tx) =>
        work(async (text, params = []) => (await tx.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as never[]),
      )) as Awaited<ReturnType<typeof work>>;
    },
    async close() {
      await Promise.all([drizzleClient.end({ timeout: 5 }), rawClient.end({ timeout: 5 })]);
    },
  };
}

async function openPglite(dataDir: string): Promise<DatabaseHandle> {
  if (dataDir !== 'memory://') mkdirSync(path.dirname(dataDir), { recursive: true });
  const client = await PGlite.create(dataDir === 'memory://' ? undefined : dataDir);
  const db = drizzlePglite(client, { schema }) as unknown as AppDatabase;
  const query: DatabaseHandle['query'] = async (text, params = []) => (await client.query(text, params)).rows as never[];
  return {
    kind: 'pglite',
    location: dataDir,
    db,
    query,
    pgliteClient: client,
    async transaction(work) {
      return client.transaction(async (tx) => work(async (text, params = []) => (await tx.query(text, params)).rows as never[]));
    },
    async close() {
      await client.close();
    },
  };
}

const globalForDatabase = globalThis as unknown as { lookaheadDatabase?: Promise<DatabaseHandle> };

/** The process-wide handle configured from the environment (one per server process). */
export function getDatabase(): Promise<DatabaseHandle> {
  if (!globalForDatabase.lookaheadDatabase) {
    const opening = openDatabase({ url: process.env.DATABASE_URL || undefined });
    globalForDatabase.lookaheadDatabase = opening;
    // A failed open is forgotten, so the next request tries again instead of failing until restart.
    opening.catch(() => {
      if (globalForDatabase.lookaheadDatabase === opening) globalForDatabase.lookaheadDatabase = undefined;
    });
  }
  return globalForDatabase.lookaheadDatabase;
}
