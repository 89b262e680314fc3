import 'server-only';
import { getDatabase, migrateDatabase, type DatabaseHandle } from '@/db';
import { jobSettings, type JobSettings } from './config';
import { provideQueueStats } from './monitoring';
import { openJobQueue, type JobQueue } from './queue';
import { startJobWorker, type JobWorker } from './worker';

/**
 * The web server's view of the job queue: the app database, pg-boss on it, and, on the embedded
 * PGlite default (one process owns the database), a worker inside the server so heavy jobs run
 * with no set-up. With DATABASE_URL set the server only submits; `npm run worker` processes run.
 */
export interface JobSystem {
  handle: DatabaseHandle;
  queue: JobQueue;
  settings: JobSettings;
  worker: JobWorker | null;
}

const globalJobs = globalThis as unknown as { lookaheadJobSystem?: Promise<JobSystem> };

export function inProcessWorkerWanted(settings: JobSettings, handle: DatabaseHandle): boolean {
  return settings.inProcessWorker === 'on' || (settings.inProcessWorker === 'auto' && handle.kind === 'pglite');
}

export function getJobSystem(): Promise<JobSystem> {
  globalJobs.lookaheadJobSystem ??= (async () => {
    const settings = jobSettings();
    const handle = await getDatabase();
    // Idempotent; `npm start` has already migrated, but `next dev` and tests may not have.
    await migrateDatabase(handle);
    const queue = await openJobQueue({ handle, url: process.env.DATABASE_URL || undefined, settings });
    // GET /metrics reads the queue's depth, live workers and running jobs from the job tables.
    provideQueueStats(handle, settings);
    const worker = inProcessWorkerWanted(settings, handle) ? await startJobWorker({ handle, queue, settings }) : null;
    return { handle, queue, settings, worker };
  })();
  globalJobs.lookaheadJobSystem.catch(() => (globalJobs.lookaheadJobSystem = undefined));
  return globalJobs.lookaheadJobSystem;
}
