import { csrfHeaders } from './csrf';
import { telemetryAllowed } from './telemetry';

/**
 * A browser training run's reports to POST /api/telemetry/training: the run (status, device,
 * parameters) and its step and epoch metrics, sent from the page in batches (every 2 s, at each
 * epoch and at the end), so /monitor charts browser runs beside server jobs. Fire-and-forget: a
 * failed report never disturbs training. Opt-out as for forecasts (localStorage
 * "lookahead.telemetry" = "off").
 */
export interface TrainingMetricReport {
  epoch: number;
  step?: number | null;
  trainLoss?: number | null;
  valLoss?: number | null;
  learningRate?: number | null;
  gradNorm?: number | null;
  stepMs?: number | null;
}

export interface TrainingRunReport {
  id: string;
  model: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  device?: string;
  revision?: string | null;
  parameters?: Record<string, unknown>;
  error?: string | null;
}

const FLUSH_MS = 2000;
const MAX_BATCH = 500;

export class TrainingTelemetry {
  private pending: TrainingMetricReport[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly enabled: boolean;

  private readonly url: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private run: TrainingRunReport, options: { origin?: string; fetchImpl?: typeof fetch; allowed?: boolean } = {}) {
    this.enabled = options.allowed ?? telemetryAllowed();
    this.url = new URL('/api/telemetry/training', options.origin ?? globalThis.location.origin).href;
    this.fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis);
  }

  /** Sends the run's new status (and what is queued) now. */
  status(status: TrainingRunReport['status'], extra: Partial<TrainingRunReport> = {}): void {
    this.run = { ...this.run, ...extra, status };
    this.flush();
  }

  metric(metric: TrainingMetricReport, { now = false }: { now?: boolean } = {}): void {
    if (!this.enabled) return;
    this.pending.push(metric);
    if (now || this.pending.length >= MAX_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.enabled) return;
    const metrics = this.pending.splice(0, MAX_BATCH);
    const clean = (value: number | null | undefined) => (value === undefined || value === null || !Number.isFinite(value) ? null : value);
    const body = JSON.stringify({
      run: { ...this.run, model: this.run.model.slice(0, 200), ...(this.run.error ? { error: this.run.error.slice(0, 2000) } : {}) },
      metrics: metrics.map((metric) => ({ epoch: metric.epoch, step: metric.step ?? null, trainLoss: clean(metric.trainLoss), valLoss: clean(metric.valLoss), learningRate: clean(metric.learningRate), gradNorm: clean(metric.gradNorm), stepMs: clean(metric.stepMs) })),
    });
    void this.fetchImpl(this.url, { method: 'POST', headers: { 'content-type': 'application/json', ...csrfHeaders() }, body, keepalive: body.length < 60_000 }).catch(() => {});
    if (this.pending.length) this.flush();
  }
}
