import { boolean, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

/**
 * Trained models (migration 0012_trained_models.sql, hand-written): Informer revisions fitted by a
 * `train` job, with their weights (safetensors bytes) and everything needed to trust and reproduce
 * them; the newest checkpoint and live progress of each training run. Queries are raw SQL in
 * db/queries/trained-models.ts; drizzle sees the tables so the "app" source never offers them as data.
 */

const bytea = customType<{ data: Uint8Array }>({ dataType: () => 'bytea' });
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const trainedModels = pgTable(
  'trained_models',
  {
    id: text('id').notNull(),
    revision: text('revision').notNull(),
    family: text('family').notNull(),
    label: text('label').notNull(),
    current: boolean('current').notNull().default(false),
    sha256: text('sha256').notNull(),
    weights: bytea('weights').notNull(),
    weightsBytes: integer('weights_bytes').notNull(),
    config: jsonb('config').$type<Record<string, unknown>>().notNull(),
    dataWindow: jsonb('data_window').$type<Record<string, unknown>>().notNull(),
    metrics: jsonb('metrics').$type<Record<string, unknown>>().notNull(),
    history: jsonb('history').$type<Record<string, unknown>>().notNull(),
    calibration: jsonb('calibration').$type<Record<string, unknown>>().notNull(),
    jobId: text('job_id'),
    trainingRunId: text('training_run_id'),
    createdBy: text('created_by'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ name: 'trained_models_pk', columns: [table.id, table.revision] }),
    uniqueIndex('trained_models_current_idx').on(table.id).where(sql`${table.current}`),
    index('trained_models_created_idx').on(table.id, table.createdAt),
  ],
);

export const trainingCheckpoints = pgTable('training_checkpoints', {
  runId: text('run_id').primaryKey(),
  epoch: integer('epoch').notNull(),
  checkpoint: bytea('checkpoint').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const trainingProgress = pgTable('training_progress', {
  runId: text('run_id').primaryKey(),
  progress: jsonb('progress').$type<Record<string, unknown>>().notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/** ONNX exports of trained weights (migration 0013), keyed by the weights' sha256 and the exporter version. */
export const trainedModelOnnx = pgTable(
  'trained_model_onnx',
  {
    weightsSha256: text('weights_sha256').notNull(),
    exporterVersion: integer('exporter_version').notNull(),
    onnxSha256: text('onnx_sha256').notNull(),
    onnx: bytea('onnx').notNull(),
    onnxBytes: integer('onnx_bytes').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ name: 'trained_model_onnx_pk', columns: [table.weightsSha256, table.exporterVersion] })],
);
