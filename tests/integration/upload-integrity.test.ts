import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUploadedSources } from '@/db';
import { storeCsvUpload } from '@/lib/server/uploads';
import { createTestDatabase, type TestDatabase } from '../support/databases';

/**
 * Uploads never leave half a file: a disk that fills up mid-write (a 64 KiB tmpfs, mounted when
 * the tests run as root; otherwise skipped, saying why) leaves no file and no row; concurrent
 * uploads of the same file each write their own temp file and end with one complete parquet file.
 */
const canMount = process.getuid?.() === 0 && process.platform === 'linux';

function csv(rows: number): Uint8Array {
  const lines = ['date,value,other'];
  for (let i = 0; i < rows; i++) lines.push(`${new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString()},${Math.sin(i) * 1000},${Math.cos(i * 7) * 12345.678}`);
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

describe('upload integrity', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('pglite');
  }, 60_000);
  afterAll(async () => {
    await database?.drop();
  });

  it.skipIf(!canMount)(`disk full during an upload: nothing half-written remains${canMount ? '' : ' (needs root to mount a small tmpfs)'}`, async () => {
    const full = mkdtempSync(path.join(os.tmpdir(), 'lookahead-full-'));
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full]);
    expect(mounted.status, mounted.stderr?.toString()).toBe(0);
    try {
      const error = await storeCsvUpload({ bytes: csv(20_000), fileName: 'big.csv' }, { handle: database.handle, uploadDir: full, maxBytes: 50 * 1024 * 1024 }).catch((caught: Error) => caught);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/^upload: could not store "big\.csv": .*ENOSPC/);
      expect(readdirSync(full)).toEqual([]);
      expect(await listUploadedSources({ handle: database.handle })).toEqual([]);
      // The disk has room again for a small file: the same path works.
      const { created } = await storeCsvUpload({ bytes: csv(10), fileName: 'small.csv' }, { handle: database.handle, uploadDir: full, maxBytes: 50 * 1024 * 1024 });
      expect(created).toBe(true);
      expect(readdirSync(full).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    } finally {
      spawnSync('umount', [full]);
      rmSync(full, { recursive: true, force: true });
    }
  });

  it('concurrent uploads of one file write separate temp files and end with one complete file', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'lookahead-race-'));
    try {
      const bytes = csv(5_000);
      const results = await Promise.all(Array.from({ length: 4 }, () => storeCsvUpload({ bytes, fileName: 'same.csv' }, { handle: database.handle, uploadDir: folder, maxBytes: 50 * 1024 * 1024 })));
      const ids = new Set(results.map((result) => result.upload.id));
      expect(ids.size).toBe(1);
      expect(readdirSync(folder)).toEqual([results[0]!.upload.storedFileName]);
      const { parquetMetadataAsync, asyncBufferFromFile } = await import('hyparquet');
      const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path.join(folder, results[0]!.upload.storedFileName)));
      expect(Number(metadata.num_rows)).toBe(5_000);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
