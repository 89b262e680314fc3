import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** Every write through the HTTP API: who (actor, role, how identified), what (action, target), when. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    role: text('role').notNull(),
    via: text('via').notNull(),
    action: text('action').notNull(),
    target: text('target').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  },
  (table) => [index('audit_log_at_idx').on(table.at)],
);

/**
 * Fixed-window request counters per caller key (token name or client address), shared by every
 * server process through the database so a limit holds however many processes serve.
 */
export const rateLimitBuckets = pgTable(
  'rate_limit_buckets',
  {
    key: text('key').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true, mode: 'date' }).notNull(),
    count: integer('count').notNull(),
  },
  (table) => [primaryKey({ name: 'rate_limit_buckets_pk', columns: [table.key, table.windowStart] }), index('rate_limit_buckets_window_idx').on(table.windowStart)],
);

export type AuditEntry = typeof auditLog.$inferSelect;
