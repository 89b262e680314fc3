import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The data plane's bookkeeping. The two ingest tables live in the database the rows are loaded
 * into (the app database via this migration; another source via db/ingest-tables.ts, which must
 * stay in step), so that a file's rows and its "loaded" record commit in one transaction.
 */

/**
 * One row per (target table, file content). A file whose sha256 is recorded as 'loaded' for a
 * table is skipped on every later run; 'failed' ones are retried.
 */
export const ingestedFiles = pgTable(
  'lookahead_ingested_files',
  {
    targetTable: text('target_table').notNull(),
    sha256: text('sha256').notNull(),
    /** The path as given on the command line, relative to its root when under one. */
    path: text('path').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    rowCount: bigint('row_count', { mode: 'number' }),
    /** 'loaded' or 'failed'. */
    status: text('status').notNull(),
    error: text('error'),
    runId: text('run_id').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.targetTable, table.sha256] })],
);

/** Append-only: one row per run start/finish and per file decision (loaded, skipped, failed). */
export const ingestAudit = pgTable(
  'lookahead_ingest_audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: text('run_id').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** run_started, run_finished, file_loaded, file_skipped, file_failed */
    event: text('event').notNull(),
    targetTable: text('target_table'),
    path: text('path'),
    sha256: text('sha256'),
    rowCount: bigint('row_count', { mode: 'number' }),
    /** The failure kind and message, counts, options: whatever explains the event. */
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  },
  (table) => [index('lookahead_ingest_audit_run_idx').on(table.runId)],
);

/**
 * CSV files uploaded through POST /api/uploads, stored as parquet under LOOKAHEAD_UPLOAD_DIR and
 * served as sources. The id is derived from the content hash, so the same file uploads once.
 */
export const uploadedSources = pgTable('uploaded_sources', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  originalFileName: text('original_file_name').notNull(),
  /** File name of the parquet copy inside the upload directory. */
  storedFileName: text('stored_file_name').notNull(),
  sha256: text('sha256').notNull(),
  sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
  rowCount: integer('row_count').notNull(),
  /** The timestamp column, under its name in the CSV. */
  timestampColumn: text('timestamp_column').notNull(),
  /** Numeric columns, in file order. */
  columns: jsonb('columns').$type<string[]>().notNull(),
  /** Text columns (entity ids and the like), in file order. */
  textColumns: jsonb('text_columns').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  frequency: text('frequency'),
  startTs: timestamp('start_ts', { withTimezone: true, mode: 'date' }),
  endTs: timestamp('end_ts', { withTimezone: true, mode: 'date' }),
  warnings: jsonb('warnings').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export type IngestedFile = typeof ingestedFiles.$inferSelect;
export type UploadedSource = typeof uploadedSources.$inferSelect;
export type NewUploadedSource = typeof uploadedSources.$inferInsert;
