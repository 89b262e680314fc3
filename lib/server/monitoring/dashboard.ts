import 'server-only';
import { z } from 'zod';
import { dataFreshness, latestModelDriftChecks, listTrainedModels, latencyFromEvents, latencyFromRollups, listAlertFirings, listDriftChecks, processUsage, trainingCurves, type DriftCheckRow, type DatabaseHandle, type FreshnessRow, type LatencyPoint, type TrainingCurvePoint, type AlertFiringRow } from '@/db';
import { fromZodError } from '../http';
import { metrics } from './metrics';
import type { Monitor } from './monitor';

/**
 * What /monitor shows for a time range. Up to a day it reads inference_events directly (exact
 * percentiles per bucket); beyond a day only the 1-hour rollups (model_performance), merged in SQL
 * into buckets wide enough that each model·runtime line has at most MAX_POINTS_PER_LINE points
 * (a chart ~1,000 px wide gains nothing from more), one row per line: a 30-day view is 3-hour
 * buckets (240 points per line, 15 rows for 15 lines) instead of 720 rows per line.
 */
export const MAX_POINTS_PER_LINE = 300;
const rollupBucketSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000 / MAX_POINTS_PER_LINE / 3600)) * 3600;

export const DASHBOARD_RANGES = {
  '1h': { ms: 3_600_000, bucketSeconds: 60, read: 'raw' },
  '6h': { ms: 6 * 3_600_000, bucketSeconds: 300, read: 'raw' },
  '24h': { ms: 24 * 3_600_000, bucketSeconds: 900, read: 'raw' },
  '7d': { ms: 7 * 86_400_000, bucketSeconds: rollupBucketSeconds(7 * 86_400_000), read: 'rollup-1h' },
  '30d': { ms: 30 * 86_400_000, bucketSeconds: rollupBucketSeconds(30 * 86_400_000), read: 'rollup-1h' },
} as const;

export type DashboardRange = keyof typeof DASHBOARD_RANGES;

const rangeSchema = z.enum(Object.keys(DASHBOARD_RANGES) as [DashboardRange, ...DashboardRange[]], { error: `range must be one of ${Object.keys(DASHBOARD_RANGES).join(', ')}` });

export function parseDashboardRange(value: string | null): DashboardRange {
  const parsed = rangeSchema.safeParse(value ?? '24h');
  if (!parsed.success) throw fromZodError('monitor', parsed.error);
  return parsed.data;
}

export interface ResourcePoint {
  bucket: string;
  /** 'server' | 'worker' | 'server+worker' (raw reads), or '<model> · <runtime>' (rollups). */
  key: string;
  cpuPercent: number | null;
  memoryMb: number | null;
}

export interface DashboardData {
  range: DashboardRange;
  from: string;
  to: string;
  read: 'raw' | 'rollup-1h';
  bucketSeconds: number;
  /**
   * How the latency percentiles were obtained: 'exact' (from the events, per bucket: raw reads,
   * and rollup reads whose bucket is one rollup row), or 'merged' (rollup hours merged into wider
   * buckets: counts exact, p50/p90/p95 the request-weighted means of the hourly percentiles, p99
   * the largest hourly p99, an upper bound).
   */
  percentiles: 'exact' | 'merged';
  latency: LatencyPoint[];
  /**
   * CPU (mean, % of one core) and memory (peak RSS, MB) of the server and worker processes that
   * recorded events: per process role from process_samples for raw reads, per model and runtime
   * from the rollups' columns beyond a day.
   */
  resources: ResourcePoint[];
  training: TrainingCurvePoint[];
  queue: { depth: Record<string, number>; workers: number; active: number; connected: boolean };
  freshness: FreshnessRow[];
  alerts: AlertFiringRow[];
  /** The newest drift checks (drift alert rules, evaluated on the schedule), newest first. */
  drift: DriftCheckRow[];
  /**
   * Every current trained model with its training window and its newest drift check (the
   * schedule's own, else a rule's): PSI/KS of the training window vs the data after it, and the
   * model's rolling error there.
   */
  trainedModels: TrainedModelDrift[];
  buffers: ReturnType<Monitor['stats']>;
  queryMs: number;
}

export interface TrainedModelDrift {
  id: string;
  revision: string;
  label: string;
  createdAt: string;
  source: string | null;
  series: string | null;
  train: { from: string; to: string; rows: number } | null;
  drift: DriftCheckRow | null;
}

async function trainedModelDrift(handle: DatabaseHandle): Promise<TrainedModelDrift[]> {
  const models = (await listTrainedModels(handle)).filter((row) => row.current);
  const checks = await latestModelDriftChecks(handle, { models: models.map((row) => row.id) });
  return models.map((row) => {
    const data = row.dataWindow as { source?: string; series?: string; splits?: { train?: { from: string; to: string; rows: number } } };
    const mine = checks.filter((check) => check.model === row.id && (check.rollingError as { revision?: string } | null)?.revision === row.revision);
    return {
      id: row.id, revision: row.revision, label: row.label, createdAt: row.createdAt.toISOString(),
      source: data.source ?? null, series: data.series ?? null, train: data.splits?.train ?? null,
      drift: mine.find((check) => check.ruleId === null) ?? mine[0] ?? null,
    };
  });
}

export async function dashboardData({ handle, range, monitor, now = new Date() }: { handle: DatabaseHandle; range: DashboardRange; monitor: Monitor; now?: Date }): Promise<DashboardData> {
  const plan = DASHBOARD_RANGES[range];
  const to = now;
  const from = new Date(now.getTime() - plan.ms);
  const started = performance.now();
  const latency = plan.read === 'raw' ? await latencyFromEvents(handle, { from, to, bucketSeconds: plan.bucketSeconds }) : await latencyFromRollups(handle, { from, to, width: '1h', bucketSeconds: plan.bucketSeconds });
  const queryMs = performance.now() - started;
  const resources: ResourcePoint[] =
    plan.read === 'raw'
      ? (await processUsage(handle, { from, to, bucketSeconds: plan.bucketSeconds })).map((point) => ({ bucket: point.bucket, key: point.role, cpuPercent: point.cpuPercent, memoryMb: point.memoryMb }))
      : latency.filter((point) => point.cpuPercent !== null || point.memoryMb !== null).map((point) => ({ bucket: point.bucket, key: `${point.model} · ${point.runtime}`, cpuPercent: point.cpuPercent, memoryMb: point.memoryMb }));
  const provider = metrics().queueProvider;
  let queue: DashboardData['queue'] = { depth: {}, workers: 0, active: 0, connected: false };
  if (provider) {
    try {
      const stats = await provider();
      queue = { depth: stats.depth, workers: stats.workers, active: stats.active ?? 0, connected: true };
    } catch {
      queue = { depth: {}, workers: 0, active: 0, connected: false };
    }
  }
  return {
    range,
    from: from.toISOString(),
    to: to.toISOString(),
    read: plan.read,
    bucketSeconds: plan.bucketSeconds,
    percentiles: plan.read === 'raw' || plan.bucketSeconds === 3600 ? 'exact' : 'merged',
    latency,
    resources,
    training: await trainingCurves(handle, { from, to }),
    queue,
    freshness: await dataFreshness(handle),
    alerts: await listAlertFirings(handle, { limit: 50 }),
    drift: await listDriftChecks(handle, { limit: 50 }),
    trainedModels: await trainedModelDrift(handle),
    buffers: monitor.stats(),
    queryMs: Math.round(queryMs * 10) / 10,
  };
}
