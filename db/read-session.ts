import 'server-only';
import type { Readable } from 'node:stream';
import type postgres from 'postgres';
import type { DatabaseHandle } from './client';
import { CopyBinaryDecoder, CopyBinarySeriesDecoder, type CopyBinaryBatch, type CopyDecoder, type CopySeriesRow } from './copy-binary';

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
  /** Longest stretch with no progress on any pooled connection before giving up (default poolWaitMs()). */
  poolWaitMs?: number;
  /** Longest wait in all for a pooled connection (default poolMaxWaitMs()). */
  poolMaxWaitMs?: number;
}

export interface RowCursor<Row> {
  /** The next batch, or null when the result is exhausted. */
  next(): Promise<Row[] | null>;
  /** Releases the server-side portal; safe to call at any point, more than once. */
  close(): Promise<void>;
}

/** Rows of a binary `COPY ... TO STDOUT`, decoded into batches as they arrive. */
export interface CopyReader<Batch> {
  /** The next batch (in the statement's order), or null at the end. */
  next(): Promise<Batch | null>;
  /** Stops the COPY on the server (cancel) when it is still running; safe to call more than once. */
  close(): Promise<void>;
}

export type CopyBatchReader = CopyReader<CopyBinaryBatch>;

export interface ReadSession {
  query<Row extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  cursor<Row extends Record<string, unknown>>(text: string, params: unknown[], batchRows: number): RowCursor<Row>;
  /**
   * `COPY (...) TO STDOUT (FORMAT binary)` of (timestamp, float8...) rows, pulled batch by batch
   * (Postgres only). COPY takes no bind parameters: callers put values in transaction settings
   * first (set_config with parameters).
   */
  copyOutBinary?(copyStatement: string, shape: { valueColumns: number; batchRows: number }): CopyBatchReader;
  /** `COPY (...) TO STDOUT (FORMAT binary)` of (float8 ord, timestamp[], float8[]...) rows, one per series of a list (Postgres only). */
  copyOutBinarySeries?(copyStatement: string, shape: { valueColumns: number }): CopyReader<CopySeriesRow>;
  /** Rolls back and releases the connection; safe to call more than once. */
  close(): Promise<void>;
}

type Parameters = postgres.ParameterOrJSON<never>[];

const sessionSettings = `SELECT set_config('statement_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $2, true),
  set_config('TimeZone', 'UTC', true)`;

/**
 * Waiting for a pooled connection. A pool whose connections are at work is busy, not stuck: a
 * reader waits in postgres.js's queue (first come, first served) as long as the sessions holding
 * the connections make progress (a statement answered, a batch read, a connection handed out or
 * given back), and is answered 503 when none has for LOOKAHEAD_POOL_WAIT_MS (slow readers hold
 * them all: their clients stopped pulling, and waiting longer would not help) or when it has
 * waited LOOKAHEAD_POOL_MAX_WAIT_MS in all (too many readers at once: the queue is bounded in time).
 */
/** Longest stretch without progress on any pooled connection before a waiting reader gets 503 (LOOKAHEAD_POOL_WAIT_MS). */
export function poolWaitMs(env: Record<string, string | undefined> = process.env): number {
  const value = Number(env.LOOKAHEAD_POOL_WAIT_MS ?? 5_000);
  return Number.isFinite(value) && value > 0 ? value : 5_000;
}

/** Longest wait in all for a pooled connection, however busy the pool (LOOKAHEAD_POOL_MAX_WAIT_MS). */
export function poolMaxWaitMs(env: Record<string, string | undefined> = process.env): number {
  const value = Number(env.LOOKAHEAD_POOL_MAX_WAIT_MS ?? 30_000);
  return Number.isFinite(value) && value > 0 ? value : 30_000;
}

/** Raised when a reader gave up waiting for a pooled connection; routes answer it with 503. */
export class PoolBusyError extends Error {
  readonly waitedMs: number;
  /** stalled: no pooled connection made progress for the stall limit; queue: the reader waited the whole limit while others worked. */
  readonly reason: 'stalled' | 'queue';
  constructor(waitedMs: number, reason: 'stalled' | 'queue' = 'stalled', limitMs = waitedMs) {
    super(
      reason === 'stalled'
        ? `database: no pooled connection made progress for ${limitMs} ms (slow readers hold them all); retry shortly`
        : `database: waited ${waitedMs} ms for a pooled connection behind other readers (limit ${limitMs} ms); retry shortly`,
    );
    this.name = 'PoolBusyError';
    this.waitedMs = waitedMs;
    this.reason = reason;
  }
}

/** Per pool: when a session on it last made progress, or a connection was last handed out or given back. */
const poolProgress = new WeakMap<postgres.Sql, { at: number }>();

function progressOf(client: postgres.Sql): { at: number } {
  let progress = poolProgress.get(client);
  if (!progress) poolProgress.set(client, (progress = { at: 0 }));
  return progress;
}

/**
 * client.reserve() (postgres.js queues reservations in order) that gives up once the pool has made
 * no progress for `stallMs`, or after `maxMs` in all; a connection that arrives later is released at once.
 */
async function reserveWithin(client: postgres.Sql, stallMs: number, maxMs: number): Promise<postgres.ReservedSql> {
  const progress = progressOf(client);
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let gaveUp = false;
  const pending = client.reserve();
  try {
    const reserved = await new Promise<postgres.ReservedSql>((resolve, reject) => {
      pending.then(resolve, reject);
      const check = () => {
        const now = Date.now();
        const quietSince = Math.max(started, progress.at);
        if (now - quietSince >= stallMs) {
          gaveUp = true;
          reject(new PoolBusyError(now - started, 'stalled', stallMs));
        } else if (now - started >= maxMs) {
          gaveUp = true;
          reject(new PoolBusyError(now - started, 'queue', maxMs));
        } else {
          timer = setTimeout(check, Math.max(1, Math.min(quietSince + stallMs, started + maxMs) - now));
        }
      };
      timer = setTimeout(check, Math.min(stallMs, maxMs));
    });
    progress.at = Date.now();
    return reserved;
  } finally {
    clearTimeout(timer);
    if (gaveUp) pending.then((late) => late.release(), () => undefined);
  }
}

/** postgres.js's and Node's codes for a connection that went away. */
function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED', 'ECONNRESET', 'EPIPE'].includes(code);
}

function connectionClosedError(): Error {
  return Object.assign(new Error('database: the connection closed under the read session (the server restarted or the network dropped)'), { code: 'CONNECTION_CLOSED' });
}

/** Longest wait for the ROLLBACK that ends a read session (a connection going away may never answer it). */
const ROLLBACK_WAIT_MS = 5_000;
/** Longest wait, after a query failed with a connection-loss code, for postgres.js to close the connection. */
const GONE_WAIT_MS = 1_000;

/**
 * The part of postgres.js's connection object the session watches. postgres.js (3.4.x) calls a
 * connection's `onclose` when its socket closes; its own `sql.begin` watches connections this
 * way, and hands the connection over through the `onexecute` query option, as we do here.
 */
interface DriverConnection {
  onclose?: ((error: unknown) => void) | null;
}

/**
 * A reserved connection whose closing is known. Once postgres.js has seen the socket close, the
 * reserved handle still sends queries to that connection, and the write it queues then throws
 * from a timer (its socket is null): an uncaught TypeError that would take the server down. So
 * after the close nothing more is sent on it (every call fails with CONNECTION_CLOSED), and it is
 * not released either: postgres.js has already moved it to the pool's closed connections, which
 * it reconnects on demand, whereas release() would put the dead connection back among the open
 * ones for the next request.
 */
class WatchedConnection {
  private driver: DriverConnection | null = null;
  /** The socket closed (postgres.js said so): nothing may be sent any more. */
  gone = false;
  /** A query failed with a connection-loss code: the close is on its way. */
  failing = false;

  private onGone: (() => void) | null = null;

  constructor(
    readonly reserved: postgres.ReservedSql,
    /** Called on progress: a statement answered, a batch read, the connection given back. */
    readonly touch: () => void = () => undefined,
  ) {}

  async begin(): Promise<void> {
    const options = {
      onexecute: (connection: DriverConnection) => {
        this.driver = connection;
        connection.onclose = () => {
          this.gone = true;
          this.onGone?.();
        };
        // The value postgres.js's reserved handler reads as "the connection can take more".
        return true;
      },
    };
    await this.run(() => this.reserved.unsafe('BEGIN READ ONLY', [], options as postgres.UnsafeQueryOptions));
  }

  /** Runs a statement unless the connection is gone; notes a connection-loss failure. */
  async run<T>(send: () => Promise<T>): Promise<T> {
    if (this.gone) throw connectionClosedError();
    try {
      const result = await send();
      this.touch();
      return result;
    } catch (error) {
      throw this.note(error);
    }
  }

  note(error: unknown): unknown {
    if (isConnectionLoss(error)) this.failing = true;
    return error;
  }

  /** Rolls back (when the connection is still there) and gives it back to the pool (when it is not gone). */
  async end(): Promise<void> {
    // A query failed with a connection-loss code: postgres.js closes the connection right after.
    if (this.failing && !this.gone) await this.goneWithin(GONE_WAIT_MS);
    if (!this.gone) {
      // A session the server already ended (idle timeout) cannot roll back; a ROLLBACK on a
      // connection going away may never be answered: wait for it only so long.
      await Promise.race([this.run(() => this.reserved.unsafe('ROLLBACK')).catch(() => undefined), this.goneWithin(ROLLBACK_WAIT_MS)]);
    }
    if (this.driver) this.driver.onclose = null;
    this.onGone = null;
    if (!this.gone) this.reserved.release();
    this.touch();
  }

  /** Resolves when the connection is gone, or after `ms`. */
  private goneWithin(ms: number): Promise<void> {
    if (this.gone) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const previous = this.onGone;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.onGone = () => {
        previous?.();
        done();
      };
    });
  }
}

export async function openPostgresReadSession(client: postgres.Sql, options: ReadSessionOptions): Promise<ReadSession> {
  const progress = progressOf(client);
  const connection = new WatchedConnection(await reserveWithin(client, options.poolWaitMs ?? poolWaitMs(), options.poolMaxWaitMs ?? poolMaxWaitMs()), () => (progress.at = Date.now()));
  const reserved = connection.reserved;
  try {
    await connection.begin();
    await connection.run(() => reserved.unsafe(sessionSettings, [String(options.statementTimeoutMs), String(options.idleTimeoutMs)]));
  } catch (error) {
    await connection.end();
    throw error;
  }
  let closed = false;
  const cursors = new Set<RowCursor<never>>();
  const copies = new Set<CopyReader<unknown>>();
  return {
    async query(text, params = []) {
      return (await connection.run(() => reserved.unsafe(text, params as Parameters))) as unknown as never[];
    },
    cursor<Row extends Record<string, unknown>>(text: string, params: unknown[], batchRows: number): RowCursor<Row> {
      let iterator: AsyncIterator<unknown> | null = null;
      let finished = false;
      const cursor: RowCursor<Row> = {
        async next() {
          if (finished) return null;
          const step = await connection.run(() => (iterator ??= reserved.unsafe(text, params as Parameters).cursor(batchRows)[Symbol.asyncIterator]()).next());
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
          // postgres.js sends Close for the portal when the iterator returns mid-way (not on a
          // connection that is gone: that write would throw).
          if (iterator && !connection.gone && !connection.failing) await iterator.return?.();
        },
      };
      cursors.add(cursor as RowCursor<never>);
      return cursor;
    },
    copyOutBinary(copyStatement, { valueColumns, batchRows }) {
      const reader = postgresCopyOut(connection, copyStatement, new CopyBinaryDecoder(valueColumns, batchRows), COPY_HIGH_WATER_BATCHES * batchRows, () => copies.delete(reader));
      copies.add(reader);
      return reader;
    },
    copyOutBinarySeries(copyStatement, { valueColumns }) {
      const reader = postgresCopyOut(connection, copyStatement, new CopyBinarySeriesDecoder(valueColumns), COPY_HIGH_WATER_SERIES_VALUES, () => copies.delete(reader));
      copies.add(reader);
      return reader;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const cursor of [...cursors]) await cursor.close().catch(() => undefined);
      for (const copy of [...copies]) await copy.close().catch(() => undefined);
      await connection.end();
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
  try {
    (stream as unknown as { _read(size: number): void })._read(0);
  } catch {
    // The connection is gone (postgres.js has set its socket to null): nothing to resume.
  }
}

/**
 * The stream runs in flowing mode and every chunk is decoded as it arrives; the stream pauses
 * once this many decoded rows wait to be taken. (Paused mode, read(), made postgres.js pause and
 * resume its socket every few kB, which doubled the read time.)
 */
const COPY_HIGH_WATER_BATCHES = 4;
/** The same for a list of series: decoded values (points) waiting to be taken. */
const COPY_HIGH_WATER_SERIES_VALUES = 1_000_000;

function postgresCopyOut<Batch>(connection: WatchedConnection, copyStatement: string, decoder: CopyDecoder<Batch>, highWaterRows: number, onClosed: () => void): CopyReader<Batch> {
  const noteLoss = (error: unknown) => connection.note(error);
  const query = connection.reserved.unsafe(copyStatement);
  let opening: Promise<Readable> | null = null;
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
      const readable = (await connection.run(() => query.readable())) as unknown as Readable;
      readable.on('data', (chunk: Buffer) => {
        if (failure) return;
        try {
          decoder.push(chunk);
        } catch (error) {
          failure = error;
          void query.cancel();
        }
        if (decoder.completedRows >= highWaterRows && !paused) {
          paused = true;
          readable.pause();
        }
        if (wake && (decoder.completedRows > 0 || failure)) signal();
      });
      readable.on('end', () => {
        ended = true;
        resumeDriverSocket(readable);
        signal();
      });
      readable.on('error', (error) => {
        noteLoss(error);
        failure ??= error;
        resumeDriverSocket(readable);
        signal();
      });
      // A connection cut mid-COPY (the server restarted, the network dropped) closes the stream
      // with neither 'end' nor 'error'; without this the reader would wait forever.
      readable.on('close', () => {
        if (!ended && !failure) failure = noteLoss(Object.assign(new Error('copy: the database connection closed before the COPY finished'), { code: 'CONNECTION_CLOSED' }));
        signal();
      });
      return readable;
    })();
    return opening;
  }

  return {
    async next() {
      if (closed) return null;
      const readable = await open();
      for (;;) {
        if (failure) throw noteLoss(failure);
        const batch = decoder.take({ flush: ended });
        if (batch) {
          connection.touch();
          if (paused && decoder.completedRows < highWaterRows) {
            paused = false;
            readable.resume();
          }
          return batch;
        }
        if (ended) {
          // postgres.js ends the stream (rather than failing it) when the connection closes mid-COPY.
          if (!decoder.done) throw noteLoss(Object.assign(new Error('copy: the COPY ended before its trailer (the database connection was lost)'), { code: 'CONNECTION_CLOSED' }));
          return null;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      onClosed();
      if (!opening) {
        // Never started: the statement was not sent.
        return;
      }
      const readable = await opening.catch(() => null);
      if (!readable || ended) return;
      if (readable.destroyed || connection.gone) {
        // The connection went away under the COPY: nothing to cancel or drain.
        noteLoss(failure ?? Object.assign(new Error('copy: the stream was destroyed'), { code: 'CONNECTION_CLOSED' }));
        return;
      }
      // Ask the server to stop, then let the rest of the data (and the error) drain away.
      const finished = new Promise<void>((resolve) => (readable.destroyed ? resolve() : readable.once('close', () => resolve())));
      readable.removeAllListeners('data');
      readable.on('data', () => undefined);
      if (!failure) void query.cancel();
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
