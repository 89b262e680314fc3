import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase } from '@/db';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';

/** A migrations folder of our own: `entries` in journal order, each `[tag, when, sql]`. */
function writeMigrations(folder: string, entries: [string, number, string][]): void {
  mkdirSync(path.join(folder, 'meta'), { recursive: true });
  for (const [tag, , text] of entries) writeFileSync(path.join(folder, `${tag}.sql`), text);
  const journal = { version: '7', dialect: 'postgresql', entries: entries.map(([tag, when], idx) => ({ idx, version: '7', when, tag, breakpoints: true })) };
  writeFileSync(path.join(folder, 'meta/_journal.json'), JSON.stringify(journal));
}

for (const backend of backends) {
  describe.skipIf(!backend.available)(`migrations on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;
    const folder = mkdtempSync(path.join(os.tmpdir(), 'lookahead-migrations-'));

    beforeAll(async () => {
      database = await createTestDatabase(backend.name, { migrate: false });
    }, 120_000);

    afterAll(async () => {
      await database?.drop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('applies a migration whose date is older than the newest applied one (drizzle would skip it)', async () => {
      writeMigrations(folder, [
        ['0000_a', 1000, 'CREATE TABLE mig_a (id int);'],
        ['0002_c', 3000, 'CREATE TABLE mig_c (id int);\n--> statement-breakpoint\nINSERT INTO mig_c VALUES (3);'],
      ]);
      expect((await migrateDatabase(database.handle, { folder })).applied).toEqual(['0000_a', '0002_c']);
      // A branch merged later adds 0001 with an older date than 0002.
      writeMigrations(folder, [
        ['0000_a', 1000, 'CREATE TABLE mig_a (id int);'],
        ['0001_b', 2000, 'CREATE TABLE mig_b (id int);'],
        ['0002_c', 3000, 'CREATE TABLE mig_c (id int);\n--> statement-breakpoint\nINSERT INTO mig_c VALUES (3);'],
      ]);
      expect((await migrateDatabase(database.handle, { folder })).applied).toEqual(['0001_b']);
      const tables = await database.handle.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'mig_%' ORDER BY table_name",
      );
      expect(tables.map((row) => row.table_name)).toEqual(['mig_a', 'mig_b', 'mig_c']);
      // Nothing is applied twice: the insert of 0002 ran once.
      expect(await database.handle.query('SELECT * FROM mig_c')).toHaveLength(1);
      expect((await migrateDatabase(database.handle, { folder })).applied).toEqual([]);
    });

    it('rolls a failing migration back whole and applies it once fixed', async () => {
      writeMigrations(folder, [
        ['0000_a', 1000, 'CREATE TABLE mig_a (id int);'],
        ['0001_b', 2000, 'CREATE TABLE mig_b (id int);'],
        ['0002_c', 3000, 'CREATE TABLE mig_c (id int);\n--> statement-breakpoint\nINSERT INTO mig_c VALUES (3);'],
        ['0003_d', 4000, 'CREATE TABLE mig_d (id int);\n--> statement-breakpoint\nSELECT no_such_function();'],
      ]);
      await expect(migrateDatabase(database.handle, { folder })).rejects.toThrow(/no_such_function/);
      expect(await database.handle.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'mig_d'")).toHaveLength(0);
      writeMigrations(folder, [
        ['0000_a', 1000, 'CREATE TABLE mig_a (id int);'],
        ['0001_b', 2000, 'CREATE TABLE mig_b (id int);'],
        ['0002_c', 3000, 'CREATE TABLE mig_c (id int);\n--> statement-breakpoint\nINSERT INTO mig_c VALUES (3);'],
        ['0003_d', 4000, 'CREATE TABLE mig_d (id int);'],
      ]);
      expect((await migrateDatabase(database.handle, { folder })).applied).toEqual(['0003_d']);
    });

    it.skipIf(backend.name !== 'postgres')('lets processes that start together migrate one after another', async () => {
      const handles = await Promise.all([0, 1, 2].map(() => openDatabase({ url: database.url! })));
      try {
        writeMigrations(folder, [
          ['0000_a', 1000, 'CREATE TABLE mig_a (id int);'],
          ['0001_b', 2000, 'CREATE TABLE mig_b (id int);'],
          ['0002_c', 3000, 'CREATE TABLE mig_c (id int);\n--> statement-breakpoint\nINSERT INTO mig_c VALUES (3);'],
          ['0003_d', 4000, 'CREATE TABLE mig_d (id int);'],
          ['0004_e', 5000, 'CREATE TABLE mig_e (id int);'],
        ]);
        const results = await Promise.all(handles.map((handle) => migrateDatabase(handle, { folder })));
        expect(results.flatMap((result) => result.applied)).toEqual(['0004_e']);
      } finally {
        await Promise.all(handles.map((handle) => handle.close()));
      }
    });
  });
}

describe('the committed migrations', () => {
  it('apply to a fresh database and record every journal entry once', async () => {
    const handle = await openDatabase({ dataDir: 'memory://' });
    try {
      const { applied } = await migrateDatabase(handle);
      expect(applied.length).toBeGreaterThan(5);
      expect(new Set(applied).size).toBe(applied.length);
      expect((await migrateDatabase(handle)).applied).toEqual([]);
    } finally {
      await handle.close();
    }
  }, 120_000);
});
