import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { uploadedSources } from './schema-data-plane';

/**
 * How an uploaded file holds its series (one row per upload): the layout it was read in, the
 * column that names series in the stored parquet and the key columns it came from, the targets
 * and covariates the roles code chose. Uploads stored before multi-series files have no row here
 * and hold one series.
 */
export const uploadLayouts = pgTable('upload_layouts', {
  uploadId: text('upload_id')
    .primaryKey()
    .references(() => uploadedSources.id, { onDelete: 'cascade' }),
  /** 'single', 'long' or 'wide'. */
  layout: text('layout').notNull(),
  /** The series id column of the stored parquet; null for one series. */
  entityColumn: text('entity_column'),
  /** The file's key columns (several for a composite key). */
  keyColumns: jsonb('key_columns').$type<string[]>().notNull(),
  targets: jsonb('targets').$type<string[]>().notNull(),
  covariates: jsonb('covariates').$type<string[]>().notNull(),
  seriesCount: integer('series_count').notNull(),
  /** 'timestamps' (the file's), 'given' (wide: the user's frequency and start) or 'steps'. */
  timeAxis: text('time_axis').notNull(),
});

/** The series of an upload with their row counts and time ranges: what GET /series lists. */
export const uploadSeries = pgTable(
  'upload_series',
  {
    uploadId: text('upload_id')
      .notNull()
      .references(() => uploadedSources.id, { onDelete: 'cascade' }),
    seriesId: text('series_id').notNull(),
    /** Position in the stored file's order (sorted by id). */
    position: integer('position').notNull(),
    key: jsonb('key').$type<string[]>().notNull(),
    rowCount: bigint('row_count', { mode: 'number' }).notNull(),
    startTs: timestamp('start_ts', { withTimezone: true, mode: 'date' }).notNull(),
    endTs: timestamp('end_ts', { withTimezone: true, mode: 'date' }).notNull(),
    frequency: text('frequency'),
    missingSteps: bigint('missing_steps', { mode: 'number' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.uploadId, table.seriesId] }), index('upload_series_position_idx').on(table.uploadId, table.position)],
);

export type UploadLayout = typeof uploadLayouts.$inferSelect;
export type UploadSeries = typeof uploadSeries.$inferSelect;
