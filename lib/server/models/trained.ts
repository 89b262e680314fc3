import 'server-only';
import { createHash } from 'node:crypto';
import { LookaheadError } from '@/lib/core/errors';
import type { ModelInfo } from '@/lib/models/model';
import { createInformerForecastModel, decodeSafetensors, type InformerConfig, type InformerForecastModel, type ResidualCalibration, type StandardScaler } from '@/lib/models/informer';
import { loadTf } from '@/lib/runtime/tfjs-node';
import { getTrainedModel, getTrainedWeights, insertTrainedModel, listTrainedModels, type DatabaseHandle, type TrainedModelRow } from '@/db';

/**
 * Trained models (Informer revisions from `train` jobs), stored in the database (migration 0012) so
 * every web server and worker sees the same ones: list, resolve `id` / `id@revision` to a runnable
 * model (tfjs WASM in Node, loaded once per sha256), store a new revision. Ids start with
 * "informer-", so a reference that does not is never looked up here.
 */

export const TRAINED_ID_PATTERN = /^informer-[a-z0-9][a-z0-9-]{0,62}$/;

export function isTrainedReference(reference: string): boolean {
  return TRAINED_ID_PATTERN.test(reference.split('@')[0]!);
}

/** What a stored revision carries in `config` (the preset it came from and the full network config). */
export interface TrainedConfig {
  preset: { task: string; size: string };
  model: InformerConfig;
  training: Record<string, unknown>;
  scaler: StandardScaler;
  /** Frequency label of the training data ("1h"). */
  frequency: string | null;
}

export interface TrainedModelSummary extends ModelInfo {
  family: 'informer';
  revision: string;
  sha256: string;
  current: boolean;
  weightsBytes: number;
  weightsUrl: string;
  config: TrainedConfig;
  dataWindow: Record<string, unknown>;
  metrics: Record<string, unknown>;
  jobId: string | null;
  createdAt: string;
  /** How the quantiles are made. */
  intervals: string;
}

const INTERVALS_NOTE = 'quantiles are the point forecast plus empirical quantiles of validation-split residuals per horizon step (no quantile head)';

export function summarizeTrained(row: TrainedModelRow): TrainedModelSummary {
  return {
    id: row.id,
    family: 'informer',
    label: row.label,
    revision: row.revision,
    sha256: row.sha256,
    current: row.current,
    weightsBytes: row.weightsBytes,
    weightsUrl: `/api/models/trained/${encodeURIComponent(row.id)}/${encodeURIComponent(row.revision)}/weights`,
    config: row.config as unknown as TrainedConfig,
    dataWindow: row.dataWindow,
    metrics: row.metrics,
    jobId: row.jobId,
    createdAt: row.createdAt.toISOString(),
    intervals: INTERVALS_NOTE,
  };
}

/** Every revision, current first per id (GET /api/models lists these under `trained`). */
export async function listTrainedSummaries(handle: DatabaseHandle, options: { id?: string } = {}): Promise<TrainedModelSummary[]> {
  return (await listTrainedModels(handle, options)).map(summarizeTrained);
}

/** `id` (its current revision) or `id@revision`; null when there is none. */
export async function findTrainedModel(handle: DatabaseHandle, reference: string): Promise<TrainedModelRow | null> {
  const [id, revision] = reference.split('@') as [string, string | undefined];
  return getTrainedModel(handle, { id, ...(revision ? { revision } : {}) });
}

const loaded = new Map<string, Promise<InformerForecastModel>>();

/** A runnable model for a stored revision (cached per sha256: the weights never change under it). */
export async function loadTrainedForecaster(handle: DatabaseHandle, row: TrainedModelRow): Promise<{ model: InformerForecastModel; runtime: string; sha256: string }> {
  let model = loaded.get(row.sha256);
  if (!model) {
    model = (async () => {
      const bytes = await getTrainedWeights(handle, { id: row.id, revision: row.revision });
      if (!bytes) throw new LookaheadError('models', 'not_found', `trained model ${row.id}@${row.revision} was deleted`);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (sha256 !== row.sha256) throw new LookaheadError('models', 'internal', `trained model ${row.id}@${row.revision}: the stored weights hash to ${sha256.slice(0, 12)}, the record says ${row.sha256.slice(0, 12)}`);
      const tf = await loadTf('wasm');
      const config = row.config as unknown as TrainedConfig;
      return createInformerForecastModel(
        tf,
        {
          info: { id: row.id, family: 'informer', label: row.label, revision: row.revision },
          config: config.model,
          scaler: config.scaler,
          calibration: row.calibration as unknown as ResidualCalibration,
          trainedFrequency: config.frequency,
        },
        decodeSafetensors(bytes).tensors,
      );
    })();
    model.catch(() => loaded.delete(row.sha256));
    loaded.set(row.sha256, model);
  }
  return { model: await model, runtime: 'tfjs (wasm)', sha256: row.sha256 };
}

/** Frees a cached model (after its revision is deleted). */
export async function forgetTrainedForecaster(sha256: string): Promise<void> {
  const model = loaded.get(sha256);
  loaded.delete(sha256);
  (await model?.catch(() => null))?.dispose();
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface StoreTrainedModel {
  id: string;
  label: string;
  weights: Uint8Array;
  config: TrainedConfig;
  dataWindow: Record<string, unknown>;
  metrics: Record<string, unknown>;
  history: Record<string, unknown>;
  calibration: ResidualCalibration;
  jobId?: string | null;
  trainingRunId?: string | null;
  createdBy?: string | null;
}

/** Stores a revision (named by the first 12 hex digits of the weights' sha256) and makes it current. */
export async function storeTrainedModel(handle: DatabaseHandle, model: StoreTrainedModel): Promise<{ id: string; revision: string; sha256: string; inserted: boolean }> {
  if (!TRAINED_ID_PATTERN.test(model.id)) throw new LookaheadError('models', 'bad_input', `trained model id ${JSON.stringify(model.id)} must match ${TRAINED_ID_PATTERN}`);
  const sha256 = sha256Hex(model.weights);
  const revision = sha256.slice(0, 12);
  const { inserted } = await insertTrainedModel(handle, {
    id: model.id, revision, family: 'informer', label: model.label, sha256, weights: model.weights,
    config: model.config as unknown as Record<string, unknown>, dataWindow: model.dataWindow, metrics: model.metrics, history: model.history,
    calibration: model.calibration as unknown as Record<string, unknown>,
    jobId: model.jobId ?? null, trainingRunId: model.trainingRunId ?? null, createdBy: model.createdBy ?? null,
  });
  return { id: model.id, revision, sha256, inserted };
}

/** The stored revision `id@revision`, or a 404 naming what exists. */
export async function requireTrainedRevision(handle: DatabaseHandle, id: string, revision: string): Promise<TrainedModelRow> {
  const row = await getTrainedModel(handle, { id, revision });
  if (row) return row;
  const revisions = (await listTrainedModels(handle, { id })).map((entry) => entry.revision);
  throw new LookaheadError('models', 'not_found', revisions.length
    ? `trained model ${id.slice(0, 80)} has no revision "${revision.slice(0, 40)}"; it has ${revisions.join(', ')}`
    : `no trained model "${id.slice(0, 80)}"; GET /api/models lists them under "trained"`);
}
