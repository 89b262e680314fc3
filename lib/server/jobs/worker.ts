import 'server-only';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  claimChunk,
  completeJobIfFinished,
  finishChunk,
  finishedSeries,
  findOrphanedQueueJobs,
  getJob,
  heartbeatChunks,
  listChunks,
  reapExpiredChunks,
  registerWorker,
  releaseChunk,
  setJobSummary,
  stopWorker,
  writeResults,
  type DatabaseHandle,
  type NewResult,
} from '@/db';
import type { JobSettings } from './config';
import { releaseJobSessions } from './job-models';
import { recordChunkRun, workMonitorSchedule } from './monitoring';
import { getJobKind } from './kinds';
import { ReadTimeoutError, withTimeout } from './series-reader';
import { CHUNK_QUEUE, DEAD_CHUNK_QUEUE, QUEUE_SCHEMA, type ChunkMessage, type JobQueue } from './queue';
import './register-kinds';

/**
 * A job worker: takes chunks from the queue (`concurrency` at a time), runs them with the job's
 * kind, writes results as each batch finishes, and heartbeats. Leases are heartbeats: a chunk
 * whose worker is silent for `leaseSeconds` is failed in the queue by any live worker, and the
 * queue retries it (on whichever worker fetches it next); the results of the dead attempt stay
 * and are skipped. A series that fails is retried with its chunk and recorded as failed after the
 * last attempt. Cancelling a job stops its running chunks at the next heartbeat.
 */

type StopReason = 'cancelled' | 'lease-lost' | 'shutdown';

interface ActiveChunk {
  jobId: string;
  chunkIndex: number;
  controller: AbortController;
  reason: StopReason | null;
}

export interface WorkerStats {
  chunksDone: number;
  seriesWritten: number;
}

export interface JobWorker {
  id: string;
  stats: WorkerStats;
  /** Stops taking chunks; running ones get `graceMs` to finish, then are handed back to the queue. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function startJobWorker({
  handle,
  queue,
  settings,
  reads,
  monitorSchedule = false,
  log = (line: string) => console.log(line),
}: {
  handle: DatabaseHandle;
  queue: JobQueue;
  settings: JobSettings;
  /** Where chunks read the app's own source; `reopen` replaces a pool whose connections hang. Default: `handle`. */
  reads?: { handle: DatabaseHandle; reopen(): Promise<DatabaseHandle> };
  /** Also works the monitoring schedule (a pg-boss cron, every minute; the queue needs `cron`). The embedded default keeps the server's timer instead. */
  monitorSchedule?: boolean;
  log?: (line: string) => void;
}): Promise<JobWorker> {
  let readHandle = reads?.handle ?? handle;
  let reopening: Promise<void> | null = null;
  const reopenReads = (): Promise<void> => {
    if (!reads) return Promise.resolve();
    reopening ??= reads
      .reopen()
      .then((fresh) => {
        const stale = readHandle;
        readHandle = fresh;
        // Ends at once: its stuck queries reject instead of holding connections forever.
        void stale.close().catch(() => undefined);
      })
      .finally(() => (reopening = null));
    return reopening;
  };
  const id = `${process.env.LOOKAHEAD_WORKER_NAME || hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const active = new Map<string, ActiveChunk>();
  const running = new Set<Promise<unknown>>();
  const stats: WorkerStats = { chunksDone: 0, seriesWritten: 0 };
  let stopping = false;

  await registerWorker({ handle, id, host: hostname(), pid: process.pid, concurrency: settings.concurrency, providers: settings.ortProviders.join(',') });

  async function finalize(jobId: string): Promise<void> {
    const finished = await completeJobIfFinished({ handle, jobId });
    if (!finished) return;
    log(`jobs: job ${jobId} ${finished.state}`);
    const kind = getJobKind(finished.kind);
    if (!kind.summarize) return;
    try {
      await setJobSummary({ handle, jobId, summary: await kind.summarize(kind.schema.parse(finished.params), { handle, jobId }) });
    } catch (error) {
      await setJobSummary({ handle, jobId, summary: { error: `summary failed: ${messageOf(error)}` } });
    }
  }

  async function runChunk(queueJobId: string, message: ChunkMessage, finalAttempt: boolean): Promise<Record<string, unknown>> {
    const { jobId, chunkIndex } = message;
    const claimed = await claimChunk({ handle, jobId, chunkIndex, worker: id, queueJobId });
    if (!claimed) return { skipped: true };
    const { job, chunk } = claimed;
    const kind = getJobKind(job.kind);
    const params = kind.schema.parse(job.params);
    const done = await finishedSeries({ handle, jobId, chunkIndex });
    const items = chunk.series.map((series, offset) => ({ id: series, position: chunk.firstPosition + offset })).filter((item) => !done.has(item.id));
    const key = `${jobId}:${chunkIndex}`;
    const entry: ActiveChunk = { jobId, chunkIndex, controller: new AbortController(), reason: null };
    active.set(key, entry);
    const attempt = chunk.attempts;
    const started = performance.now();
    const recordRun = (failed: number, error?: string) =>
      recordChunkRun({ jobId, kind: job.kind, params, workerId: id, chunkIndex, settings, latencyMs: performance.now() - started, series: items.length, failed, ...(error ? { error } : {}) });
    const write = async (results: readonly NewResult[]) => {
      stats.seriesWritten += await withTimeout(writeResults({ handle, jobId, chunkIndex, attempt, worker: id, results }), settings.readTimeoutSeconds, 'writing results');
    };
    try {
      const failures = await kind.runChunk(params, { handle, readHandle, settings, jobId, chunkIndex, items, signal: entry.controller.signal, write });
      if (entry.reason) throw entry.controller.signal.reason ?? new Error(entry.reason);
      if (failures.length > 0 && !finalAttempt) {
        await releaseChunk({ handle, jobId, chunkIndex, worker: id, error: `${failures.length} series failed; retrying` });
        throw new Error(`jobs: ${failures.length} series of chunk ${chunkIndex} of job ${jobId} failed (first: ${failures[0]!.id}: ${failures[0]!.error}); the chunk is retried`);
      }
      await write(failures.map((failure) => ({ seriesId: failure.id, position: failure.position, status: 'failed', payload: null, error: failure.error })));
      await finishChunk({ handle, jobId, chunkIndex, worker: id, state: 'done' });
      stats.chunksDone++;
      recordRun(failures.length);
      log(`jobs: chunk ${chunkIndex} of job ${jobId} done (${items.length - failures.length} series, ${failures.length} failed, attempt ${attempt})`);
      await finalize(jobId);
      return { series: items.length, failed: failures.length };
    } catch (error) {
      switch (entry.reason) {
        case 'cancelled':
          await finishChunk({ handle, jobId, chunkIndex, worker: id, state: 'cancelled', error: 'job cancelled' });
          log(`jobs: chunk ${chunkIndex} of job ${jobId} stopped: job cancelled`);
          return { cancelled: true };
        case 'lease-lost':
          // Another worker already handed the chunk back to the queue; what this attempt wrote stays.
          log(`jobs: chunk ${chunkIndex} of job ${jobId} abandoned: lease lost`);
          return { leaseLost: true };
        case 'shutdown': {
          // Handed back without spending a retry: a fresh queue message for the same chunk.
          const [fresh] = await queue.send([message]);
          await releaseChunk({ handle, jobId, chunkIndex, worker: id, error: 'handed back: worker shut down' });
          await handle.query(`UPDATE job_chunks SET queue_job_id = $3 WHERE job_id = $1 AND chunk_index = $2`, [jobId, chunkIndex, fresh ?? null]);
          log(`jobs: chunk ${chunkIndex} of job ${jobId} handed back (shutdown)`);
          return { handedBack: true };
        }
        default:
          break;
      }
      if (error instanceof ReadTimeoutError) {
        log(`jobs: ${error.message}; reopening the read pool`);
        await reopenReads().catch((reopenError: unknown) => log(`jobs: could not reopen the read pool: ${messageOf(reopenError)}`));
      }
      if (!finalAttempt) {
        await releaseChunk({ handle, jobId, chunkIndex, worker: id, error: messageOf(error) }).catch(() => undefined);
        throw error;
      }
      // Last attempt of a chunk that failed as a whole (e.g. its source is gone): every series without a result fails with the reason.
      const remaining = (await finishedSeries({ handle, jobId, chunkIndex }));
      const reason = `chunk failed after ${attempt} attempts: ${messageOf(error)}`;
      await write(items.filter((item) => !remaining.has(item.id)).map((item) => ({ seriesId: item.id, position: item.position, status: 'failed' as const, payload: null, error: reason })));
      await finishChunk({ handle, jobId, chunkIndex, worker: id, state: 'failed', error: reason });
      recordRun(items.length, reason);
      log(`jobs: chunk ${chunkIndex} of job ${jobId} failed: ${reason}`);
      await finalize(jobId);
      return { failed: true };
    } finally {
      active.delete(key);
    }
  }

  /** A chunk every attempt of which died (killed on its last attempt): its unfinished series fail. */
  async function deadChunk(message: ChunkMessage): Promise<void> {
    const { jobId, chunkIndex } = message;
    const job = await getJob({ handle, id: jobId });
    if (!job) return;
    const chunk = (await listChunks({ handle, jobId })).find((row) => row.chunkIndex === chunkIndex);
    if (!chunk || chunk.state === 'done' || chunk.state === 'failed' || chunk.state === 'cancelled') return;
    const done = await finishedSeries({ handle, jobId, chunkIndex });
    const reason = `chunk failed after ${chunk.attempts} attempts${chunk.error ? `: ${chunk.error}` : ''}`;
    const failed: NewResult[] = chunk.series
      .map((series, offset) => ({ seriesId: series, position: chunk.firstPosition + offset, status: 'failed' as const, payload: null, error: reason }))
      .filter((result) => !done.has(result.seriesId));
    await writeResults({ handle, jobId, chunkIndex, attempt: chunk.attempts, worker: id, results: failed });
    await finishChunk({ handle, jobId, chunkIndex, worker: null, state: 'failed', error: reason });
    await finalize(jobId);
  }

  const track = <T>(promise: Promise<T>): Promise<T> => {
    running.add(promise);
    promise.finally(() => running.delete(promise)).catch(() => undefined);
    return promise;
  };

  for (let lane = 0; lane < settings.concurrency; lane++) {
    await queue.boss.work<ChunkMessage>(CHUNK_QUEUE, { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: 0.5 }, async ([job]) => {
      if (!job) return;
      if (stopping) throw new Error('jobs: worker is stopping');
      return track(runChunk(job.id, job.data, job.retryCount >= job.retryLimit));
    });
  }
  await queue.boss.work<ChunkMessage>(DEAD_CHUNK_QUEUE, { batchSize: 1, pollingIntervalSeconds: 2 }, async ([job]) => {
    if (job) await track(deadChunk(job.data));
  });

  const stopSchedule = monitorSchedule ? await workMonitorSchedule({ queue, log }) : null;

  let beating = false;
  const heartbeat = async () => {
    if (beating) return;
    beating = true;
    try {
      // A query on a connection that died may never settle: a heartbeat gives up after a while and the next one tries afresh.
      const limit = Math.max(5, settings.heartbeatSeconds * 5);
      const held = await withTimeout(heartbeatChunks({ handle, worker: id, chunks: [...active.values()].map(({ jobId, chunkIndex }) => ({ jobId, chunkIndex })) }), limit, 'the heartbeat');
      for (const row of held) {
        const entry = active.get(`${row.jobId}:${row.chunkIndex}`);
        if (!entry || entry.reason) continue;
        if (row.jobState === 'cancelled') entry.reason = 'cancelled';
        else if (!row.held) entry.reason = 'lease-lost';
        if (entry.reason) entry.controller.abort(new Error(`jobs: chunk stopped: ${entry.reason}`));
      }
      for (const expired of await withTimeout(reapExpiredChunks({ handle, leaseSeconds: settings.leaseSeconds }), limit, 'reaping expired chunks')) {
        log(`jobs: chunk ${expired.chunkIndex} of job ${expired.jobId}: lease of ${expired.worker ?? '?'} expired; handing it back to the queue`);
        if (expired.queueJobId) await queue.fail(expired.queueJobId, `lease expired: worker ${expired.worker ?? '?'} stopped heartbeating`);
      }
      for (const orphan of await withTimeout(findOrphanedQueueJobs({ handle, leaseSeconds: settings.leaseSeconds, queueSchema: QUEUE_SCHEMA }), limit, 'looking for orphaned chunks')) {
        log(`jobs: queue message ${orphan} was taken but never started; handing it back`);
        await queue.fail(orphan, 'taken but never started (lost connection?)');
      }
    } catch (error) {
      log(`jobs: heartbeat failed (will retry): ${messageOf(error)}`);
    } finally {
      beating = false;
    }
  };
  const timer = setInterval(() => void heartbeat(), settings.heartbeatSeconds * 1000);
  log(`jobs: worker ${id} started (concurrency ${settings.concurrency}, batch ${settings.batchSize}, providers ${settings.ortProviders.join(',')}, ${handle.kind})`);

  return {
    id,
    stats,
    async stop({ graceMs = settings.graceSeconds * 1000 } = {}) {
      if (stopping) return;
      stopping = true;
      await queue.boss.offWork(CHUNK_QUEUE).catch(() => undefined);
      await queue.boss.offWork(DEAD_CHUNK_QUEUE).catch(() => undefined);
      await stopSchedule?.();
      const deadline = setTimeout(() => {
        for (const entry of active.values()) {
          if (entry.reason) continue;
          entry.reason = 'shutdown';
          entry.controller.abort(new Error('jobs: worker shutting down'));
        }
      }, graceMs);
      await Promise.allSettled([...running]);
      clearTimeout(deadline);
      clearInterval(timer);
      await stopWorker({ handle, id }).catch(() => undefined);
      await releaseJobSessions();
      log(`jobs: worker ${id} stopped (${stats.chunksDone} chunks, ${stats.seriesWritten} results written)`);
    },
  };
}

