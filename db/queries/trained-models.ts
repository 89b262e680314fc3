import type { DatabaseHandle } from '../client';

/**
 * Trained model revisions (migration 0012): named query functions over raw SQL. Weights are read
 * only by getTrainedWeights, so listings never move megabytes.
 */

export interface TrainedModelRow {
  id: string;
  revision: string;
  family: string;
  label: string;
  current: boolean;
  sha256: string;
  weightsBytes: number;
  config: Record<string, unknown>;
  dataWindow: Record<string, unknown>;
  metrics: Record<string, unknown>;
  history: Record<string, unknown>;
  calibration: Record<string, unknown>;
  jobId: string | null;
  trainingRunId: string | null;
  createdBy: string | null;
  createdAt: Date;
}

export type NewTrainedModel = Omit<TrainedModelRow, 'current' | 'createdAt' | 'weightsBytes'> & { weights: Uint8Array };

const COLUMNS = `id, revision, family, label, current, sha256, weights_bytes AS "weightsBytes", config, data_window AS "dataWindow", metrics, history,
  calibration, job_id AS "jobId", training_run_id AS "trainingRunId", created_by AS "createdBy", created_at AS "createdAt"`;

function toRow(row: Record<string, unknown>): TrainedModelRow {
  return { ...(row as unknown as TrainedModelRow), createdAt: new Date(row.createdAt as string | Date) };
}

/**
 * Stores a revision and makes it current. A revision that already exists (a retried job storing the
 * same weights) is left as it is; answers whether this call inserted it.
 */
export async function insertTrainedModel(handle: DatabaseHandle, model: NewTrainedModel): Promise<{ inserted: boolean }> {
  return handle.transaction(async (query) => {
    const existing = await query<{ n: number }>(`SELECT count(*)::int AS n FROM trained_models WHERE id = $1 AND revision = $2`, [model.id, model.revision]);
    if (existing[0]!.n > 0) return { inserted: false };
    await query(`UPDATE trained_models SET current = false WHERE id = $1 AND current`, [model.id]);
    await query(
      `INSERT INTO trained_models (id, revision, family, label, current, sha256, weights, weights_bytes, config, data_window, metrics, history, calibration, job_id, training_run_id, created_by)
       VALUES ($1, $2, $3, $4, true, $5, $6::bytea, $7, $8::text::jsonb, $9::text::jsonb, $10::text::jsonb, $11::text::jsonb, $12::text::jsonb, $13, $14, $15)`,
      [
        model.id, model.revision, model.family, model.label, model.sha256, Buffer.from(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength), model.weights.byteLength,
        JSON.stringify(model.config), JSON.stringify(model.dataWindow), JSON.stringify(model.metrics), JSON.stringify(model.history), JSON.stringify(model.calibration),
        model.jobId, model.trainingRunId, model.createdBy,
      ],
    );
    return { inserted: true };
  });
}

/** Every revision (of one id when given), current first within an id, then newest first. */
export async function listTrainedModels(handle: DatabaseHandle, { id }: { id?: string } = {}): Promise<TrainedModelRow[]> {
  const rows = await handle.query(
    `SELECT ${COLUMNS} FROM trained_models ${id === undefined ? '' : 'WHERE id = $1'} ORDER BY id, current DESC, created_at DESC, revision`,
    id === undefined ? [] : [id],
  );
  return rows.map(toRow);
}

/** One revision, or the current one when `revision` is omitted; null when there is none. */
export async function getTrainedModel(handle: DatabaseHandle, { id, revision }: { id: string; revision?: string }): Promise<TrainedModelRow | null> {
  const rows = revision === undefined
    ? await handle.query(`SELECT ${COLUMNS} FROM trained_models WHERE id = $1 AND current`, [id])
    : await handle.query(`SELECT ${COLUMNS} FROM trained_models WHERE id = $1 AND revision = $2`, [id, revision]);
  return rows[0] ? toRow(rows[0]) : null;
}

export async function getTrainedWeights(handle: DatabaseHandle, { id, revision }: { id: string; revision: string }): Promise<Uint8Array | null> {
  const rows = await handle.query<{ weights: Uint8Array }>(`SELECT weights FROM trained_models WHERE id = $1 AND revision = $2`, [id, revision]);
  const weights = rows[0]?.weights;
  return weights ? new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength) : null;
}

/** Rollback (or forward): makes `revision` the current one of `id`. False when that revision does not exist. */
export async function setCurrentTrainedRevision(handle: DatabaseHandle, { id, revision }: { id: string; revision: string }): Promise<boolean> {
  return handle.transaction(async (query) => {
    const found = await query<{ n: number }>(`SELECT count(*)::int AS n FROM trained_models WHERE id = $1 AND revision = $2`, [id, revision]);
    if (found[0]!.n === 0) return false;
    await query(`UPDATE trained_models SET current = false WHERE id = $1 AND current AND revision <> $2`, [id, revision]);
    await query(`UPDATE trained_models SET current = true WHERE id = $1 AND revision = $2`, [id, revision]);
    return true;
  });
}

/**
 * Deletes one revision (or every revision of `id`). When the current revision goes and others
 * remain, the newest remaining becomes current, so a bare id keeps forecasting.
 */
export async function deleteTrainedModel(handle: DatabaseHandle, { id, revision }: { id: string; revision?: string }): Promise<{ deleted: number; current: string | null }> {
  return handle.transaction(async (query) => {
    const deleted = revision === undefined
      ? await query<{ revision: string }>(`DELETE FROM trained_models WHERE id = $1 RETURNING revision`, [id])
      : await query<{ revision: string }>(`DELETE FROM trained_models WHERE id = $1 AND revision = $2 RETURNING revision`, [id, revision]);
    // ONNX exports no remaining revision uses go with them (keyed by weights, shared across ids).
    await query(`DELETE FROM trained_model_onnx WHERE NOT EXISTS (SELECT 1 FROM trained_models m WHERE m.sha256 = trained_model_onnx.weights_sha256)`);
    const current = await query<{ revision: string }>(`SELECT revision FROM trained_models WHERE id = $1 AND current`, [id]);
    if (current[0]) return { deleted: deleted.length, current: current[0].revision };
    const newest = await query<{ revision: string }>(`SELECT revision FROM trained_models WHERE id = $1 ORDER BY created_at DESC, revision LIMIT 1`, [id]);
    if (newest[0]) await query(`UPDATE trained_models SET current = true WHERE id = $1 AND revision = $2`, [id, newest[0].revision]);
    return { deleted: deleted.length, current: newest[0]?.revision ?? null };
  });
}

export async function saveTrainingCheckpoint(handle: DatabaseHandle, { runId, epoch, checkpoint }: { runId: string; epoch: number; checkpoint: Uint8Array }): Promise<void> {
  await handle.query(
    `INSERT INTO training_checkpoints (run_id, epoch, checkpoint) VALUES ($1, $2, $3::bytea)
     ON CONFLICT (run_id) DO UPDATE SET epoch = excluded.epoch, checkpoint = excluded.checkpoint, updated_at = now()`,
    [runId, epoch, Buffer.from(checkpoint.buffer, checkpoint.byteOffset, checkpoint.byteLength)],
  );
}

export async function getTrainingCheckpoint(handle: DatabaseHandle, { runId }: { runId: string }): Promise<{ epoch: number; checkpoint: Uint8Array } | null> {
  const rows = await handle.query<{ epoch: number; checkpoint: Uint8Array }>(`SELECT epoch, checkpoint FROM training_checkpoints WHERE run_id = $1`, [runId]);
  const row = rows[0];
  return row ? { epoch: row.epoch, checkpoint: new Uint8Array(row.checkpoint.buffer, row.checkpoint.byteOffset, row.checkpoint.byteLength) } : null;
}

export async function deleteTrainingCheckpoint(handle: DatabaseHandle, { runId }: { runId: string }): Promise<void> {
  await handle.query(`DELETE FROM training_checkpoints WHERE run_id = $1`, [runId]);
}

export async function setTrainingProgress(handle: DatabaseHandle, { runId, progress }: { runId: string; progress: Record<string, unknown> }): Promise<void> {
  await handle.query(
    `INSERT INTO training_progress (run_id, progress) VALUES ($1, $2::text::jsonb)
     ON CONFLICT (run_id) DO UPDATE SET progress = excluded.progress, updated_at = now()`,
    [runId, JSON.stringify(progress)],
  );
}

export async function getTrainingProgress(handle: DatabaseHandle, { runId }: { runId: string }): Promise<Record<string, unknown> | null> {
  const rows = await handle.query<{ progress: Record<string, unknown> }>(`SELECT progress FROM training_progress WHERE run_id = $1`, [runId]);
  return rows[0]?.progress ?? null;
}

/** The cached ONNX export of weights `weightsSha256` by exporter `exporterVersion`, or null. */
export async function getTrainedOnnx(handle: DatabaseHandle, { weightsSha256, exporterVersion }: { weightsSha256: string; exporterVersion: number }): Promise<{ onnx: Uint8Array; onnxSha256: string } | null> {
  const rows = await handle.query<{ onnx: Uint8Array; onnxSha256: string }>(
    `SELECT onnx, onnx_sha256 AS "onnxSha256" FROM trained_model_onnx WHERE weights_sha256 = $1 AND exporter_version = $2`,
    [weightsSha256, exporterVersion],
  );
  const row = rows[0];
  return row ? { onnx: new Uint8Array(row.onnx.buffer, row.onnx.byteOffset, row.onnx.byteLength), onnxSha256: row.onnxSha256 } : null;
}

/** Stores an export; a concurrent worker's equal export is kept (answers whether this call inserted). */
export async function putTrainedOnnx(handle: DatabaseHandle, { weightsSha256, exporterVersion, onnx, onnxSha256 }: { weightsSha256: string; exporterVersion: number; onnx: Uint8Array; onnxSha256: string }): Promise<{ inserted: boolean }> {
  const rows = await handle.query<{ weightsSha256: string }>(
    `INSERT INTO trained_model_onnx (weights_sha256, exporter_version, onnx_sha256, onnx, onnx_bytes) VALUES ($1, $2, $3, $4::bytea, $5)
     ON CONFLICT (weights_sha256, exporter_version) DO NOTHING RETURNING weights_sha256 AS "weightsSha256"`,
    [weightsSha256, exporterVersion, onnxSha256, Buffer.from(onnx.buffer, onnx.byteOffset, onnx.byteLength), onnx.byteLength],
  );
  return { inserted: rows.length > 0 };
}
