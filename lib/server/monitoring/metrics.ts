import 'server-only';
import { Counter, Gauge, Histogram, Registry } from './prometheus';

/**
 * The process's Prometheus metrics (GET /metrics). Request counts and latency per route and
 * model are counted in memory where requests are handled; gauges that belong to other parts (job
 * queue depth, workers) are read at scrape time from a provider those parts register, and read 0
 * until one is registered.
 */

const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface QueueStats {
  /** Jobs waiting, per queue name. */
  depth: Record<string, number>;
  /** Worker processes with a recent heartbeat. */
  workers: number;
  /** Jobs running now. */
  active?: number;
}

function createMetrics() {
  const registry = new Registry();
  return {
    registry,
    httpRequests: registry.register(new Counter('lookahead_http_requests_total', 'HTTP requests by route, method, status and model', ['route', 'method', 'status', 'model'])),
    httpDuration: registry.register(new Histogram('lookahead_http_request_duration_seconds', 'HTTP request latency by route and model', ['route', 'method', 'model'], LATENCY_BUCKETS_SECONDS)),
    inferences: registry.register(new Counter('lookahead_inference_total', 'Model runs recorded, by model, runtime, origin and outcome', ['model', 'runtime', 'origin', 'outcome'])),
    inferenceDuration: registry.register(new Histogram('lookahead_inference_duration_seconds', 'Model run latency as recorded (browser runs as reported by the browser)', ['model', 'runtime', 'origin'], LATENCY_BUCKETS_SECONDS)),
    eventsBuffered: registry.register(new Gauge('lookahead_monitoring_events_buffered', 'Monitoring events waiting in memory to be written', ['buffer'])),
    eventsWritten: registry.register(new Gauge('lookahead_monitoring_events_written_total', 'Monitoring events written to the database since start (counter)', ['buffer'])),
    eventsDropped: registry.register(new Gauge('lookahead_monitoring_events_dropped_total', 'Monitoring events dropped (buffer full or database down) since start (counter)', ['buffer'])),
    queueDepth: registry.register(new Gauge('lookahead_job_queue_depth', 'Jobs waiting in the queue', ['queue'])),
    jobsActive: registry.register(new Gauge('lookahead_jobs_active', 'Jobs running now')),
    workers: registry.register(new Gauge('lookahead_workers', 'Job worker processes with a recent heartbeat')),
    trainingRunsActive: registry.register(new Gauge('lookahead_training_runs_active', 'Training runs with status running')),
    trainingRuns: registry.register(new Gauge('lookahead_training_runs', 'Training runs recorded in training_runs, by status and origin (read from the database at each scrape)', ['status', 'origin'])),
    trainingEpochs: registry.register(new Gauge('lookahead_training_epochs_total', 'Epochs recorded in training_metrics (epoch rows with a validation or train loss), by origin (read at each scrape; a counter while retention keeps them)', ['origin'])),
    alertFirings: registry.register(new Counter('lookahead_alert_firings_total', 'Alert rule firings, by rule and delivery', ['rule', 'delivered'])),
    queueProvider: null as null | (() => Promise<QueueStats>),
  };
}

type Metrics = ReturnType<typeof createMetrics>;
const globalForMetrics = globalThis as unknown as { lookaheadMetrics?: Metrics };

/** One registry per process (kept across hot reloads in development). */
export function metrics(): Metrics {
  globalForMetrics.lookaheadMetrics ??= createMetrics();
  return globalForMetrics.lookaheadMetrics;
}

/** The job queue (issue 9) registers how to read its depth and workers; until then they read 0. */
export function setQueueStatsProvider(provider: (() => Promise<QueueStats>) | null): void {
  metrics().queueProvider = provider;
}

export function observeHttpRequest({ route, method, status, seconds, model = '' }: { route: string; method: string; status: number; seconds: number; model?: string }): void {
  const registry = metrics();
  registry.httpRequests.inc({ route, method, status: String(status), model });
  registry.httpDuration.observe(seconds, { route, method, model });
}

/**
 * Wraps a route handler so that every call is counted with its status and latency. `model`
 * reads the model a request named (when the handler sets it), so the histogram is per model too.
 */
export function withRequestMetrics<Args extends unknown[]>(
  route: string,
  handler: (request: Request, ...rest: Args) => Promise<Response>,
): (request: Request, ...rest: Args) => Promise<Response> {
  return async (request, ...rest) => {
    const started = performance.now();
    let status = 500;
    try {
      const response = await handler(request, ...rest);
      status = response.status;
      return response;
    } finally {
      const model = requestModels.get(request) ?? '';
      observeHttpRequest({ route, method: request.method, status, seconds: (performance.now() - started) / 1000, model });
    }
  };
}

const requestModels = new WeakMap<Request, string>();

/** Labels the current request's metrics with the model it ran. */
export function labelRequestModel(request: Request, model: string): void {
  requestModels.set(request, model);
}
