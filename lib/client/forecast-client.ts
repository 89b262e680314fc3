import { LookaheadError, type ErrorPayload } from '@/lib/core/errors';
import { telemetryAllowed } from './telemetry';
import type { BacktestJob, BacktestResult, CsvSummary, ForecastJob, ForecastResult, WorkerRequest, WorkerResponse } from './protocol';

type Pending = {
  resolve: (message: WorkerResponse) => void;
  reject: (error: Error) => void;
  onProgress?: (message: Extract<WorkerResponse, { kind: 'progress' }>) => void;
};

export class WorkerRequestError extends LookaheadError {
  constructor(payload: ErrorPayload) {
    super(payload.subsystem, payload.code, payload.message.replace(new RegExp(`^${payload.subsystem}: `), ''), { details: payload.details });
  }
}

/**
 * Promise API over the forecast worker: one pending entry per request id, progress routed to
 * the caller, AbortSignal turned into a `cancel` message, and the worker terminated on dispose.
 */
export class ForecastClient {
  private readonly pending = new Map<string, Pending>();
  private counter = 0;

  constructor(private readonly worker: Worker) {
    worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
      const message = event.data;
      const entry = this.pending.get(message.id);
      if (!entry) return;
      if (message.kind === 'progress') {
        entry.onProgress?.(message);
        return;
      }
      this.pending.delete(message.id);
      if (message.kind === 'error') entry.reject(new WorkerRequestError(message.error));
      else entry.resolve(message);
    };
    worker.onerror = (event) => {
      const error = new LookaheadError('worker', 'internal', `the forecast worker crashed: ${event.message}`);
      for (const entry of this.pending.values()) entry.reject(error);
      this.pending.clear();
    };
  }

  private request<K extends WorkerResponse['kind']>(
    message: Omit<WorkerRequest, 'id'> & { kind: WorkerRequest['kind'] },
    options: { signal?: AbortSignal; onProgress?: Pending['onProgress'] } = {},
  ): Promise<Extract<WorkerResponse, { kind: K }>> {
    const id = `r${++this.counter}`;
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new LookaheadError('forecast', 'cancelled', 'cancelled'));
        return;
      }
      options.signal?.addEventListener('abort', () => {
        this.worker.postMessage({ kind: 'cancel', id } satisfies WorkerRequest);
        this.pending.delete(id);
        reject(new LookaheadError('forecast', 'cancelled', 'cancelled'));
      });
      this.pending.set(id, { resolve: resolve as Pending['resolve'], reject, onProgress: options.onProgress });
      this.worker.postMessage({ ...message, id } as WorkerRequest);
    });
  }

  async probe() {
    return this.request<'device'>({ kind: 'probe' });
  }

  async forecast(job: ForecastJob, options: { signal?: AbortSignal; onProgress?: Pending['onProgress'] } = {}): Promise<ForecastResult> {
    return (await this.request<'result'>({ kind: 'forecast', job: { telemetry: telemetryAllowed(), ...job } } as never, options)).result;
  }

  /** Rolling-origin backtest of several models; progress per model and window; abort cancels between windows. */
  async backtest(job: BacktestJob, options: { signal?: AbortSignal; onProgress?: Pending['onProgress'] } = {}): Promise<BacktestResult> {
    return (await this.request<'backtest-result'>({ kind: 'backtest', job } as never, options)).result;
  }

  /** `wide`: a wide file's frequency and the time of its first value column (else integer steps). */
  async parseCsv(name: string, text: string, wide?: { frequency: string; start: string }): Promise<CsvSummary> {
    return (await this.request<'csv'>({ kind: 'parse-csv', name, text, ...(wide ? { wide } : {}) } as never)).table;
  }

  /** A parquet file of one or many series (single, long or wide), read in the worker as a CSV is. */
  async parseParquet(name: string, bytes: ArrayBuffer, wide?: { frequency: string; start: string }): Promise<CsvSummary> {
    return (await this.request<'csv'>({ kind: 'parse-csv', name, text: '', parquet: bytes, ...(wide ? { wide } : {}) } as never)).table;
  }

  dispose(): void {
    this.worker.terminate();
    for (const entry of this.pending.values()) entry.reject(new LookaheadError('worker', 'cancelled', 'worker stopped'));
    this.pending.clear();
  }
}
