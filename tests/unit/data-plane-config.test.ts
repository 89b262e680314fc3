import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataPlaneConfig, parseAppScope, parseSqlSources } from '@/lib/server/sources/config';

/** LOOKAHEAD_SOURCES and the data plane's other settings, validated once at the edge. */
describe('data-plane configuration', () => {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'lookahead-config-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  const entry = { id: 'warehouse', url: 'postgres://reader:secret@db.internal:5432/metrics', schemas: ['public', 'metrics'] };

  it('reads JSON given inline or as the path of a JSON file', () => {
    expect(parseSqlSources(JSON.stringify([entry]))).toEqual([entry]);
    const file = path.join(temp, 'sources.json');
    writeFileSync(file, JSON.stringify([entry]));
    expect(parseSqlSources(file)).toEqual([entry]);
    expect(parseSqlSources(undefined)).toEqual([]);
    expect(parseSqlSources('  ')).toEqual([]);
  });

  it('names what is wrong: bad JSON, a missing file, a bad id or URL, a reserved or repeated id', () => {
    expect(() => parseSqlSources('[{"id": ')).toThrow(/^sources: LOOKAHEAD_SOURCES is not valid JSON/);
    expect(() => parseSqlSources(path.join(temp, 'missing.json'))).toThrow(/^sources: LOOKAHEAD_SOURCES names the file ".*missing\.json", which does not exist/);
    expect(() => parseSqlSources(JSON.stringify([{ ...entry, id: 'Ware House' }]))).toThrow(/^sources: LOOKAHEAD_SOURCES is invalid: 0\.id: ids are 1 to 63 lower-case letters/);
    expect(() => parseSqlSources(JSON.stringify([{ ...entry, url: 'mysql://x' }]))).toThrow('sources: LOOKAHEAD_SOURCES is invalid: 0.url: url must start with postgres:// or postgresql://');
    expect(() => parseSqlSources(JSON.stringify([{ ...entry, id: 'etth1' }]))).toThrow(/^sources: LOOKAHEAD_SOURCES: id "etth1" is taken by a built-in source/);
    expect(() => parseSqlSources(JSON.stringify([entry, entry]))).toThrow('sources: LOOKAHEAD_SOURCES: id "warehouse" appears twice');
  });

  it('configuration errors are the operator’s: internal (logged), never shown with the URL', () => {
    try {
      parseSqlSources(JSON.stringify([{ ...entry, id: 'app' }]));
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe('internal');
    }
  });

  it('numbers from the environment, with defaults', () => {
    expect(dataPlaneConfig({})).toMatchObject({ rowCap: 1_000_000, statementTimeoutMs: 30_000, sqlSources: [], parquetDir: null, parquetPattern: '{*}.parquet' });
    expect(dataPlaneConfig({ LOOKAHEAD_ROW_CAP: '5000' }).rowCap).toBe(5000);
    expect(() => dataPlaneConfig({ LOOKAHEAD_ROW_CAP: 'lots' })).toThrow('sources: LOOKAHEAD_ROW_CAP must be a positive whole number, got "lots"');
  });

  it('allow-lists: per-source "tables" as schema.table; the app database offers nothing beyond its ingested tables unless configured', () => {
    const picked = { id: 'warehouse', url: entry.url, tables: ['metrics.cpu', 'public.load'] };
    expect(parseSqlSources(JSON.stringify([picked]))).toEqual([picked]);
    expect(() => parseSqlSources(JSON.stringify([{ ...picked, tables: ['cpu'] }]))).toThrow('sources: LOOKAHEAD_SOURCES is invalid: 0.tables.0: tables are named "schema.table"');
    expect(dataPlaneConfig({}).appScope).toEqual({ schemas: [], tables: [] });
    expect(parseAppScope({ LOOKAHEAD_APP_SCHEMAS: ' market , sensors,', LOOKAHEAD_APP_TABLES: 'public.load' })).toEqual({ schemas: ['market', 'sensors'], tables: ['public.load'] });
    expect(() => parseAppScope({ LOOKAHEAD_APP_TABLES: 'load' })).toThrow('sources: LOOKAHEAD_APP_TABLES: "load" is not a table; name tables as schema.table, comma-separated');
    expect(() => parseAppScope({ LOOKAHEAD_APP_SCHEMAS: 'x'.repeat(64) })).toThrow(/^sources: LOOKAHEAD_APP_SCHEMAS: "x+" is not a schema name/);
  });
});
