import 'server-only';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LookaheadError } from '@/lib/core/errors';
import { SAMPLE_DATASETS } from '@/lib/server/sample-catalog';

/**
 * The data plane's settings, read from the environment once per distinct value (tests change the
 * environment between files; a server reads it once). Validated here, at the edge; everything
 * inside trusts these types.
 *
 * - LOOKAHEAD_SOURCES: JSON, or a path to a JSON file: [{"id", "url", "schemas"?: [...], "tables"?: ["schema.table"]}]
 * - LOOKAHEAD_APP_SCHEMAS, LOOKAHEAD_APP_TABLES: what the app database offers beyond its ingested tables
 * - LOOKAHEAD_PARQUET_DIR, LOOKAHEAD_PARQUET_PATTERN: the parquet directory source
 * - LOOKAHEAD_UPLOAD_DIR: where uploaded CSVs are stored as parquet (default .data/uploads)
 * - LOOKAHEAD_ROW_CAP, LOOKAHEAD_STATEMENT_TIMEOUT_MS, LOOKAHEAD_UPLOAD_MAX_BYTES, LOOKAHEAD_UPLOAD_MAX_SERIES,
 *   LOOKAHEAD_UPLOAD_MAX_POINTS
 */

/** The id of the app's own database as a source (always present). */
export const APP_SOURCE_ID = 'app';
/** The id of the LOOKAHEAD_PARQUET_DIR source. */
export const PARQUET_SOURCE_ID = 'parquet';

const sourceId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'ids are 1 to 63 lower-case letters, digits, "_" or "-", starting with a letter or digit');

const schemaName = z.string().min(1).max(63);
const tableName = z.string().regex(/^[^.]{1,63}\.[^.]{1,63}$/, 'tables are named "schema.table"');

const sqlSourceEntry = z.object({
  id: sourceId,
  url: z.string().regex(/^postgres(ql)?:\/\//, 'url must start with postgres:// or postgresql://'),
  /** Schemas the browser may read in full (besides the tables ingested into the database). */
  schemas: z.array(schemaName).min(1).optional(),
  /** Single tables the browser may read, as "schema.table". */
  tables: z.array(tableName).min(1).optional(),
  name: z.string().max(200).optional(),
});

export type SqlSourceConfig = z.infer<typeof sqlSourceEntry>;

export interface DataPlaneConfig {
  sqlSources: SqlSourceConfig[];
  /** What the app database offers beyond the tables ingested into it. */
  appScope: { schemas: string[]; tables: string[] };
  parquetDir: string | null;
  parquetPattern: string;
  uploadDir: string;
  /** Most rows one window request may return. */
  rowCap: number;
  statementTimeoutMs: number;
  /** A stream nobody pulls from for this long is closed (and its transaction ended). */
  idleTimeoutMs: number;
  uploadMaxBytes: number;
  /** Most series and points (rows of a long file) one upload may hold. */
  uploadMaxSeries: number;
  uploadMaxPoints: number;
  /** Most values (rows x (columns + 1)) one quality report reads into memory. */
  qualityMaxValues: number;
}

/** Every parquet file, no partition fields: the directory is one table. */
export const DEFAULT_PARQUET_PATTERN = '{*}.parquet';

const positiveInteger = (name: string, fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return fallback;
      const parsed = Number(value);
      if (!Number.isSafeInteger(parsed) || parsed < 1) {
        context.addIssue({ code: 'custom', message: `${name} must be a positive whole number, got "${value}"` });
        return z.NEVER;
      }
      return parsed;
    });

const environment = z.object({
  LOOKAHEAD_ROW_CAP: positiveInteger('LOOKAHEAD_ROW_CAP', 1_000_000),
  LOOKAHEAD_STATEMENT_TIMEOUT_MS: positiveInteger('LOOKAHEAD_STATEMENT_TIMEOUT_MS', 30_000),
  LOOKAHEAD_STREAM_IDLE_TIMEOUT_MS: positiveInteger('LOOKAHEAD_STREAM_IDLE_TIMEOUT_MS', 60_000),
  LOOKAHEAD_UPLOAD_MAX_BYTES: positiveInteger('LOOKAHEAD_UPLOAD_MAX_BYTES', 50 * 1024 * 1024),
  LOOKAHEAD_UPLOAD_MAX_SERIES: positiveInteger('LOOKAHEAD_UPLOAD_MAX_SERIES', 10_000),
  LOOKAHEAD_UPLOAD_MAX_POINTS: positiveInteger('LOOKAHEAD_UPLOAD_MAX_POINTS', 5_000_000),
  // 5 million values: 40 MB per copy of the window; the report sorts a copy per column.
  LOOKAHEAD_QUALITY_MAX_VALUES: positiveInteger('LOOKAHEAD_QUALITY_MAX_VALUES', 5_000_000),
});

function configError(message: string, cause?: unknown): LookaheadError {
  // Configuration mistakes are the operator's, not the browser's: logged, shown as "internal".
  return new LookaheadError('sources', 'internal', message, { cause });
}

function readSourcesJson(value: string): unknown {
  const trimmed = value.trim();
  const text = trimmed.startsWith('[') ? trimmed : readSourcesFile(trimmed);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw configError(`LOOKAHEAD_SOURCES is not valid JSON (${(error as Error).message}); expected [{"id": "...", "url": "postgres://..."}]`, error);
  }
}

function readSourcesFile(file: string): string {
  const resolved = path.resolve(file);
  if (!existsSync(resolved)) {
    throw configError(`LOOKAHEAD_SOURCES names the file "${resolved}", which does not exist; give JSON or the path of a JSON file`);
  }
  return readFileSync(resolved, 'utf8');
}

export function parseSqlSources(value: string | undefined): SqlSourceConfig[] {
  if (!value || !value.trim()) return [];
  const parsed = z.array(sqlSourceEntry).safeParse(readSourcesJson(value));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'root'}: ${issue.message}`).join('; ');
    throw configError(`LOOKAHEAD_SOURCES is invalid: ${problems}`);
  }
  const reserved = new Set([APP_SOURCE_ID, PARQUET_SOURCE_ID, ...SAMPLE_DATASETS.map((sample) => sample.id)]);
  const seen = new Set<string>();
  for (const source of parsed.data) {
    if (reserved.has(source.id) || source.id.startsWith('upload-')) {
      throw configError(`LOOKAHEAD_SOURCES: id "${source.id}" is taken by a built-in source; choose another (reserved: ${[...reserved].join(', ')}, upload-*)`);
    }
    if (seen.has(source.id)) throw configError(`LOOKAHEAD_SOURCES: id "${source.id}" appears twice`);
    seen.add(source.id);
  }
  return parsed.data;
}

/** LOOKAHEAD_APP_SCHEMAS / LOOKAHEAD_APP_TABLES: comma-separated names. */
export function parseAppScope(env: Record<string, string | undefined>): { schemas: string[]; tables: string[] } {
  const list = (value: string | undefined) => (value ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  const schemas = list(env.LOOKAHEAD_APP_SCHEMAS);
  const tables = list(env.LOOKAHEAD_APP_TABLES);
  const badSchema = schemas.find((name) => !schemaName.safeParse(name).success);
  if (badSchema !== undefined) throw configError(`LOOKAHEAD_APP_SCHEMAS: "${badSchema.slice(0, 80)}" is not a schema name (1 to 63 characters)`);
  const badTable = tables.find((name) => !tableName.safeParse(name).success);
  if (badTable !== undefined) throw configError(`LOOKAHEAD_APP_TABLES: "${badTable.slice(0, 140)}" is not a table; name tables as schema.table, comma-separated`);
  return { schemas, tables };
}

let cached: { key: string; config: DataPlaneConfig } | null = null;

export function dataPlaneConfig(env: Record<string, string | undefined> = process.env): DataPlaneConfig {
  const key = JSON.stringify([
    env.LOOKAHEAD_SOURCES,
    env.LOOKAHEAD_APP_SCHEMAS,
    env.LOOKAHEAD_APP_TABLES,
    env.LOOKAHEAD_PARQUET_DIR,
    env.LOOKAHEAD_PARQUET_PATTERN,
    env.LOOKAHEAD_UPLOAD_DIR,
    env.LOOKAHEAD_DATA_DIR,
    env.LOOKAHEAD_ROW_CAP,
    env.LOOKAHEAD_STATEMENT_TIMEOUT_MS,
    env.LOOKAHEAD_STREAM_IDLE_TIMEOUT_MS,
    env.LOOKAHEAD_UPLOAD_MAX_BYTES,
    env.LOOKAHEAD_UPLOAD_MAX_SERIES,
    env.LOOKAHEAD_UPLOAD_MAX_POINTS,
    env.LOOKAHEAD_QUALITY_MAX_VALUES,
  ]);
  if (cached?.key === key) return cached.config;
  const numbers = environment.safeParse(env);
  if (!numbers.success) throw configError(numbers.error.issues.map((issue) => issue.message).join('; '));
  const config: DataPlaneConfig = {
    sqlSources: parseSqlSources(env.LOOKAHEAD_SOURCES),
    appScope: parseAppScope(env),
    // Runtime data folders, not build inputs: /*turbopackIgnore*/ keeps Next's file tracer out of them.
    parquetDir: env.LOOKAHEAD_PARQUET_DIR ? path.resolve(/*turbopackIgnore: true*/ env.LOOKAHEAD_PARQUET_DIR) : null,
    parquetPattern: env.LOOKAHEAD_PARQUET_PATTERN || DEFAULT_PARQUET_PATTERN,
    uploadDir: path.resolve(/*turbopackIgnore: true*/ env.LOOKAHEAD_UPLOAD_DIR ?? path.join(env.LOOKAHEAD_DATA_DIR ?? '.data', 'uploads')),
    rowCap: numbers.data.LOOKAHEAD_ROW_CAP,
    statementTimeoutMs: numbers.data.LOOKAHEAD_STATEMENT_TIMEOUT_MS,
    idleTimeoutMs: numbers.data.LOOKAHEAD_STREAM_IDLE_TIMEOUT_MS,
    uploadMaxBytes: numbers.data.LOOKAHEAD_UPLOAD_MAX_BYTES,
    uploadMaxSeries: numbers.data.LOOKAHEAD_UPLOAD_MAX_SERIES,
    uploadMaxPoints: numbers.data.LOOKAHEAD_UPLOAD_MAX_POINTS,
    qualityMaxValues: numbers.data.LOOKAHEAD_QUALITY_MAX_VALUES,
  };
  cached = { key, config };
  return config;
}
