import 'server-only';
import { jobQueueStats, type DatabaseHandle } from '@/db';
import { getMonitor, recordJobEvent, serverRuntimeKind, setQueueStatsProvider, type Monitor } from '@/lib/server/monitoring';
import type { JobSettings } from './config';
import { ensureQueue, retryStartupRace, type JobQueue } from './queue';

/**
 * What the job queue tells monitoring: every chunk's model run (an inference event with origin
 * 'job' plus an audit row, through recordJobEvent), the queue gauges of /metrics, and the
 * monitoring schedule (partitions, rollups, alert rules) run by whichever worker takes it from a
 * pg-boss schedule, so a deployment with workers needs no server timer for it.
 */

export const MONITOR_SCHEDULE_QUEUE = 'lookahead-monitor-schedule';

/** The model and horizon of a kind's params, when it ran one (forecast-batch: model; backtest-batch: models). */
function modelOf(params: unknown): { model: string | null; horizon: number; context: number } {
  const value = (params ?? {}) as { model?: unknown; models?: unknown; horizon?: unknown; context?: unknown };
  const model = typeof value.model === 'string' ? value.model : Array.isArray(value.models) ? value.models.filter((entry) => typeof entry === 'string').join('+') || null : null;
  return { model, horizon: typeof value.horizon === 'number' ? value.horizon : 0, context: typeof value.context === 'number' ? value.context : 0 };
}

export function recordChunkRun({
  jobId,
  kind,
  params,
  workerId,
  chunkIndex,
  settings,
  latencyMs,
  series,
  failed,
  error,
}: {
  jobId: string;
  kind: string;
  params: unknown;
  workerId: string;
  chunkIndex: number;
  settings: JobSettings;
  latencyMs: number;
  series: number;
  failed: number;
  error?: string;
}): void {
  try {
    const { model, horizon, context } = modelOf(params);
    const ok = series - failed;
    recordJobEvent({
      jobId,
      kind,
      state: error || ok === 0 && series > 0 ? 'failed' : 'completed',
      workerId,
      ...(model ? { model } : {}),
      runtime: serverRuntimeKind(settings.ortProviders.join(','), 'job'),
      device: `job worker (${settings.ortProviders.join(',')})`,
      seriesCount: Math.max(1, series),
      // Points read: the context asked for, per series (a series shorter than that reads fewer).
      points: context * series,
      horizon,
      latencyMs,
      errorKind: error ? 'chunk_failed' : failed > 0 ? 'series_failed' : null,
      details: { chunkIndex, series, failed, ...(error ? { error: error.slice(0, 300) } : {}) },
    });
  } catch (recordError) {
    // Monitoring never fails a chunk.
    console.error(`jobs: could not record chunk ${chunkIndex} of job ${jobId} for monitoring: ${(recordError as Error).message}`);
  }
}

/** Makes /metrics report this database's queue: waiting chunks per kind, live workers, running jobs. */
export function provideQueueStats(handle: DatabaseHandle, settings: JobSettings): void {
  setQueueStatsProvider(() => jobQueueStats({ handle, liveSeconds: settings.leaseSeconds }));
}

/**
 * Puts the monitoring schedule on the queue (every minute, pg-boss cron: one worker takes each
 * round) and works it. Returns a function that stops working it.
 */
export async function workMonitorSchedule({ queue, monitor = getMonitor, log }: { queue: JobQueue; monitor?: () => Monitor; log: (line: string) => void }): Promise<() => Promise<void>> {
  const boss = queue.boss;
  await ensureQueue(boss, MONITOR_SCHEDULE_QUEUE, { policy: 'singleton', retryLimit: 0, expireInSeconds: 600 });
  // Every worker upserts the same schedule row at start; a start-up race may deadlock one of them.
  await retryStartupRace(() => boss.schedule(MONITOR_SCHEDULE_QUEUE, '* * * * *', {}, { tz: 'UTC' }), { attempts: 5 });
  await boss.work(MONITOR_SCHEDULE_QUEUE, { batchSize: 1, pollingIntervalSeconds: 2 }, async () => runMonitorRound(monitor(), log));
  return async () => {
    await boss.offWork(MONITOR_SCHEDULE_QUEUE).catch(() => undefined);
  };
}

/** One schedule round as the worker runs it; a step that failed is logged, never thrown (the next minute retries). */
export async function runMonitorRound(monitor: Monitor, log: (line: string) => void): Promise<Record<string, unknown>> {
  const report = await monitor.runSchedule();
  const failed = Object.entries(report.tasks).filter(([, outcome]) => outcome !== 'ok');
  if (failed.length) log(`jobs: monitoring schedule: ${failed.map(([name, outcome]) => `${name}: ${outcome}`).join('; ')}`);
  return { at: report.at, tasks: report.tasks };
}
