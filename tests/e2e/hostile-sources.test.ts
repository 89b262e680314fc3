import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server';
import { INJECTION_PAYLOADS } from '../support/data-plane';

/**
 * Hostile sources against running production servers: parquet files truncated at every section
 * boundary, hidden dot-folders under the parquet folder, and SQL identifiers and values from an
 * injection corpus. Each is a clear 4xx (never a 500), and the database and files are compared
 * before and after to prove nothing changed.
 */
const appUrl = inject('appUrl');
const warehouseUrl = inject('warehouseUrl');

const ROWS = 240;
const START_MS = Date.UTC(2024, 0, 1);

function validParquet(): Uint8Array {
  const rows = Array.from({ length: ROWS }, (_, row) => row);
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'ts', data: rows.map((row) => START_MS + Math.floor(row / 2) * 3_600_000), type: 'TIMESTAMP', nullable: false },
        { name: 'sensor_id', data: rows.map((row) => (row % 2 ? 'b' : 'a')), type: 'STRING', nullable: false },
        { name: 'value', data: rows.map((row) => row / 10), type: 'DOUBLE', nullable: false },
      ],
      rowGroupSize: 60,
    }),
  );
}

/** Every file under `root` (hidden ones too) with its sha256: what "the files did not change" compares. */
function folderSnapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (directory: string, prefix: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path.join(directory, entry.name), relative);
      else out[relative] = createHash('sha256').update(readFileSync(path.join(directory, entry.name))).digest('hex');
    }
  };
  walk(root, '');
  return out;
}

describe('hostile parquet folders', () => {
  let server: AppServer;
  let lake: string;
  const valid = validParquet();

  beforeAll(async () => {
    lake = mkdtempSync(path.join(os.tmpdir(), 'lookahead-hostile-lake-'));
    server = await startAppServer({ LOOKAHEAD_PARQUET_DIR: lake, LOOKAHEAD_PARQUET_PATTERN: '' });
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    if (lake) rmSync(lake, { recursive: true, force: true });
  });

  const sourcesSnapshot = async () => JSON.stringify((await (await fetch(`${server.url}/api/sources`)).json()).sources);

  it('a file truncated at every section boundary (magic, row groups, footer, footer length) is a 4xx naming the file', async () => {
    const footerLength = new DataView(valid.buffer, valid.byteOffset + valid.length - 8, 4).getUint32(0, true);
    const footerStart = valid.length - 8 - footerLength;
    expect(new TextDecoder().decode(valid.subarray(0, 4))).toBe('PAR1');
    expect(footerStart).toBeGreaterThan(4);
    const cuts: Record<string, number> = {
      'half the leading magic': 2,
      'the leading magic only': 4,
      'inside the row groups': 4 + Math.floor((footerStart - 4) / 2),
      'the row groups, no footer': footerStart,
      'half the footer': footerStart + Math.floor(footerLength / 2),
      'the footer without its length': valid.length - 8,
      'half the footer length': valid.length - 6,
      'no trailing magic': valid.length - 4,
      'one byte short': valid.length - 1,
    };
    const queries = ['columns', 'series?entity=sensor_id', 'window?columns=value&limit=10', 'quality?columns=value&limit=100'];
    for (const [label, length] of Object.entries(cuts)) {
      writeFileSync(path.join(lake, 'cut.parquet'), valid.subarray(0, length));
      const beforeFiles = folderSnapshot(lake);
      const beforeSources = await sourcesSnapshot();
      for (const query of queries) {
        const response = await fetch(`${server.url}/api/sources/parquet/${query}`);
        const text = await response.text();
        const where = `${label} (${length} of ${valid.length} bytes): ${query} -> ${response.status} ${text.slice(0, 200)}`;
        expect(response.status, where).toBe(422);
        const { error } = JSON.parse(text);
        expect(error.message, where).toMatch(/^parquet: file "cut\.parquet" /);
        expect(text, where).not.toContain(lake);
      }
      expect(folderSnapshot(lake), label).toEqual(beforeFiles);
      expect(await sourcesSnapshot(), label).toBe(beforeSources);
    }
    // The whole file reads again: nothing was cached from the truncated ones.
    writeFileSync(path.join(lake, 'cut.parquet'), valid);
    const series = await (await fetch(`${server.url}/api/sources/parquet/series?entity=sensor_id`)).json();
    expect(series.series.map((entry: { id: string; rowCount: number }) => [entry.id, entry.rowCount])).toEqual([
      ['a', ROWS / 2],
      ['b', ROWS / 2],
    ]);
    rmSync(path.join(lake, 'cut.parquet'));
  }, 300_000);

  it('hidden dot-folders and dot-files under the parquet folder are never listed, read or served', async () => {
    writeFileSync(path.join(lake, 'visible.parquet'), valid);
    for (const hidden of ['.staging/visible.parquet', '2024/.cache/visible.parquet', '.visible.parquet', '.git/objects/visible.parquet']) {
      mkdirSync(path.dirname(path.join(lake, hidden)), { recursive: true });
      writeFileSync(path.join(lake, hidden), valid);
    }
    const before = folderSnapshot(lake);
    const tables = await (await fetch(`${server.url}/api/sources/parquet/tables`)).json();
    expect(tables.files.map((file: { path: string }) => file.path)).toEqual(['visible.parquet']);
    expect(JSON.stringify(tables)).not.toMatch(/\.staging|\.cache|\.git|"\.visible/);
    // Only the visible file's rows are counted.
    const series = await (await fetch(`${server.url}/api/sources/parquet/series?entity=sensor_id`)).json();
    expect(series.series.map((entry: { rowCount: number }) => entry.rowCount)).toEqual([ROWS / 2, ROWS / 2]);
    expect((await fetch(`${server.url}/api/files/parquet/visible.parquet`)).status).toBe(200);
    for (const hidden of ['.staging/visible.parquet', '%2Estaging/visible.parquet', '2024/.cache/visible.parquet', '.visible.parquet', '.git/objects/visible.parquet', '.staging%2Fvisible.parquet']) {
      const response = await fetch(`${server.url}/api/files/parquet/${hidden}`);
      expect(response.status, hidden).toBe(404);
      expect(await response.text(), hidden).not.toContain(lake);
    }
    expect(folderSnapshot(lake)).toEqual(before);
    expect(statSync(path.join(lake, 'visible.parquet')).size).toBe(valid.length);
  }, 180_000);
});

/** Identifiers and values an attacker would try, beyond the data-plane corpus. */
const CORPUS = [
  ...INJECTION_PAYLOADS,
  "' OR '1'='1",
  '1; SELECT pg_sleep(30)',
  'public.plant_load; DROP TABLE public.plant_load',
  'plant_load" --',
  'kw) FROM public.plant_load; DELETE FROM public.plant_load; --',
  '$1',
  'pg_catalog.pg_authid',
  'information_schema.tables',
];

describe.skipIf(!warehouseUrl)('SQL identifiers and values from an injection corpus (the warehouse source)', () => {
  let sql: postgres.Sql;

  beforeAll(() => {
    sql = postgres(warehouseUrl, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
  });

  async function databaseSnapshot(): Promise<string> {
    const tables = await sql`SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`;
    const [load] = await sql`SELECT count(*)::int AS rows, md5(string_agg(plant || observed_at::text || coalesce(kw::text, 'null'), ',' ORDER BY plant, observed_at)) AS digest FROM public.plant_load`;
    const roles = await sql`SELECT rolname FROM pg_roles ORDER BY 1`;
    return JSON.stringify({ tables, load, roles });
  }

  it('every table, column, entity, series and filter parameter is a 4xx naming it, and the database is unchanged', async () => {
    const before = await databaseSnapshot();
    const base = `${appUrl}/api/sources/warehouse`;
    const table = 'table=public.plant_load';
    const templates: [string, (payload: string) => string][] = [
      ['table (columns)', (payload) => `${base}/columns?table=${payload}`],
      ['table (window)', (payload) => `${base}/window?table=${payload}&columns=kw`],
      ['time', (payload) => `${base}/window?${table}&time=${payload}&columns=kw&entity=plant&series=p1`],
      ['column', (payload) => `${base}/window?${table}&columns=${payload}&entity=plant&series=p1`],
      ['covariate', (payload) => `${base}/window?${table}&columns=kw&covariates=${payload}&entity=plant&series=p1`],
      ['entity (series)', (payload) => `${base}/series?${table}&entity=${payload}`],
      ['entity (window)', (payload) => `${base}/window?${table}&columns=kw&entity=${payload}&series=p1`],
      ['series', (payload) => `${base}/window?${table}&columns=kw&entity=plant&series=${payload}`],
      ['start', (payload) => `${base}/window?${table}&columns=kw&entity=plant&series=p1&start=${payload}`],
      ['min', (payload) => `${base}/window?${table}&columns=kw&entity=plant&series=p1&min=${payload}`],
      ['bucket', (payload) => `${base}/window?${table}&columns=kw&entity=plant&series=p1&bucket=${payload}&agg=avg`],
      ['agg', (payload) => `${base}/window?${table}&columns=kw&entity=plant&series=p1&bucket=1h&agg=${payload}`],
      ['ids', (payload) => `${base}/series?${table}&entity=plant&ids=${payload}`],
    ];
    for (const payload of CORPUS) {
      for (const [parameter, url] of templates) {
        const response = await fetch(url(encodeURIComponent(payload)));
        const text = await response.text();
        const where = `${parameter} = ${JSON.stringify(payload.slice(0, 60))} -> ${response.status} ${text.slice(0, 160)}`;
        if (parameter === 'ids' && response.status === 200) {
          // ids only filters the listing (a parameter): an id no series has lists nothing.
          expect(JSON.parse(text).series, where).toEqual([]);
          continue;
        }
        expect(response.status, where).toBe(400);
        expect(JSON.parse(text).error.code, where).toBe('bad_input');
        expect(text, where).not.toMatch(/syntax error|postgres|PostgresError|42601|42P01/i);
      }
    }
    // A well-formed request still works, and nothing changed.
    const ok = await fetch(`${base}/series?${table}&entity=plant`);
    expect(ok.status).toBe(200);
    expect((await ok.json()).series.length).toBeGreaterThan(0);
    expect(await databaseSnapshot()).toBe(before);
  }, 300_000);
});
