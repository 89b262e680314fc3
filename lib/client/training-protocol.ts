import type { ErrorPayload } from '@/lib/core/errors';
import type { EpochRecord, TrainingProgress, TrainingRequest } from '@/lib/models/informer';
import type { DeviceChoice, DevicePreference } from '@/lib/runtime/device';
import type { SeriesSource } from './protocol';

/**
 * The typed protocol between the page's training panel and workers/training.worker.ts: one run at
 * a time per worker, every message carrying the request id, every failure posted back.
 */

/** What to train: the series (as the forecast worker reads it), the preset and options, and where the model goes. */
export interface BrowserTrainingJob {
  /** "browser-<random>": the IndexedDB checkpoint key and the monitoring run id. */
  runId: string;
  source: SeriesSource;
  /** The data window as stored with the model: source, table, series, column and the window query. */
  dataWindow: { source: string; table: string | null; series: string | null; column: string; window: Record<string, string> };
  request: TrainingRequest;
  /** Newest points read (train/validation/test are 70/10/20 of them). */
  points: number;
  modelId: string;
  label: string;
  device?: DevicePreference;
}

/** The stored model's record (POST /api/models/trained `record` part); the weights travel beside it. */
export interface TrainedModelRecord {
  id: string;
  label: string;
  config: { preset: { task: string; size: string }; model: Record<string, unknown>; training: Record<string, unknown>; scaler: { mean: number[]; std: number[] }; frequency: string | null };
  dataWindow: Record<string, unknown> & { source: string; series: string | null; range: { from: string; to: string; rows: number } };
  metrics: Record<string, unknown> & { validation: { mse: number; mae: number }; test?: { mse: number; mae: number }; bestEpoch: number };
  history: { epochs: EpochRecord[]; stepLosses: number[] };
  calibration: { method: 'validation-residual-quantiles'; levels: number[]; residuals: number[][]; windows: number };
  trainingRunId: string;
}

export type TrainingWorkerRequest =
  | { kind: 'train'; id: string; job: BrowserTrainingJob }
  /** Continues the run saved in IndexedDB under runId from its newest epoch checkpoint. */
  | { kind: 'resume'; id: string; runId: string; device?: DevicePreference }
  | { kind: 'pause'; id: string }
  | { kind: 'continue'; id: string }
  | { kind: 'cancel'; id: string };

export type TrainingWorkerResponse =
  | { kind: 'status'; id: string; message: string }
  | {
      kind: 'started';
      id: string;
      runId: string;
      job: BrowserTrainingJob;
      device: DeviceChoice;
      /** Epochs already done (0 for a fresh run; the checkpoint's epoch when resumed). */
      resumedFromEpoch: number;
      epochs: number;
      stepsPerEpoch: number;
      history: EpochRecord[];
      stepLosses: number[];
      rows: number;
    }
  | { kind: 'progress'; id: string; progress: TrainingProgress }
  | { kind: 'checkpoint'; id: string; epoch: number; bytes: number }
  | { kind: 'paused'; id: string }
  | { kind: 'continued'; id: string }
  | { kind: 'trained'; id: string; record: TrainedModelRecord; weights: Uint8Array; seconds: number }
  | { kind: 'error'; id: string; error: ErrorPayload };
