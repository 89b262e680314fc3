import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IngestConfigurationError,
  IngestFilenameError,
  IngestNotFoundError,
  IngestQualityError,
  IngestSchemaError,
  runIngest,
  type IngestOptions,
} from '@/lib/server/ingest';
import { createTestDatabase, type TestDatabase } from '../support/databases';

/**
 * `npm run ingest` against real Postgres: idempotent re-runs, a run killed mid-file and resumed,
 * the audit log, and one typed error per failure kind. Each run gets a fresh database.
 */
const available = Boolean(process.env.DATABASE_URL);
const skipReason = 'DATABASE_URL is not set; ingestion needs Postgres (COPY), tests skipped (CI sets it)';
const PATTERN = '{entity}_{frequency}_{year}_{month}.parquet';
const MINUTE = 60_000;

function writeParquet(file: string, rows: number, { startMs = Date.UTC(2014, 0, 1), nullTimestampAt = -1, rowGroupSize = 50_000 } = {}): void {
  const ts = Array.from({ length: rows }, (_, index) => (index === nullTimestampAt ? null : startMs + index * MINUTE));
  const value = Array.from({ length: rows }, (_, index) => (index % 11 === 0 ? null : index / 4));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'ts', data: ts, type: 'TIMESTAMP', nullable: true },
          { name: 'close', data: value, type: 'DOUBLE', nullable: true },
        ],
        rowGroupSize,
      }),
    ),
  );
}

describe.skipIf(!available)(`data plane: ingestion${available ? '' : ` (${skipReason})`}`, () => {
  let database: TestDatabase;
  let sql: postgres.Sql;
  let temp: string;
  let env: Record<string, string | undefined>;
  const ingest = (options: Omit<IngestOptions, 'env'>) => runIngest({ ...options, env });
  /** Runs an ingestion and keeps the typed errors it raised for its failed files. */
  const ingestCollecting = async (options: Omit<IngestOptions, 'env' | 'onFailure'>) => {
    const errors: Error[] = [];
    const summary = await runIngest({ ...options, env, onFailure: (error) => errors.push(error) });
    return { summary, errors };
  };

  beforeAll(async () => {
    database = await createTestDatabase('postgres', { migrate: false });
    sql = postgres(database.url!, { max: 2, onnotice: () => {} });
    temp = mkdtempSync(path.join(os.tmpdir(), 'lookahead-ingest-'));
    env = { DATABASE_URL: database.url, LOOKAHEAD_SOURCES: JSON.stringify([{ id: 'warehouse', url: database.url }]) };
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    await database?.drop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('a partitioned directory loads once: a second run skips every file, each row is in the table once', async () => {
    const lake = path.join(temp, 'lake');
    writeParquet(path.join(lake, '2014', '01', `AAA_1min_2014_01.parquet`), 3_000);
    writeParquet(path.join(lake, '2014', '01', `BBB_1min_2014_01.parquet`), 2_000);
    writeParquet(path.join(lake, '2014', '02', `AAA_1min_2014_02.parquet`), 1_500, { startMs: Date.UTC(2014, 1, 1) });

    const first = await ingest({ path: lake, table: 'minute_prices', pattern: PATTERN });
    expect(first.loaded.map((file) => `${file.path}:${file.rows}`)).toEqual([
      '2014/01/AAA_1min_2014_01.parquet:3000',
      '2014/01/BBB_1min_2014_01.parquet:2000',
      '2014/02/AAA_1min_2014_02.parquet:1500',
    ]);
    expect(first.failed).toEqual([]);
    const second = await ingest({ path: lake, table: 'minute_prices', pattern: PATTERN });
    expect(second.loaded).toEqual([]);
    expect(second.skipped.map((file) => file.path)).toEqual(first.loaded.map((file) => file.path));

    const [counts] = await sql.unsafe(`SELECT count(*)::int AS rows, count(DISTINCT (entity, ts))::int AS distinct_rows, count(close)::int AS values FROM minute_prices`);
    expect(counts).toEqual({ rows: 6_500, distinct_rows: 6_500, values: 6_500 - (273 + 182 + 137) });
    const files = await sql.unsafe(`SELECT path, status, row_count::int AS rows, length(sha256) AS hash FROM lookahead_ingested_files WHERE target_table = 'public.minute_prices' ORDER BY path`);
    expect(files).toEqual(first.loaded.map((file) => ({ path: file.path, status: 'loaded', rows: file.rows, hash: 64 })));
    const audit = await sql.unsafe(`SELECT event FROM lookahead_ingest_audit WHERE run_id = $1 ORDER BY id`, [second.runId]);
    expect(audit.map((row) => row.event)).toEqual(['run_started', 'file_skipped', 'file_skipped', 'file_skipped', 'run_finished']);
    const index = await sql.unsafe(`SELECT indexdef FROM pg_indexes WHERE tablename = 'minute_prices'`);
    expect(index[0]!.indexdef).toContain('(entity, ts)');
  });

  it('a CSV with an entity column loads with its text and numeric columns, once', async () => {
    const file = path.join(temp, 'stores.csv');
    const lines = ['date,store,sales', ...Array.from({ length: 30 }, (_, day) => `2024-01-${String((day % 15) + 1).padStart(2, '0')},${day < 15 ? 'north' : 'south'},${day * 2}`)];
    writeFileSync(file, lines.join('\n'));
    const first = await ingest({ path: file, entityColumn: 'store' });
    expect(first.table).toBe('public.stores');
    expect(first.rows).toBe(30);
    await ingest({ path: file });
    const rows = await sql.unsafe(`SELECT store, count(*)::int AS n, sum(sales)::int AS total FROM stores GROUP BY store ORDER BY store`);
    expect(rows).toEqual([
      { store: 'north', n: 15, total: 210 },
      { store: 'south', n: 15, total: 660 },
    ]);
  });

  it('a run killed mid-file leaves none of that file; the re-run completes without duplicates', async () => {
    const lake = path.join(temp, 'killed');
    writeParquet(path.join(lake, 'a_small.parquet'), 1_000);
    writeParquet(path.join(lake, 'b_big.parquet'), 600_000, { startMs: Date.UTC(2015, 0, 1) });
    // tsx runs the script in a child process: the CLI gets a process group of its own so that
    // the kill reaches the process doing the COPY.
    const cli = (args: string[]) =>
      spawn(process.execPath, [path.resolve('node_modules/tsx/dist/cli.mjs'), '--conditions=react-server', 'scripts/ingest.ts', ...args], {
        env: { ...process.env, DATABASE_URL: database.url, LOOKAHEAD_SOURCES: '', LOOKAHEAD_PARQUET_PATTERN: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });

    const child = cli([lake, '--table', 'killed']);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Kill it while the big file's COPY is running on the server.
    let copying = false;
    for (let attempt = 0; attempt < 2_000 && !copying && child.exitCode === null; attempt++) {
      const rows = await sql.unsafe(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'COPY "public"."killed"%'`);
      copying = rows.length > 0 && output.includes('loaded a_small.parquet');
      if (!copying) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(copying, `the COPY of b_big.parquet was never seen running; output:\n${output}`).toBe(true);
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    for (let attempt = 0; attempt < 200; attempt++) {
      const open = await sql.unsafe(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY "public"."killed"%' AND state <> 'idle'`);
      if (open.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const [afterKill] = await sql.unsafe(`SELECT count(*)::int AS n FROM killed`);
    expect(afterKill!.n).toBe(1_000);
    const loadedAfterKill = await sql.unsafe(`SELECT path FROM lookahead_ingested_files WHERE target_table = 'public.killed' AND status = 'loaded'`);
    expect(loadedAfterKill.map((row) => row.path)).toEqual(['a_small.parquet']);

    const rerun = cli([lake, '--table', 'killed']);
    let rerunOutput = '';
    rerun.stdout.on('data', (chunk) => (rerunOutput += chunk));
    rerun.stderr.on('data', (chunk) => (rerunOutput += chunk));
    const code = await new Promise<number | null>((resolve) => rerun.on('exit', (exitCode) => resolve(exitCode)));
    expect(code, rerunOutput).toBe(0);
    expect(rerunOutput).toContain('ingest: skipped a_small.parquet: already loaded into public.killed');
    expect(rerunOutput).toContain('ingest: loaded b_big.parquet: 600000 rows');
    const [final] = await sql.unsafe(`SELECT count(*)::int AS n, count(DISTINCT ts)::int AS distinct_ts FROM killed`);
    expect(final).toEqual({ n: 601_000, distinct_ts: 601_000 });
    const runs = await sql.unsafe(
      `SELECT run_id, array_agg(event ORDER BY id) AS events FROM lookahead_ingest_audit WHERE target_table = 'public.killed' GROUP BY run_id ORDER BY min(id)`,
    );
    expect(runs.map((run) => run.events)).toEqual([
      ['run_started', 'file_loaded'],
      ['run_started', 'file_skipped', 'file_loaded', 'run_finished'],
    ]);
  }, 120_000);

  describe('a typed error for each failure kind', () => {
    it('configuration: PGlite app database, unknown source, bad table name', async () => {
      const file = path.join(temp, 'config.parquet');
      writeParquet(file, 10);
      await expect(runIngest({ path: file, env: {} })).rejects.toThrow(IngestConfigurationError);
      await expect(runIngest({ path: file, env: {} })).rejects.toThrow(/DATABASE_URL is unset/);
      await expect(ingest({ path: file, sourceId: 'nowhere' })).rejects.toThrow('ingest: --source "nowhere" is not "app" nor in LOOKAHEAD_SOURCES (warehouse)');
      await expect(ingest({ path: file, table: 'x"; DROP TABLE x; --' })).rejects.toThrow(IngestConfigurationError);
    });

    it('not found: a missing path', async () => {
      const missing = path.join(temp, 'missing.parquet');
      const error = await ingest({ path: missing }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(IngestNotFoundError);
      expect((error as Error).message).toBe(`ingest: "${missing}" does not exist`);
    });

    it('filename: a file that does not match the pattern is recorded as failed, the others load', async () => {
      const lake = path.join(temp, 'names');
      writeParquet(path.join(lake, '2014', '03', 'AAA_1min_2014_03.parquet'), 10, { startMs: Date.UTC(2014, 2, 1) });
      writeParquet(path.join(lake, '2014', '03', 'AAA_1min_2014_04.parquet'), 10, { startMs: Date.UTC(2014, 3, 1) });
      writeParquet(path.join(lake, '2014', '03', 'prices.parquet'), 10);
      const { summary, errors } = await ingestCollecting({ path: lake, table: 'names', pattern: PATTERN });
      expect(summary.loaded.map((file) => file.path)).toEqual(['2014/03/AAA_1min_2014_03.parquet']);
      expect(summary.failed).toEqual([
        { path: '2014/03/AAA_1min_2014_04.parquet', kind: 'filename', message: 'ingest: file "2014/03/AAA_1min_2014_04.parquet": file name says month 4 but the file is under 2014/03/' },
        { path: '2014/03/prices.parquet', kind: 'filename', message: `ingest: file "2014/03/prices.parquet": file name does not match the pattern ${PATTERN}` },
      ]);
      const audit = await sql.unsafe(`SELECT details->>'kind' AS kind FROM lookahead_ingest_audit WHERE run_id = $1 AND event = 'file_failed'`, [summary.runId]);
      expect(audit.map((row) => row.kind)).toEqual(['filename', 'filename']);
      expect(errors).toHaveLength(2);
      for (const error of errors) expect(error).toBeInstanceOf(IngestFilenameError);
      expect(errors.map((error) => error.message)).toEqual(summary.failed.map((failure) => failure.message));
    });

    it('schema: a column whose type differs from the existing table', async () => {
      await sql.unsafe(`CREATE TABLE typed (ts timestamptz NOT NULL, close text)`);
      const file = path.join(temp, 'typed.parquet');
      writeParquet(file, 10);
      const { summary, errors } = await ingestCollecting({ path: file });
      expect(summary.failed).toEqual([{ path: 'typed.parquet', kind: 'schema', message: 'ingest: file "typed.parquet": column "close" is double precision in the file but text in table "public.typed"' }]);
      const [row] = await sql.unsafe(`SELECT status, error FROM lookahead_ingested_files WHERE target_table = 'public.typed'`);
      expect(row).toEqual({ status: 'failed', error: summary.failed[0]!.message });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(IngestSchemaError);
      expect((errors[0] as IngestSchemaError).code).toBe('unsupported');
    });

    it('quality: a missing timestamp names the file, row and column, and nothing of the file is loaded', async () => {
      const file = path.join(temp, 'gaps.parquet');
      writeParquet(file, 5_000, { nullTimestampAt: 4_321 });
      const summary = await ingest({ path: file });
      expect(summary.failed).toEqual([{ path: 'gaps.parquet', kind: 'quality', message: 'ingest: file "gaps.parquet", row 4322, column "ts": the timestamp is missing; every row needs one' }]);
      const exists = await sql.unsafe(`SELECT to_regclass('public.gaps') AS name`);
      expect(exists[0]!.name).toBeNull();
    });

    it('quality: a corrupt parquet file and a CSV with a bad cell', async () => {
      const corrupt = path.join(temp, 'corrupt', 'broken.parquet');
      mkdirSync(path.dirname(corrupt), { recursive: true });
      writeFileSync(corrupt, 'PAR1 not really PAR1');
      const { summary: broken, errors } = await ingestCollecting({ path: corrupt });
      expect(broken.failed[0]).toMatchObject({ kind: 'quality', message: expect.stringMatching(/^ingest: file "broken\.parquet" is not a readable parquet file/) });
      const csv = path.join(temp, 'bad.csv');
      writeFileSync(csv, 'date,value\n2024-01-01,1\n2024-01-02,2\n2024-01-32,3\n');
      const bad = await ingest({ path: csv });
      expect(bad.failed[0]).toMatchObject({ kind: 'quality', message: expect.stringMatching(/^ingest: file "bad\.csv": csv: .*2024-01-32/) });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(IngestQualityError);
      expect(errors[0]!.cause).toBeDefined();
    });
  });

  it('loads into a LOOKAHEAD_SOURCES source, whose bookkeeping tables match the migration', async () => {
    const target = await createTestDatabase('postgres', { migrate: false });
    try {
      const file = path.join(temp, 'remote.parquet');
      writeParquet(file, 100);
      const summary = await runIngest({ path: file, sourceId: 'remote', table: 'lake.remote', env: { LOOKAHEAD_SOURCES: JSON.stringify([{ id: 'remote', url: target.url }]) } });
      expect(summary.rows).toBe(100);
      const remote = postgres(target.url!, { max: 1, onnotice: () => {} });
      const columnsOf = (client: postgres.Sql) =>
        client.unsafe(
          `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_name IN ('lookahead_ingested_files', 'lookahead_ingest_audit') ORDER BY 1, ordinal_position`,
        );
      try {
        expect(await columnsOf(remote)).toEqual(await columnsOf(sql));
        const [count] = await remote.unsafe(`SELECT count(*)::int AS n FROM lake.remote`);
        expect(count!.n).toBe(100);
      } finally {
        await remote.end();
      }
    } finally {
      await target.drop();
    }
  });
});
