import { customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Uint8Array }>({ dataType: () => 'bytea' });

/**
 * Heavy jobs run by server workers (migration 0003). The queue itself is pg-boss in its own
 * schema (`pgboss`); these tables are the job record the app reads: one row per job, one per
 * chunk (the unit a worker leases, retries and reports), one per (job, chunk, series) result, so a
 * retried chunk can never write a series twice. Any job kind fits: `series` is the kind's item key
 * (a series id for forecasts and backtests, e.g. a training shard for `train`).
 */
export const jobs = pgTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    /** queued | running | completed | completed_with_failures | failed | cancelled */
    state: text('state').notNull().default('queued'),
    /** The kind's validated parameters, as submitted. */
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    title: text('title').notNull().default(''),
    /** The access principal that submitted it ("token:alice"; migration 0011), for per-caller limits. */
    submittedBy: text('submitted_by'),
    totalSeries: integer('total_series').notNull(),
    totalChunks: integer('total_chunks').notNull(),
    /** The kind's bounded summary when finished (e.g. the backtest comparison). */
    summary: jsonb('summary').$type<Record<string, unknown>>(),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [index('jobs_created_at_idx').on(table.createdAt), index('jobs_submitted_by_state_idx').on(table.submittedBy, table.state)],
);

export const jobChunks = pgTable(
  'job_chunks',
  {
    jobId: text('job_id').notNull().references(() => jobs.id, { onDelete: 'cascade' }),
    chunkIndex: integer('chunk_index').notNull(),
    /** Item keys of the chunk, in order. */
    series: jsonb('series').$type<string[]>().notNull(),
    /** Job position of the chunk's first item. */
    firstPosition: integer('first_position').notNull(),
    /** queued | running | done | failed | cancelled */
    state: text('state').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    worker: text('worker'),
    queueJobId: text('queue_job_id'),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    seriesDone: integer('series_done').notNull().default(0),
    seriesFailed: integer('series_failed').notNull().default(0),
    error: text('error'),
  },
  (table) => [primaryKey({ columns: [table.jobId, table.chunkIndex] }), index('job_chunks_running_idx').on(table.state, table.heartbeatAt)],
);

export const jobResults = pgTable(
  'job_results',
  {
    jobId: text('job_id').notNull().references(() => jobs.id, { onDelete: 'cascade' }),
    chunkIndex: integer('chunk_index').notNull(),
    seriesId: text('series_id').notNull(),
    /** Order of the series in the job (for stable listing and downloads). */
    position: integer('position').notNull(),
    /** ok | failed */
    status: text('status').notNull(),
    /** The payload's shape; its long arrays are references into `arrays` (db/queries/packed-payload.ts). */
    payload: jsonb('payload').$type<Record<string, unknown>>(),
    /** The payload's long arrays as little-endian float64 (null: none packed, or a row from before 0015). */
    arrays: bytea('arrays'),
    error: text('error'),
    attempt: integer('attempt').notNull(),
    worker: text('worker').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.jobId, table.chunkIndex, table.seriesId] }), index('job_results_position_idx').on(table.jobId, table.position)],
);

/** Worker processes, for "which worker" and liveness on the page. */
export const jobWorkers = pgTable('job_workers', {
  id: text('id').primaryKey(),
  host: text('host').notNull(),
  pid: integer('pid').notNull(),
  concurrency: integer('concurrency').notNull(),
  providers: text('providers').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  heartbeatAt: timestamp('heartbeat_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  stoppedAt: timestamp('stopped_at', { withTimezone: true, mode: 'date' }),
});
