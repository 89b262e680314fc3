import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newApiToken, tokenEntry } from '@/lib/server/access/tokens';
import { startAppServer, type AppServer } from '../support/app-server';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { LAKE_END_MS, lakeValue } from '../support/e2e-sources';
import { spawnWorker, stopWorkerProcess, type WorkerProcess } from '../support/job-workers';
import { createSeriesFixture, expectedSeasonalNaive, FIXTURE_APP_TABLES, FIXTURE_WINDOW, seriesName } from '../support/jobs';

/**
 * `npm run jobs -- submit|status|results` spawned as real processes (npm, tsx, the script) against
 * a running server: the e2e server on the embedded PGlite (in-process worker, the parquet lake),
 * and, with DATABASE_URL, a server on real Postgres with API tokens and an `npm run worker` child.
 * The CSV holds the closed-form forecasts, the parquet file reads back with hyparquet to the same
 * rows, and bad input exits non-zero with a message that names the problem.
 */
const appUrl = inject('appUrl');
const HOUR = 3_600_000;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function jobsCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'jobs', '--', ...args], { cwd: process.cwd(), env: { ...process.env, LOOKAHEAD_URL: '', LOOKAHEAD_TOKEN: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      // npm's own warnings about this project's .npmrc are not the script's.
      resolve({ code, stdout, stderr: stderr.split('\n').filter((line) => !line.startsWith('npm warn')).join('\n') });
    });
  });
}

interface JobView {
  id: string;
  state: string;
  terminal: boolean;
  totalSeries: number;
  seriesDone: number;
  seriesFailed: number;
}

/** RFC 4180 cells: quoted cells may hold commas, quotes ("") and newlines. */
function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(cell);
      cell = '';
    } else if (char === '\n') {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
    } else cell += char;
  }
  if (cell || record.length) {
    record.push(cell);
    records.push(record);
  }
  const [names, ...rows] = records;
  return rows.map((row) => Object.fromEntries(row.map((value, index) => [names![index]!, value])));
}

/** The CSV's rows as the parquet file must hold them (numbers as numbers, empty cells as null). */
function typedRows(rows: Record<string, string>[]): Record<string, string | number | null>[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([name, cell]) => [name, cell === '' ? null : ['step', 'mean'].includes(name) || /^q0\./.test(name) ? Number(cell) : cell])));
}

async function readParquet(file: string): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return (await parquetReadObjects({ file: buffer })) as Record<string, unknown>[];
}

/** Submits, follows with `status` until the job is over, downloads CSV and parquet; both hold the same rows. */
async function runThroughCli(config: unknown, env: Record<string, string>, folder: string) {
  const configFile = path.join(folder, `job-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(configFile, JSON.stringify(config));
  const submitted = await jobsCli(['submit', configFile], env);
  expect(submitted.code, submitted.stderr).toBe(0);
  const job = JSON.parse(submitted.stdout) as JobView;
  expect(job.id).toMatch(/^[0-9a-f-]{36}$/);
  expect(['queued', 'running', 'completed']).toContain(job.state);
  let view = job;
  const deadline = Date.now() + 240_000;
  while (!view.terminal) {
    if (Date.now() > deadline) throw new Error(`job ${job.id} still ${view.state} after 240 s`);
    const status = await jobsCli(['status', job.id], env);
    expect(status.code, status.stderr).toBe(0);
    view = JSON.parse(status.stdout) as JobView;
    if (!view.terminal) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const csvFile = path.join(folder, `${job.id}.csv`);
  const parquetFile = path.join(folder, `${job.id}.parquet`);
  const csv = await jobsCli(['results', job.id, '--format', 'csv', '--out', csvFile], env);
  expect(csv.code, csv.stderr).toBe(0);
  const parquet = await jobsCli(['results', job.id, '--format', 'parquet', '--out', parquetFile], env);
  expect(parquet.code, parquet.stderr).toBe(0);
  const rows = parseCsv(readFileSync(csvFile, 'utf8'));
  expect(await readParquet(parquetFile)).toEqual(typedRows(rows));
  // Without --out the CSV goes to stdout, the same bytes.
  const piped = await jobsCli(['results', job.id, '--format', 'csv'], env);
  expect(piped.code, piped.stderr).toBe(0);
  expect(piped.stdout).toBe(readFileSync(csvFile, 'utf8'));
  return { view, rows };
}

describe('npm run jobs against the e2e server (embedded PGlite, in-process worker)', () => {
  let folder: string;
  const env = () => ({ LOOKAHEAD_URL: appUrl });
  const lakeConfig = { kind: 'forecast-batch', params: { source: 'parquet', window: { time: 'ts', columns: 'level' }, model: 'seasonal-naive', horizon: 24, levels: [0.1, 0.5, 0.9], context: 240 } };

  beforeAll(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'lookahead-jobs-cli-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('submit, status until done, results as CSV and parquet: every series of the lake, the seasonal-naive values', async () => {
    const { view, rows } = await runThroughCli(lakeConfig, env(), folder);
    expect(view).toMatchObject({ state: 'completed', totalSeries: 2, seriesDone: 2, seriesFailed: 0 });
    expect(Object.keys(rows[0]!)).toEqual(['series_id', 'status', 'error', 'step', 'timestamp', 'mean', 'q0.1', 'q0.5', 'q0.9']);
    expect(rows).toHaveLength(48);
    for (const entity of ['north', 'south']) {
      const mine = rows.filter((row) => row.series_id === entity);
      expect(mine.map((row) => Number(row.step))).toEqual(Array.from({ length: 24 }, (_, step) => step + 1));
      mine.forEach((row, step) => {
        expect(row.status).toBe('ok');
        // Hourly, season 24: step k repeats the value 24 hours before it, the last day of February.
        expect(Number(row['q0.5'])).toBeCloseTo(lakeValue(entity, LAKE_END_MS - (24 - step) * HOUR), 9);
        expect(row.timestamp).toBe(new Date(LAKE_END_MS + step * HOUR).toISOString());
      });
    }
  });

  it('bad input exits non-zero with a message that names the problem', async () => {
    const unknownModel = path.join(folder, 'unknown-model.json');
    writeFileSync(unknownModel, JSON.stringify({ ...lakeConfig, params: { ...lakeConfig.params, model: 'gpt-9' } }));
    const refused = await jobsCli(['submit', unknownModel], env());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^jobs: HTTP 400: .*unknown model "gpt-9"; available: /m);

    const missing = await jobsCli(['submit', path.join(folder, 'nope.json')], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^jobs: cannot read the job config ".*nope\.json" \(ENOENT\)/m);

    const notJson = path.join(folder, 'not-json.json');
    writeFileSync(notJson, '{"kind": "forecast-batch",');
    const garbled = await jobsCli(['submit', notJson], env());
    expect(garbled.code).toBe(2);
    expect(garbled.stderr).toMatch(/^jobs: the job config ".*not-json\.json" is not JSON/m);

    for (const id of ['not-a-job', '00000000-0000-0000-0000-000000000000']) {
      const unknown = await jobsCli(['status', id], env());
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain(`jobs: HTTP 404: no job "${id}"`);
    }
    const unknownResults = await jobsCli(['results', 'not-a-job', '--format', 'csv', '--out', path.join(folder, 'never.csv')], env());
    expect(unknownResults.code).toBe(1);
    expect(unknownResults.stderr).toContain('jobs: HTTP 404: no job "not-a-job"');

    const badFormat = await jobsCli(['results', '00000000-0000-0000-0000-000000000000', '--format', 'xlsx'], env());
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('--format must be csv or parquet, got "xlsx"');

    const usage = await jobsCli(['frobnicate'], env());
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage:');

    const unreachable = await jobsCli(['status', 'not-a-job'], { LOOKAHEAD_URL: 'http://127.0.0.1:9' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/jobs: cannot reach http:\/\/127\.0\.0\.1:9 .*start it with npm start or pass --url/);
  });
});

describe.skipIf(!process.env.DATABASE_URL)('npm run jobs against a server on real Postgres (API tokens, an npm run worker process)', () => {
  let database: TestDatabase;
  let server: AppServer;
  let worker: WorkerProcess;
  let folder: string;
  const token = newApiToken();
  const SERIES = 30;

  beforeAll(async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'lookahead-jobs-cli-pg-'));
    database = await createTestDatabase('postgres');
    await createSeriesFixture(database.handle, { series: SERIES, length: 48, poison: [4] });
    server = await startAppServer({
      DATABASE_URL: database.url!,
      LOOKAHEAD_AUTH: 'tokens',
      LOOKAHEAD_API_TOKENS: tokenEntry('editor', 'cron', token),
      LOOKAHEAD_INPROCESS_WORKER: 'off',
      LOOKAHEAD_CHUNK_RETRIES: '0',
      // The app source offers only the tables it is given.
      LOOKAHEAD_APP_TABLES: FIXTURE_APP_TABLES,
    });
    worker = spawnWorker({ DATABASE_URL: database.url!, LOOKAHEAD_HEARTBEAT_SECONDS: '1', LOOKAHEAD_CHUNK_RETRIES: '0', LOOKAHEAD_APP_TABLES: FIXTURE_APP_TABLES });
  }, 300_000);

  afterAll(async () => {
    if (worker) await stopWorkerProcess(worker, 'SIGTERM');
    await server?.stop();
    await database?.drop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  const config = {
    kind: 'forecast-batch',
    chunkSize: 8,
    params: { source: 'app', window: FIXTURE_WINDOW, model: 'seasonal-naive', horizon: 24, levels: [0.1, 0.5, 0.9], context: 48 },
  };

  it('without the token the server refuses the CLI with a 401 that says what to send', async () => {
    const configFile = path.join(folder, 'anonymous.json');
    writeFileSync(configFile, JSON.stringify(config));
    const refused = await jobsCli(['submit', configFile], { LOOKAHEAD_URL: server.url });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/jobs: HTTP 401: .*Authorization: Bearer/);
    const wrong = await jobsCli(['status', 'not-a-job', '--token', 'lka_wrong'], { LOOKAHEAD_URL: server.url });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('the bearer token is not one of LOOKAHEAD_API_TOKENS');
  });

  it('with LOOKAHEAD_TOKEN: submit, status, CSV and parquet; the worker process ran every series once, the poison one failed with its reason', async () => {
    const { view, rows } = await runThroughCli(config, { LOOKAHEAD_URL: server.url, LOOKAHEAD_TOKEN: token }, folder);
    expect(view).toMatchObject({ state: 'completed_with_failures', totalSeries: SERIES, seriesDone: SERIES - 1, seriesFailed: 1 });
    expect((view as unknown as { workers: string[] }).workers).toEqual([expect.stringContaining(`:${worker.pid}:`)]);
    const failed = rows.filter((row) => row.status === 'failed');
    expect(failed).toEqual([expect.objectContaining({ series_id: seriesName(4), error: expect.stringMatching(/model: /) })]);
    const ok = rows.filter((row) => row.status === 'ok');
    expect(ok).toHaveLength((SERIES - 1) * 24);
    for (let index = 0; index < SERIES; index++) {
      if (index === 4) continue;
      const mine = ok.filter((row) => row.series_id === seriesName(index));
      expect(mine.map((row) => Number(row['q0.5']))).toEqual(Array.from({ length: 24 }, (_, step) => expectedSeasonalNaive(index, step + 1)));
    }
  });
});
