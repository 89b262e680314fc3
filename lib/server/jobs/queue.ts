import 'server-only';
import PgBoss from 'pg-boss';
import { pgliteQueueSql, type DatabaseHandle } from '@/db';
import type { JobSettings } from './config';

/**
 * The queue engine: pg-boss 10 in its own schema (`pgboss`, created by pg-boss on first start).
 * One queue carries chunks of every job kind ({jobId, chunkIndex}); the job record in our tables
 * says what a chunk is. On Postgres pg-boss keeps its own small pool (it reconnects after a
 * dropped connection); on the embedded PGlite it shares the app's single connection, every
 * statement serialised (db/queue-sql.ts).
 */

export const QUEUE_SCHEMA = 'pgboss';
export const CHUNK_QUEUE = 'lookahead-chunks';
/** Chunks whose every attempt failed land here, so the job record learns of failures nobody handled (a worker killed on the last attempt). */
export const DEAD_CHUNK_QUEUE = 'lookahead-chunks-dead';

export interface ChunkMessage {
  jobId: string;
  chunkIndex: number;
}

export interface QueuedChunk {
  id: string;
  data: ChunkMessage;
  /** 0 on the first attempt. */
  retryCount: number;
  retryLimit: number;
}

export interface JobQueue {
  boss: PgBoss;
  send(chunks: readonly ChunkMessage[]): Promise<(string | null)[]>;
  /** Hands a chunk back: the queue retries it (or dead-letters it after the last attempt). */
  fail(queueJobId: string, reason: string): Promise<void>;
  cancel(queueJobIds: readonly string[]): Promise<void>;
  stop(options?: { graceMs?: number }): Promise<void>;
}

export async function openJobQueue({
  handle,
  url,
  settings,
  maintenance = true,
  cron = false,
}: {
  handle: DatabaseHandle;
  url?: string;
  settings: JobSettings;
  maintenance?: boolean;
  /** Turns pg-boss schedules (cron) into jobs: on in worker processes, which run the monitoring schedule. */
  cron?: boolean;
}): Promise<JobQueue> {
  const common = {
    schema: QUEUE_SCHEMA,
    supervise: maintenance,
    schedule: cron,
    maintenanceIntervalSeconds: settings.maintenanceSeconds,
  } as const;
  const boss =
    handle.kind === 'pglite'
      ? new PgBoss({ ...common, db: pgliteQueueSql(handle) })
      : new PgBoss({ ...common, connectionString: url, max: Math.max(4, settings.concurrency + 3), application_name: 'lookahead-jobs' });
  // pg-boss reports lost connections and failed maintenance here; without a listener Node would crash the worker.
  boss.on('error', (error: Error) => console.error(`jobs: queue error: ${error.message}`));
  await boss.start();
  for (const name of [DEAD_CHUNK_QUEUE, CHUNK_QUEUE]) {
    await ensureQueue(boss, name, {
      policy: 'standard',
      retryLimit: settings.chunkRetries,
      retryDelay: 1,
      // A backstop only: a dead worker is noticed by its missing heartbeat (reapExpiredChunks) long before.
      expireInSeconds: 4 * 3600,
      ...(name === CHUNK_QUEUE ? { deadLetter: DEAD_CHUNK_QUEUE } : {}),
    });
  }
  return {
    boss,
    async send(chunks) {
      const ids: (string | null)[] = [];
      for (const chunk of chunks) ids.push(await boss.send(CHUNK_QUEUE, chunk, { retryLimit: settings.chunkRetries, retryDelay: 1 }));
      return ids;
    },
    async fail(queueJobId, reason) {
      await boss.fail(CHUNK_QUEUE, queueJobId, { reason });
    },
    async cancel(queueJobIds) {
      if (queueJobIds.length) await boss.cancel(CHUNK_QUEUE, [...queueJobIds]);
    },
    async stop({ graceMs = 0 } = {}) {
      await boss.stop({ graceful: graceMs > 0, wait: true, timeout: Math.max(1000, graceMs), close: handle.kind !== 'pglite' });
    },
  };
}

/**
 * Runs a start-up step that several processes (N workers and the app) may run at once. Postgres
 * may abort one of them with a deadlock (40P01) while the other's write is still uncommitted, so
 * a failed attempt is retried after a short random pause; `settled` (when given) says whether the
 * other process's write makes the step unnecessary. Only an error that persists for every attempt
 * is thrown.
 */
export async function retryStartupRace(step: () => Promise<void>, { attempts = 8, settled }: { attempts?: number; settled?: () => Promise<boolean> } = {}): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (settled && (await settled())) return;
    try {
      await step();
      return;
    } catch (error) {
      if (attempt >= attempts) {
        if (settled && (await settled())) return;
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200 * attempt));
    }
  }
}

/** Creates a pg-boss queue unless it exists (or another process created it meanwhile). */
export async function ensureQueue(boss: PgBoss, name: string, options: Omit<PgBoss.Queue, 'name'>, attempts = 8): Promise<void> {
  await retryStartupRace(() => boss.createQueue(name, { ...options, name }), { attempts, settled: async () => Boolean(await boss.getQueue(name)) });
}
