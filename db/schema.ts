import { sql } from 'drizzle-orm';
import {
  boolean,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/** One row per dataset the app knows (samples shipped with the app, uploads). */
export const datasets = pgTable('datasets', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  /** 'sample' for the files shipped with the app, 'upload' for user files. */
  origin: text('origin').notNull(),
  fileName: text('file_name').notNull(),
  /** sha256 of the file the rows came from: a changed file is reloaded, an unchanged one skipped. */
  sha256: text('sha256').notNull(),
  timestampColumn: text('timestamp_column'),
  /** True when the file has no timestamps and the app assigned a regular index. */
  timestampsSynthetic: boolean('timestamps_synthetic').notNull().default(false),
  /** Numeric columns, in file order. */
  columns: jsonb('columns').$type<string[]>().notNull(),
  /** Frequency label ("1h", "1M", ...), null when it could not be inferred. */
  frequency: text('frequency'),
  rowCount: integer('row_count').notNull(),
  startTs: timestamp('start_ts', { withTimezone: true, mode: 'date' }),
  endTs: timestamp('end_ts', { withTimezone: true, mode: 'date' }),
  licence: text('licence').notNull().default(''),
  attribution: text('attribution').notNull().default(''),
  sourceUrl: text('source_url').notNull().default(''),
  /** Data-quality notes found at load time (gaps...), shown next to the dataset. */
  warnings: jsonb('warnings').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/**
 * Sample series in long format. The primary key (dataset, series, column, ts) is the B-tree that
 * turns "a time window of one column of one series" into an index range scan. Long format beats
 * a table per dataset here: one migration serves every dataset and the window query is the same
 * for all of them.
 */
export const seriesPoints = pgTable(
  'series_points',
  {
    datasetId: text('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    /** Entity id for multi-series datasets; '' for a single series. */
    seriesId: text('series_id').notNull().default(''),
    column: text('column_name').notNull(),
    ts: timestamp('ts', { withTimezone: true, mode: 'date' }).notNull(),
    /** NULL for a missing value. */
    value: doublePrecision('value'),
  },
  (table) => [primaryKey({ columns: [table.datasetId, table.seriesId, table.column, table.ts] })],
);

export type Dataset = typeof datasets.$inferSelect;
export type NewDataset = typeof datasets.$inferInsert;
export * from './schema-uploads';

/** Monitoring tables (issue 11): inference events, training runs and metrics, rollups, audit, alerts. */
export * from './schema-monitoring';
export * from './schema-access';
export * from './schema-jobs';
/** Trained models (Informer revisions from train jobs), training checkpoints and live progress (migration 0012). */
export * from './schema-trained-models';
