import 'server-only';
import {
  countTrainingRuns,
  trainingRunStats,
  getDatabase,
  insertForecastAudit,
  insertInferenceEvents,
  insertProcessSamples,
  insertTrainingMetrics,
  maintainMonitoringStorage,
  refreshModelPerformance,
  upsertTrainingRun,
  ROLLUP_WIDTHS,
  type DatabaseHandle,
  type ForecastAuditRow,
  type InferenceEventRow,
  type MaintenanceResult,
  type ProcessRole,
  type ProcessSampleRow,
  type RollupWidth,
  type TrainingMetricRow,
  type TrainingRunRow,
} from '@/db';
import { alertConfig, evaluateAlertRules } from '../anomalies/alerts';
import { checkTrainedModelsDrift } from '../anomalies/model-drift';
import { BatchWriter, type BatchWriterStats } from './batch-writer';
import { monitoringConfig, type MonitoringConfig } from './config';
import { metrics } from './metrics';
import { ProcessSampler } from './process-sampler';

/** A model run, wherever it ran. `time` defaults to now. */
export interface InferenceEvent {
  model: string;
  revision?: string | null;
  /** 'server-cpu' | 'server-cuda' | 'browser-webgpu' | 'browser-wasm' | 'browser-js' | ... */
  runtime: string;
  /** The device as the runtime described it ("onnxruntime-node (cpu)", "WebGPU (SwiftShader)"). */
  device: string;
  origin: 'browser' | 'server' | 'job';
  endpoint: string;
  seriesId?: string | null;
  seriesCount?: number;
  points: number;
  horizon: number;
  latencyMs: number;
  outcome: 'ok' | 'error' | 'cancelled';
  errorKind?: string | null;
  time?: Date;
}

export interface TrainingMetric {
  runId: string;
  model: string;
  epoch?: number | null;
  step?: number | null;
  trainLoss?: number | null;
  valLoss?: number | null;
  learningRate?: number | null;
  gradNorm?: number | null;
  stepMs?: number | null;
  device?: string | null;
  time?: Date;
}

export type AuditEntry = Omit<ForecastAuditRow, 'time' | 'tokenHash' | 'model' | 'modelRevision' | 'modelSha256' | 'source' | 'dataWindow' | 'details'> &
  Partial<Pick<ForecastAuditRow, 'tokenHash' | 'model' | 'modelRevision' | 'modelSha256' | 'source' | 'dataWindow' | 'details'>> & { time?: Date };

/** A job's life as the job queue (issue 9) reports it. */
export interface JobEvent {
  jobId: string;
  /** The job kind, e.g. 'backtest', 'forecast-table', 'train', 'detect-anomalies'. */
  kind: string;
  state: 'created' | 'active' | 'completed' | 'failed' | 'cancelled';
  actor?: string;
  workerId?: string;
  /** For completed/failed jobs that ran a model: recorded as an inference event with origin 'job'. */
  model?: string;
  revision?: string | null;
  runtime?: string;
  device?: string;
  seriesCount?: number;
  points?: number;
  horizon?: number;
  latencyMs?: number;
  errorKind?: string | null;
  details?: Record<string, unknown>;
}

export type ScheduledTask = (context: { handle: DatabaseHandle; now: Date; monitor: Monitor }) => Promise<unknown>;

export interface ScheduleReport {
  at: string;
  maintenance?: MaintenanceResult;
  rollups?: Record<RollupWidth, number>;
  tasks: Record<string, 'ok' | string>;
}

export interface MonitorOptions {
  database: () => Promise<DatabaseHandle>;
  config?: Partial<MonitoringConfig>;
}

export class Monitor {
  readonly config: MonitoringConfig;
  private readonly database: () => Promise<DatabaseHandle>;
  private readonly inferenceWriter: BatchWriter<InferenceEventRow>;
  private readonly metricWriter: BatchWriter<TrainingMetricRow>;
  private readonly auditWriter: BatchWriter<ForecastAuditRow>;
  private readonly sampleWriter: BatchWriter<ProcessSampleRow>;
  private readonly sampler = new ProcessSampler();
  private samplerTimer: ReturnType<typeof setInterval> | null = null;
  private readonly tasks = new Map<string, ScheduledTask>();
  private scheduleTimer: ReturnType<typeof setInterval> | null = null;
  private scheduleStopped = false;
  private scheduleRunning: Promise<ScheduleReport> | null = null;
  /** Start of the previous rollup refresh per width: the next one re-covers from one bucket before it. */
  private refreshedUntil: Partial<Record<RollupWidth, number>> = {};
  lastSchedule: ScheduleReport | null = null;
  trainingRunErrors = 0;

  constructor(options: MonitorOptions) {
    this.config = { ...monitoringConfig(), ...options.config };
    this.database = options.database;
    const common = { capacity: this.config.bufferCapacity, maxBatch: this.config.maxBatch, flushIntervalMs: this.config.flushIntervalMs };
    this.inferenceWriter = new BatchWriter({ ...common, name: 'inference_events', write: async (batch) => insertInferenceEvents(await this.database(), batch) });
    this.metricWriter = new BatchWriter({ ...common, name: 'training_metrics', write: async (batch) => insertTrainingMetrics(await this.database(), batch) });
    this.auditWriter = new BatchWriter({ ...common, name: 'forecast_audit', write: async (batch) => insertForecastAudit(await this.database(), batch) });
    this.sampleWriter = new BatchWriter({ ...common, name: 'process_samples', write: async (batch) => insertProcessSamples(await this.database(), batch) });
  }

  /**
   * Samples this process's CPU and memory into process_samples (buffered like events). Sampling
   * starts with the first server or job event this process records, runs every
   * processSampleIntervalMs, and once more at each schedule round (so a rollup has the newest);
   * a process that never recorded one (a browser-only server) writes none. Returns the sample, or
   * null when there is nothing to sample yet.
   */
  sampleProcess(now = new Date()): ProcessSampleRow | null {
    const sample = this.sampler.sample(now);
    if (!sample) return null;
    this.sampleWriter.push(sample);
    return sample;
  }

  private noteServedEvent(origin: InferenceEvent['origin']): void {
    if (origin === 'browser') return;
    this.sampler.served(origin === 'job' ? 'worker' : 'server');
    if (this.samplerTimer) return;
    this.samplerTimer = setInterval(() => this.sampleProcess(), this.config.processSampleIntervalMs);
    this.samplerTimer.unref?.();
  }

  /** Buffers one model run (never blocks, never throws); false when monitoring is off or the buffer is full. */
  recordInference(event: InferenceEvent): boolean {
    if (!this.config.enabled) return false;
    const registry = metrics();
    registry.inferences.inc({ model: event.model, runtime: event.runtime, origin: event.origin, outcome: event.outcome });
    registry.inferenceDuration.observe(event.latencyMs / 1000, { model: event.model, runtime: event.runtime, origin: event.origin });
    this.noteServedEvent(event.origin);
    return this.inferenceWriter.push({
      time: (event.time ?? new Date()).toISOString(),
      model: event.model,
      revision: event.revision ?? null,
      runtime: event.runtime,
      device: event.device,
      origin: event.origin,
      endpoint: event.endpoint,
      seriesId: event.seriesId ?? null,
      seriesCount: event.seriesCount ?? 1,
      points: event.points,
      horizon: event.horizon,
      latencyMs: event.latencyMs,
      outcome: event.outcome,
      errorKind: event.errorKind ?? null,
    });
  }

  recordTrainingMetric(metric: TrainingMetric): boolean {
    if (!this.config.enabled) return false;
    return this.metricWriter.push({
      time: (metric.time ?? new Date()).toISOString(),
      runId: metric.runId,
      model: metric.model,
      epoch: metric.epoch ?? null,
      step: metric.step ?? null,
      trainLoss: metric.trainLoss ?? null,
      valLoss: metric.valLoss ?? null,
      learningRate: metric.learningRate ?? null,
      gradNorm: metric.gradNorm ?? null,
      stepMs: metric.stepMs ?? null,
      device: metric.device ?? null,
    });
  }

  /**
   * Starts or updates a training run (one row per run; status changes are rare, so written
   * directly, not buffered). Resolves false instead of throwing when the database refuses.
   */
  async recordTrainingRun(run: TrainingRunRow): Promise<boolean> {
    if (!this.config.enabled) return false;
    try {
      await upsertTrainingRun(await this.database(), run);
      return true;
    } catch {
      this.trainingRunErrors += 1;
      return false;
    }
  }

  recordAudit(entry: AuditEntry): boolean {
    if (!this.config.enabled) return false;
    return this.auditWriter.push({
      time: (entry.time ?? new Date()).toISOString(),
      action: entry.action,
      actor: entry.actor,
      tokenHash: entry.tokenHash ?? null,
      model: entry.model ?? null,
      modelRevision: entry.modelRevision ?? null,
      modelSha256: entry.modelSha256 ?? null,
      source: entry.source ?? null,
      dataWindow: entry.dataWindow ?? {},
      details: entry.details ?? {},
    });
  }

  /** A job's state change: an audit row for every change; a finished job that ran a model is also an inference event. */
  recordJobEvent(event: JobEvent): void {
    this.recordAudit({
      action: 'job',
      actor: event.actor ?? (event.workerId ? `worker:${event.workerId}` : 'job-queue'),
      model: event.model ?? null,
      modelRevision: event.revision ?? null,
      details: { jobId: event.jobId, kind: event.kind, state: event.state, ...(event.workerId ? { workerId: event.workerId } : {}), ...(event.details ?? {}) },
    });
    if ((event.state === 'completed' || event.state === 'failed') && event.model && event.latencyMs !== undefined) {
      this.recordInference({
        model: event.model,
        revision: event.revision ?? null,
        runtime: event.runtime ?? 'server-cpu',
        device: event.device ?? 'cpu',
        origin: 'job',
        endpoint: `job:${event.kind}`,
        seriesCount: event.seriesCount ?? 1,
        points: event.points ?? 0,
        horizon: event.horizon ?? 0,
        latencyMs: event.latencyMs,
        outcome: event.state === 'completed' ? 'ok' : 'error',
        errorKind: event.errorKind ?? null,
      });
    }
  }

  stats(): BatchWriterStats[] {
    return [this.inferenceWriter.snapshot(), this.metricWriter.snapshot(), this.auditWriter.snapshot(), this.sampleWriter.snapshot()];
  }

  /** Writes everything buffered now (tests, shutdown, before a dashboard read in the same process). */
  async flush(): Promise<void> {
    await Promise.all([this.inferenceWriter.flush(), this.metricWriter.flush(), this.auditWriter.flush(), this.sampleWriter.flush()]);
  }

  /** Adds a task to the schedule (alert rules, drift); runs after storage upkeep and rollups. */
  addScheduledTask(name: string, task: ScheduledTask): void {
    this.tasks.set(name, task);
  }

  /**
   * One round of upkeep: partitions ahead and retention, the 5-minute and 1-hour rollups since
   * the previous round (from one bucket before it, for late events; the first round covers the
   * retention period), then every added task. Errors are reported per step, never thrown.
   */
  runSchedule(now = new Date()): Promise<ScheduleReport> {
    this.scheduleRunning ??= this.scheduleOnce(now).finally(() => {
      this.scheduleRunning = null;
    });
    return this.scheduleRunning;
  }

  private async scheduleOnce(now: Date): Promise<ScheduleReport> {
    const report: ScheduleReport = { at: now.toISOString(), tasks: {} };
    let handle: DatabaseHandle;
    try {
      handle = await this.database();
    } catch (error) {
      report.tasks.database = (error as Error).message;
      return (this.lastSchedule = report);
    }
    try {
      report.maintenance = await maintainMonitoringStorage(handle, { now, retentionDays: this.config.retentionDays });
      report.tasks.maintenance = 'ok';
    } catch (error) {
      report.tasks.maintenance = (error as Error).message;
    }
    this.sampleProcess(now);
    await this.flush();
    try {
      const rollups = {} as Record<RollupWidth, number>;
      for (const width of Object.keys(ROLLUP_WIDTHS) as RollupWidth[]) {
        const previous = this.refreshedUntil[width];
        const from = previous === undefined ? now.getTime() - this.config.retentionDays * 86_400_000 : previous - ROLLUP_WIDTHS[width] * 1000;
        rollups[width] = await refreshModelPerformance(handle, { width, from: new Date(from), to: now });
        this.refreshedUntil[width] = now.getTime();
      }
      report.rollups = rollups;
      report.tasks.rollups = 'ok';
    } catch (error) {
      report.tasks.rollups = (error as Error).message;
    }
    for (const [name, task] of this.tasks) {
      try {
        await task({ handle, now, monitor: this });
        report.tasks[name] = 'ok';
      } catch (error) {
        report.tasks[name] = (error as Error).message;
      }
    }
    return (this.lastSchedule = report);
  }

  /** Runs the schedule every scheduleIntervalMs in this process (worker processes stop it and run the schedule from the queue: lib/server/jobs/monitoring.ts). */
  startSchedule(): void {
    if (this.scheduleTimer || !this.config.enabled) return;
    this.scheduleStopped = false;
    this.scheduleTimer = setInterval(() => void this.runSchedule(), this.config.scheduleIntervalMs);
    this.scheduleTimer.unref?.();
    // The first round soon after start makes today's partitions; later rounds follow the interval.
    setTimeout(() => {
      if (!this.scheduleStopped) void this.runSchedule();
    }, Math.min(10_000, this.config.scheduleIntervalMs)).unref?.();
  }

  /** Stops this process's timer (a job worker process runs the schedule from the queue instead). */
  stopSchedule(): void {
    if (this.scheduleTimer) clearInterval(this.scheduleTimer);
    this.scheduleTimer = null;
    this.scheduleStopped = true;
  }

  async close(): Promise<void> {
    this.stopSchedule();
    if (this.samplerTimer) clearInterval(this.samplerTimer);
    this.samplerTimer = null;
    await Promise.all([this.inferenceWriter.close(), this.metricWriter.close(), this.auditWriter.close(), this.sampleWriter.close()]);
  }

  /** Renders /metrics: in-memory counters plus gauges read now (buffers, queue provider, running training runs). */
  async renderMetrics(): Promise<string> {
    const registry = metrics();
    for (const stats of this.stats()) {
      registry.eventsBuffered.set(stats.buffered, { buffer: stats.name });
      registry.eventsWritten.set(stats.written, { buffer: stats.name });
      registry.eventsDropped.set(stats.dropped, { buffer: stats.name });
    }
    let queue = { depth: {} as Record<string, number>, workers: 0, active: 0 };
    if (registry.queueProvider) {
      try {
        const provided = await registry.queueProvider();
        queue = { depth: provided.depth, workers: provided.workers, active: provided.active ?? 0 };
      } catch {
        queue = { depth: {}, workers: Number.NaN, active: Number.NaN };
      }
    }
    if (Object.keys(queue.depth).length === 0) registry.queueDepth.set(0, { queue: 'default' });
    for (const [name, depth] of Object.entries(queue.depth)) registry.queueDepth.set(depth, { queue: name });
    registry.workers.set(queue.workers);
    registry.jobsActive.set(queue.active);
    try {
      const handle = await this.database();
      registry.trainingRunsActive.set(await countTrainingRuns(handle, 'running'));
      const stats = await trainingRunStats(handle);
      registry.trainingRuns.reset();
      registry.trainingEpochs.reset();
      for (const run of stats.runs) registry.trainingRuns.set(run.count, { status: run.status, origin: run.origin });
      for (const epoch of stats.epochs) registry.trainingEpochs.set(epoch.count, { origin: epoch.origin });
    } catch {
      registry.trainingRunsActive.set(Number.NaN);
    }
    return registry.registry.render();
  }
}

const globalForMonitor = globalThis as unknown as { lookaheadMonitor?: Monitor };

/** The process's monitor, on the app database; its schedule starts with it. */
export function getMonitor(): Monitor {
  if (!globalForMonitor.lookaheadMonitor) {
    const monitor = new Monitor({ database: getDatabase });
    monitor.addScheduledTask('alerts', async ({ handle }) => {
      const config = alertConfig();
      if (config.rules.length === 0) return [];
      const results = await evaluateAlertRules({ handle, config });
      const failed = results.filter((result) => result.error);
      if (failed.length) throw new Error(failed.map((result) => `${result.rule}: ${result.error}`).join('; '));
      return results;
    });
    // Drift of every current trained model (training window vs the data after it), at most once per LOOKAHEAD_MODEL_DRIFT_MINUTES per revision.
    monitor.addScheduledTask('model-drift', async ({ handle, now }) => {
      const round = await checkTrainedModelsDrift({ handle, now, everyMinutes: modelDriftMinutes() });
      if (round.failed.length) throw new Error(round.failed.map((entry) => `${entry.model}: ${entry.error}`).join('; '));
      return round;
    });
    monitor.startSchedule();
    globalForMonitor.lookaheadMonitor = monitor;
  }
  return globalForMonitor.lookaheadMonitor;
}

/** LOOKAHEAD_MODEL_DRIFT_MINUTES (default 60): how often each current trained model's drift is checked. */
export function modelDriftMinutes(env: Record<string, string | undefined> = process.env): number {
  const text = env.LOOKAHEAD_MODEL_DRIFT_MINUTES?.trim();
  if (!text) return 60;
  const value = Number(text);
  if (!(value > 0)) throw new Error(`LOOKAHEAD_MODEL_DRIFT_MINUTES must be a positive number of minutes, got "${text.slice(0, 50)}"`);
  return value;
}

/** For tests, benchmarks and CLIs: replaces the process's monitor (the caller closes the one it replaced). */
export function setMonitor(monitor: Monitor | null): void {
  globalForMonitor.lookaheadMonitor = monitor ?? undefined;
}

export const recordInference = (event: InferenceEvent) => getMonitor().recordInference(event);
export const recordTrainingMetric = (metric: TrainingMetric) => getMonitor().recordTrainingMetric(metric);
export const recordTrainingRun = (run: TrainingRunRow) => getMonitor().recordTrainingRun(run);
export const recordJobEvent = (event: JobEvent) => getMonitor().recordJobEvent(event);
export const recordAudit = (entry: AuditEntry) => getMonitor().recordAudit(entry);
