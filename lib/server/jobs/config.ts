import 'server-only';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { fromZodError } from '@/lib/server/http';

/**
 * Settings of the job queue and its workers, from the environment (validated once, here).
 * Every worker machine reads its own; the queue-wide ones (lease, retries) should match.
 */
const integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === '') return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        context.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}, got "${value}"` });
        return z.NEVER;
      }
      return parsed;
    });

const environment = z.object({
  LOOKAHEAD_WORKER_CONCURRENCY: integer(1, 1, 64),
  LOOKAHEAD_BATCH_SIZE: integer(64, 1, 4096),
  LOOKAHEAD_JOB_CHUNK_SIZE: integer(256, 1, 10_000),
  LOOKAHEAD_JOB_MAX_SERIES: integer(100_000, 1, 10_000_000),
  LOOKAHEAD_JOB_MAX_ACTIVE_PER_CALLER: integer(4, 0, 10_000),
  LOOKAHEAD_CHUNK_RETRIES: integer(2, 0, 20),
  LOOKAHEAD_CHUNK_LEASE_SECONDS: integer(60, 2, 86_400),
  LOOKAHEAD_HEARTBEAT_SECONDS: integer(2, 1, 3600),
  LOOKAHEAD_WORKER_GRACE_SECONDS: integer(30, 0, 3600),
  LOOKAHEAD_QUEUE_MAINTENANCE_SECONDS: integer(30, 1, 3600),
  LOOKAHEAD_ORT_THREADS: integer(0, 0, 256), // 0 or unset: cores / concurrency
  LOOKAHEAD_JOB_READ_TIMEOUT_SECONDS: integer(120, 1, 86_400),
  LOOKAHEAD_ORT_PROVIDERS: z
    .string()
    .optional()
    .transform((value, context) => {
      const providers = (value ?? 'cpu').split(',').map((name) => name.trim()).filter(Boolean);
      for (const provider of providers) {
        if (provider !== 'cpu' && provider !== 'cuda') {
          context.addIssue({ code: 'custom', message: `unknown provider "${provider}"; use cpu, or cuda,cpu on a machine with the CUDA build` });
          return z.NEVER;
        }
      }
      return providers.length ? (providers as ('cpu' | 'cuda')[]) : (['cpu'] as ('cpu' | 'cuda')[]);
    }),
  // Empty counts as unset (auto), as for the numbers above.
  LOOKAHEAD_INPROCESS_WORKER: z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), z.enum(['auto', 'on', 'off', '0', '1']).optional().default('auto')),
});

export interface JobSettings {
  /** Chunks one worker process runs at once. */
  concurrency: number;
  /** Series per model call inside a chunk. */
  batchSize: number;
  /** Series per chunk (the unit leased, retried and reported). */
  chunkSize: number;
  maxSeriesPerJob: number;
  /** Queued + running jobs one token or session may have (0 = no limit); the local owner is not limited. */
  maxActiveJobsPerCaller: number;
  /** Retries of a chunk after its first attempt. */
  chunkRetries: number;
  /** A chunk whose worker has not heartbeated for this long is handed to another worker. */
  leaseSeconds: number;
  heartbeatSeconds: number;
  /** SIGTERM: how long running chunks may finish before they are handed back. */
  graceSeconds: number;
  /** pg-boss maintenance (expiry backstop, archive) interval. */
  maintenanceSeconds: number;
  /**
   * onnxruntime intra-op threads per session (LOOKAHEAD_ORT_THREADS). Default: this machine's
   * cores divided by the concurrency, at least 1, so one worker process with its chunks in flight
   * uses the machine without oversubscribing it. Several worker processes on one machine should
   * set it to cores / (processes x concurrency), e.g. 1 each for 2 workers on 2 cores.
   */
  ortThreads: number;
  /** A series read that takes longer is abandoned (a connection lost mid-read never ends on its own): the chunk is retried on a fresh pool. */
  readTimeoutSeconds: number;
  ortProviders: ('cpu' | 'cuda')[];
  /** Run a worker inside the web server: auto = only on the embedded PGlite default. */
  inProcessWorker: 'auto' | 'on' | 'off';
}

export function jobSettings(env: Record<string, string | undefined> = process.env): JobSettings {
  const parsed = environment.safeParse(env);
  if (!parsed.success) throw fromZodError('jobs', parsed.error);
  const value = parsed.data;
  const inProcess = value.LOOKAHEAD_INPROCESS_WORKER;
  return {
    concurrency: value.LOOKAHEAD_WORKER_CONCURRENCY,
    batchSize: value.LOOKAHEAD_BATCH_SIZE,
    chunkSize: value.LOOKAHEAD_JOB_CHUNK_SIZE,
    maxSeriesPerJob: value.LOOKAHEAD_JOB_MAX_SERIES,
    maxActiveJobsPerCaller: value.LOOKAHEAD_JOB_MAX_ACTIVE_PER_CALLER,
    chunkRetries: value.LOOKAHEAD_CHUNK_RETRIES,
    leaseSeconds: value.LOOKAHEAD_CHUNK_LEASE_SECONDS,
    heartbeatSeconds: value.LOOKAHEAD_HEARTBEAT_SECONDS,
    graceSeconds: value.LOOKAHEAD_WORKER_GRACE_SECONDS,
    maintenanceSeconds: value.LOOKAHEAD_QUEUE_MAINTENANCE_SECONDS,
    ortThreads: value.LOOKAHEAD_ORT_THREADS || Math.max(1, Math.floor(availableParallelism() / value.LOOKAHEAD_WORKER_CONCURRENCY)),
    readTimeoutSeconds: value.LOOKAHEAD_JOB_READ_TIMEOUT_SECONDS,
    ortProviders: value.LOOKAHEAD_ORT_PROVIDERS,
    inProcessWorker: inProcess === '1' ? 'on' : inProcess === '0' ? 'off' : inProcess,
  };
}
