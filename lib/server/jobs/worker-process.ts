import 'server-only';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '@/db';
import { getMonitor } from '@/lib/server/monitoring';
import { closeSourcePools } from '@/lib/server/sources';
import { jobSettings } from './config';
import { isLostConnection } from './connection-loss';
import { provideQueueStats } from './monitoring';
import { openJobQueue } from './queue';
import { startJobWorker } from './worker';

/**
 * `npm run worker`: one worker process on the shared Postgres (DATABASE_URL). SIGTERM/SIGINT:
 * stop taking chunks, give running ones LOOKAHEAD_WORKER_GRACE_SECONDS to finish, hand the rest
 * back to the queue, exit 0. A second signal exits at once (what is unfinished is retried after
 * its lease expires).
 */
export async function runWorkerProcess(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('jobs: npm run worker needs DATABASE_URL=postgres://... (the shared queue). On the embedded database, npm start runs a worker itself.');
    process.exit(2);
  }
  // A lost database connection that escaped every handler (lib/server/jobs/connection-loss.ts):
  // the connection is gone either way and the pools open new ones, so log it and keep the worker
  // alive; anything else still crashes the process (a crash loses at most the chunks in hand).
  process.on('uncaughtException', (error) => {
    if (isLostConnection(error)) {
      console.error(`jobs: lost a database connection (${error.message}); continuing`);
      return;
    }
    console.error(error);
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    if (isLostConnection(reason)) {
      console.error(`jobs: a database call lost its connection (${(reason as Error).message}); continuing`);
      return;
    }
    console.error(reason);
    process.exit(1);
  });
  const settings = jobSettings();
  const handle = await openDatabase({ url });
  await migrateDatabase(handle);
  const queue = await openJobQueue({ handle, url, settings, cron: true });
  // Workers run the monitoring schedule from the queue (one of them each minute), not on a timer of their own.
  getMonitor().stopSchedule();
  provideQueueStats(handle, settings);
  // Chunks read the app's own tables through a pool of their own (see startJobWorker's `reads`).
  const reads = { handle: await openDatabase({ url }), reopen: () => openDatabase({ url }) };
  const worker = await startJobWorker({ handle, queue, settings, reads, monitorSchedule: true });
  let signals = 0;
  const shutdown = async (signal: string) => {
    signals++;
    if (signals > 1) process.exit(130);
    console.log(`jobs: ${signal}: finishing running chunks (grace ${settings.graceSeconds} s)`);
    await worker.stop();
    await queue.stop();
    await closeSourcePools();
    await getMonitor().close().catch(() => undefined);
    await reads.handle.close().catch(() => undefined);
    await handle.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
