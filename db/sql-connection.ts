import 'server-only';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import type { DatabaseHandle } from './client';
import { openPgliteReadSession, openPostgresReadSession, type ReadSession, type ReadSessionOptions } from './read-session';

/**
 * A database that holds time series: the app's own database or one named in LOOKAHEAD_SOURCES.
 * Reads go through read-only sessions; writes (ingestion) through `writeTransaction`, which only
 * Postgres offers because it streams rows with COPY.
 */
export interface SqlConnection {
  kind: 'postgres' | 'pglite';
  /** Where the data lives, without credentials: for logs, never for the browser. */
  location: string;
  openReadSession(options: ReadSessionOptions): Promise<ReadSession>;
  /** Runs `work` in one read-write transaction (Postgres only). */
  writeTransaction?<T>(work: (session: WriteSession) => Promise<T>): Promise<T>;
  /** Plain statements outside a transaction (DDL, CREATE DATABASE in tests); Postgres only. */
  execute?<Row extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

export interface WriteSession {
  query<Row extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Streams text-format COPY data (`COPY ... FROM STDIN`) with backpressure. */
  copyIn(copyStatement: string, chunks: AsyncIterable<string> | Iterable<string>): Promise<void>;
}

type Parameters = postgres.ParameterOrJSON<never>[];

export function redactConnectionUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return `${parsed.protocol}//${parsed.username ? `${parsed.username}@` : ''}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'postgres (unparseable URL)';
  }
}

function postgresConnection(client: postgres.Sql, location: string, ownsClient: boolean): SqlConnection {
  return {
    kind: 'postgres',
    location,
    openReadSession: (options) => openPostgresReadSession(client, options),
    async writeTransaction(work) {
      return (await client.begin(async (tx) =>
        work({
          query: async (text, params = []) => (await tx.unsafe(text, params as Parameters)) as unknown as never[],
          async copyIn(copyStatement, chunks) {
            const writable = await tx.unsafe(copyStatement).writable();
            await pipeline(Readable.from(chunks as AsyncIterable<string>), writable);
          },
        }),
      )) as Awaited<ReturnType<typeof work>>;
    },
    async execute(text, params = []) {
      return (await client.unsafe(text, params as Parameters)) as unknown as never[];
    },
    async close() {
      if (ownsClient) await client.end({ timeout: 5 });
    },
  };
}

/** A pool for a configured source URL; `close()` ends it. */
export function openSqlConnection(url: string, { maxConnections = 5 }: { maxConnections?: number } = {}): SqlConnection {
  const client = postgres(url, { max: maxConnections, onnotice: () => {}, idle_timeout: 60, connection: { application_name: 'lookahead' } });
  return postgresConnection(client, redactConnectionUrl(url), true);
}

/** The app database as a source; the handle keeps ownership (closing this does nothing). */
export function connectionForHandle(handle: DatabaseHandle): SqlConnection {
  if (handle.kind === 'postgres' && handle.postgresClient) return postgresConnection(handle.postgresClient, handle.location, false);
  return {
    kind: 'pglite',
    location: handle.location,
    openReadSession: (options) => openPgliteReadSession(handle, options),
    async close() {},
  };
}
