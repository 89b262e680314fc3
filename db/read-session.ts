import 'server-only';
import type { Readable } from 'node:stream';
import type postgres from 'postgres';
import type { DatabaseHandle } from './client';

/**
 * A read-only transaction on one connection, for reading a user's tables: every statement runs
 * under a statement timeout, an abandoned transaction is ended by the server after
 * `idleTimeoutMs`, timestamps without a zone read as UTC, and `close()` always rolls back and
 * gives the connection back. Cursors pull `batchRows` rows at a time, so memory follows the batch,
 * not the result.
 */
export interface ReadSessionOptions {
  statementTimeoutMs: number;
  idleTimeoutMs: number;
}

export interface RowCursor<Row> {
  /** The next batch, or null when the result is exhausted. */
  next(): Promise<Row[] | null>;
  /** Releases the server-side portal; safe to call at any point, more than once. */
  close(): Promise<void>;
}

/** Raw bytes of `COPY ... TO STDOUT`, pulled chunk by chunk. */
export interface ByteReader {
  /** The next chunk, or null at the end. */
  read(): Promise<Uint8Array | null>;
  /** Stops the COPY on the server (cancel) when it is still running; safe to call more than once. */
  close(): Promise<void>;
}

export interface ReadSession {
  query<Row extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  cursor<Row extends Record<string, unknown>>(text: string, params: unknown[], batchRows: number): RowCursor<Row>;
  /**
   * `COPY (...) TO STDOUT` as a pull-based byte stream (Postgres only). COPY takes no bind
   * parameters: callers put values in transaction settings first (set_config with parameters).
   */
  copyOut?(copyStatement: string): ByteReader;
  /** Rolls back and releases the connection; safe to call more than once. */
  close(): Promise<void>;
}

type Parameters = postgres.ParameterOrJSON<never>[];

const sessionSettings = `SELECT set_config('statement_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $2, true),
  set_config('TimeZone', 'UTC', true)`;

export async function openPostgresReadSession(client: postgres.Sql, options: ReadSessionOptions): Promise<ReadSession> {
  const reserved = await client.reserve();
  try {
    await reserved.unsafe('BEGIN READ ONLY');
    await reserved.unsafe(sessionSettings, [String(options.statementTimeoutMs), String(options.idleTimeoutMs)]);
  } catch (error) {
    await reserved.unsafe('ROLLBACK').catch(() => undefined);
    reserved.release();
    throw error;
  }
  let closed = false;
  const cursors = new Set<RowCursor<never>>();
  const copies = new Set<ByteReader>();
  return {
    async query(text, params = []) {
      return (await reserved.unsafe(text, params as Parameters)) as unknown as never[];
    },
    cursor<Row extends Record<string, unknown>>(text: string, params: unknown[], batchRows: number): RowCursor<Row> {
      const iterator = reserved.unsafe(text, params as Parameters).cursor(batchRows)[Symbol.asyncIterator]();
      let finished = false;
      const cursor: RowCursor<Row> = {
        async next() {
          if (finished) return null;
          const step = await iterator.next();
          if (step.done) {
            finished = true;
            cursors.delete(cursor as RowCursor<never>);
            return null;
          }
          return step.value as unknown as Row[];
        },
        async close() {
          if (finished) return;
          finished = true;
          cursors.delete(cursor as RowCursor<never>);
          // postgres.js sends Close for the portal when the iterator returns mid-way.
          await iterator.return?.();
        },
      };
      cursors.add(cursor as RowCursor<never>);
      return cursor;
    },
    copyOut(copyStatement) {
      const reader = postgresCopyOut(reserved, copyStatement, () => copies.delete(reader));
      copies.add(reader);
      return reader;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const cursor of [...cursors]) await cursor.close().catch(() => undefined);
      for (const copy of [...copies]) await copy.close().catch(() => undefined);
      // A session the server already ended (idle timeout) cannot roll back; the pool reconnects.
      await reserved.unsafe('ROLLBACK').catch(() => undefined);
      reserved.release();
    },
  };
}

/**
 * postgres.js leaves its socket paused when CopyDone arrives in the same chunk as the CopyData
 * that filled the stream's buffer, and then the connection hangs (porsager/postgres#499, fix
 * pending in PR #1016). The stream's own `_read` is the driver's `socket.resume()`; calling it
 * once the COPY is over keeps the connection usable.
 */
function resumeDriverSocket(stream: Readable): void {
  (stream as unknown as { _read(size: number): void })._read(0);
}

/**
 * The stream runs in flowing mode with our own high-water mark: paused mode (read()) made
 * postgres.js pause and resume its socket for every few kB, which doubled the read time.
 */
const COPY_HIGH_WATER_BYTES = 1 << 20;

function postgresCopyOut(reserved: postgres.ReservedSql, copyStatement: string, onClosed: () => void): ByteReader {
  const query = reserved.unsafe(copyStatement);
  let opening: Promise<Readable> | null = null;
  let chunks: Buffer[] = [];
  let queuedBytes = 0;
  let ended = false;
  let failure: unknown = null;
  let closed = false;
  let paused = false;
  let wake: (() => void) | null = null;
  const signal = () => {
    const waiting = wake;
    wake = null;
    waiting?.();
  };

  async function open(): Promise<Readable> {
    opening ??= (async () => {
      const readable = (await query.readable()) as unknown as Readable;
      readable.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        queuedBytes += chunk.byteLength;
        if (queuedBytes >= COPY_HIGH_WATER_BYTES && !paused) {
          paused = true;
          readable.pause();
        }
        signal();
      });
      readable.on('end', () => {
        ended = true;
        resumeDriverSocket(readable);
        signal();
      });
      readable.on('error', (error) => {
        failure = error;
        resumeDriverSocket(readable);
        signal();
      });
      return readable;
    })();
    return opening;
  }

  return {
    async read() {
      if (closed) return null;
      const readable = await open();
      for (;;) {
        if (failure) throw failure;
        if (chunks.length) {
          const out = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, queuedBytes);
          chunks = [];
          queuedBytes = 0;
          if (paused) {
            paused = false;
            readable.resume();
          }
          return out;
        }
        if (ended) return null;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      onClosed();
      chunks = [];
      if (!opening) {
        // Never started: the statement was not sent.
        return;
      }
      const readable = await opening.catch(() => null);
      if (!readable || ended || failure) return;
      // Ask the server to stop, then let the rest of the data (and the error) drain away.
      const finished = new Promise<void>((resolve) => readable.once('close', () => resolve()));
      readable.removeAllListeners('data');
      readable.on('data', () => undefined);
      query.cancel();
      readable.resume();
      resumeDriverSocket(readable);
      await finished;
    },
  };
}

let pgliteCursorCounter = 0;

/**
 * PGlite has one connection: the session holds its transaction (and so the database) until
 * `close()`, and cursors are SQL cursors (DECLARE/FETCH) inside it.
 */
export function openPgliteReadSession(handle: DatabaseHandle, options: ReadSessionOptions): Promise<ReadSession> {
  return new Promise<ReadSession>((resolveSession, rejectSession) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let opened = false;
    const transaction = handle.transaction(async (query) => {
      await query('SET TRANSACTION READ ONLY');
      await query(sessionSettings, [String(options.statementTimeoutMs), String(options.idleTimeoutMs)]);
      opened = true;
      let closed = false;
      resolveSession({
        query: (text, params = []) => query(text, params),
        cursor<Row extends Record<string, unknown>>(text: string, params: unknown[], batchRows: number): RowCursor<Row> {
          const name = `lookahead_cursor_${++pgliteCursorCounter}`;
          let declared: Promise<unknown> | null = null;
          let finished = false;
          return {
            async next() {
              if (finished) return null;
              declared ??= query(`DECLARE ${name} NO SCROLL CURSOR FOR ${text}`, params);
              await declared;
              const rows = await query<Row>(`FETCH FORWARD ${Math.max(1, Math.floor(batchRows))} FROM ${name}`);
              if (rows.length === 0) {
                finished = true;
                await query(`CLOSE ${name}`);
                return null;
              }
              return rows;
            },
            async close() {
              if (finished) return;
              finished = true;
              if (declared) await query(`CLOSE ${name}`).catch(() => undefined);
            },
          };
        },
        async close() {
          if (closed) return;
          closed = true;
          release();
          await transaction.catch(() => undefined);
        },
      });
      await released;
    });
    transaction.catch((error: unknown) => {
      if (!opened) rejectSession(error);
    });
  });
}
