import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Shared forecast snapshots (`/f/<token>`). A row is immutable once written: the link shows the
 * same numbers forever, until it expires or its creator deletes it (the row is then removed, so
 * a deleted link and one that never existed look the same). Only the SHA-256 of the delete
 * secret is kept.
 */
export const forecastShares = pgTable(
  'forecast_shares',
  {
    /** base64url, 144 random bits. */
    token: text('token').primaryKey(),
    deleteSecretSha256: text('delete_secret_sha256').notNull(),
    /** The validated report, serialised once (lib/report); served as it was stored. */
    snapshot: text('snapshot').notNull(),
    /** UTF-8 bytes of `snapshot`, checked against the size cap when it was stored. */
    bytes: integer('bytes').notNull(),
    title: text('title').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** null: never expires. */
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
  },
  // The purge of expired links scans by expiry.
  (table) => [index('forecast_shares_expires_at_idx').on(table.expiresAt)],
);

export type ForecastShare = typeof forecastShares.$inferSelect;
export type NewForecastShare = typeof forecastShares.$inferInsert;
