import 'server-only';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { DatabaseHandle } from './client';

export const migrationsFolder = path.resolve(process.cwd(), 'db/migrations');

/** Transaction-level advisory lock: processes starting together migrate one after another. */
const MIGRATION_LOCK = 7_310_391_502;

function rowsOf(result: unknown): Record<string, unknown>[] {
  return (Array.isArray(result) ? result : (result as { rows: Record<string, unknown>[] }).rows) ?? [];
}

/**
 * Applies the committed migrations (the same files serve PGlite and Postgres), in journal order,
 * in one transaction under an advisory lock.
 *
 * Unlike drizzle's own migrator, which applies only migrations newer than the newest one a
 * database has recorded, this applies every journal entry the database has not recorded (matched
 * by the journal's `when`, which drizzle stores as `created_at`). Two branches that each add a
 * migration therefore both reach a database that already ran the other's, instead of the older one
 * being skipped for good. The bookkeeping table is drizzle's (`drizzle.__drizzle_migrations`), so
 * databases migrated before this change carry on.
 */
export async function migrateDatabase(handle: DatabaseHandle, { folder = migrationsFolder }: { folder?: string } = {}): Promise<{ applied: string[] }> {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  const journal = readFileSync(path.join(folder, 'meta/_journal.json'), 'utf8');
  const tags = new Map<number, string>((JSON.parse(journal) as { entries: { when: number; tag: string }[] }).entries.map((entry) => [entry.when, entry.tag]));
  const applied: string[] = [];
  await handle.db.transaction(async (tx) => {
    await tx.execute(sql.raw(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`));
    await tx.execute(sql`CREATE SCHEMA IF NOT EXISTS drizzle`);
    await tx.execute(sql`CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
    const recorded = new Set(rowsOf(await tx.execute(sql`SELECT created_at FROM drizzle.__drizzle_migrations`)).map((row) => Number(row.created_at)));
    for (const migration of migrations) {
      if (recorded.has(migration.folderMillis)) continue;
      for (const statement of migration.sql) {
        if (statement.trim()) await tx.execute(sql.raw(statement));
      }
      await tx.execute(sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (${migration.hash}, ${migration.folderMillis})`);
      applied.push(tags.get(migration.folderMillis) ?? String(migration.folderMillis));
    }
  });
  return { applied };
}
