import 'server-only';
import { randomUUID } from 'node:crypto';
import { ensureIngestTables, migrateDatabase, openDatabase, openSqlConnection, type SqlConnection, type WriteSession } from '@/db';
import { compileFileNamePattern } from '@/lib/server/parquet/pattern';
import { APP_SOURCE_ID, parseSqlSources } from '@/lib/server/sources/config';
import { quoteIdentifier } from '@/lib/server/sources/identifiers';
import { copyTextChunks } from './copy-text';
import { IngestConfigurationError, IngestError, IngestNotFoundError, IngestQualityError, isIngestError, type IngestFailureKind } from './errors';
import { ENTITY_COLUMN, openIngestFile } from './file-reader';
import { findInputFiles, sha256OfFile, type IngestInput } from './input-files';
import { parseTableName, prepareTable, tableNameFromPath, type TargetTable } from './target-table';

/**
 * `npm run ingest -- <path>`: loads parquet and CSV files into a Postgres table with COPY. Each
 * file's rows, its "loaded" record (sha256, size, rows) and its audit row commit in one
 * transaction, under an advisory lock per table: a file already recorded is skipped, a crash
 * mid-file leaves nothing of it behind, and a re-run loads it once. Every run and every file
 * decision is written to the audit log.
 */
export interface IngestOptions {
  path: string;
  /** "app" (DATABASE_URL) or an id from LOOKAHEAD_SOURCES. */
  sourceId?: string;
  /** Target table, "name" or "schema.name"; from the path's name when left out. */
  table?: string;
  /** File-name pattern for a partitioned directory (else LOOKAHEAD_PARQUET_PATTERN when set). */
  pattern?: string;
  timeColumn?: string;
  /** Column to index together with the time (the file-name {entity} is used when present). */
  entityColumn?: string;
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
  /** Called with the typed error each failed file raised (the summary keeps its kind and message). */
  onFailure?: (error: IngestError) => void;
}

export interface FileOutcome {
  path: string;
  sha256: string | null;
  rows: number;
}

export interface FileFailure {
  path: string;
  kind: IngestFailureKind;
  message: string;
}

export interface IngestSummary {
  runId: string;
  sourceId: string;
  table: string;
  loaded: FileOutcome[];
  skipped: FileOutcome[];
  failed: FileFailure[];
  rows: number;
}

async function targetConnection(sourceId: string, env: Record<string, string | undefined>): Promise<SqlConnection> {
  if (sourceId === APP_SOURCE_ID) {
    const url = env.DATABASE_URL;
    if (!url) {
      throw new IngestConfigurationError(
        'ingest: the app database is embedded PGlite (DATABASE_URL is unset), and ingestion streams rows with COPY, which needs Postgres; set DATABASE_URL or pass --source <id> from LOOKAHEAD_SOURCES',
      );
    }
    // The app database gets the bookkeeping tables from its migrations.
    const handle = await openDatabase({ url });
    try {
      await migrateDatabase(handle);
    } finally {
      await handle.close();
    }
    return openSqlConnection(url, { maxConnections: 2 });
  }
  let sources;
  try {
    sources = parseSqlSources(env.LOOKAHEAD_SOURCES);
  } catch (error) {
    throw new IngestConfigurationError(`${(error as Error).message}`, { cause: error });
  }
  const source = sources.find((candidate) => candidate.id === sourceId);
  if (!source) {
    throw new IngestConfigurationError(`--source "${sourceId.slice(0, 80)}" is not "app" nor in LOOKAHEAD_SOURCES (${sources.map((entry) => entry.id).join(', ') || 'none configured'})`);
  }
  return openSqlConnection(source.url, { maxConnections: 2 });
}

async function audit(session: WriteSession, runId: string, event: string, fields: { table?: string; path?: string; sha256?: string | null; rows?: number | null; details?: Record<string, unknown> }): Promise<void> {
  await session.query(
    `INSERT INTO lookahead_ingest_audit (run_id, event, target_table, path, sha256, row_count, details) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
    [runId, event, fields.table ?? null, fields.path ?? null, fields.sha256 ?? null, fields.rows ?? null, fields.details ?? {}],
  );
}

async function isLoaded(session: WriteSession, table: TargetTable, sha256: string): Promise<boolean> {
  const rows = await session.query<{ status: string }>(`SELECT status FROM lookahead_ingested_files WHERE target_table = $1 AND sha256 = $2`, [table.key, sha256]);
  return rows[0]?.status === 'loaded';
}

/** A data error Postgres found during COPY (SQLSTATE class 22) is the file's, not ours. */
function fromCopyError(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('22')) {
    const where = (error as { where?: string }).where;
    return new IngestQualityError(`file "${file}": ${(error as Error).message}${where ? ` (${where})` : ''}`, { file, cause: error });
  }
  return error;
}

export async function runIngest(options: IngestOptions): Promise<IngestSummary> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const sourceId = options.sourceId ?? APP_SOURCE_ID;
  const table = parseTableName(options.table ?? tableNameFromPath(options.path));
  const patternSource = options.pattern ?? env.LOOKAHEAD_PARQUET_PATTERN ?? null;
  let pattern = null;
  if (patternSource) {
    try {
      pattern = compileFileNamePattern(patternSource);
    } catch (error) {
      throw new IngestConfigurationError(`${(error as Error).message.replace(/^parquet: /, '')}`, { cause: error });
    }
  }
  const { inputs, rejected } = await findInputFiles(options.path, pattern);
  if (inputs.length === 0 && rejected.length === 0) throw new IngestNotFoundError(`no .parquet or .csv files under "${options.path}"`, { file: options.path });

  const connection = await targetConnection(sourceId, env);
  const write = connection.writeTransaction!.bind(connection);
  const runId = randomUUID();
  const summary: IngestSummary = { runId, sourceId, table: table.key, loaded: [], skipped: [], failed: [], rows: 0 };
  let timescaleSchema: string | null = null;
  try {
    await write((session) => ensureIngestTables(session));
    const timescale = await write((session) =>
      session.query<{ schema: string }>(`SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb'`),
    );
    timescaleSchema = timescale[0] ? quoteIdentifier(timescale[0].schema) : null;
    await write((session) =>
      audit(session, runId, 'run_started', { table: table.key, details: { path: options.path, source: sourceId, files: inputs.length, rejected: rejected.length, pattern: patternSource, timescale: Boolean(timescaleSchema) } }),
    );

    const recordFailure = async (path: string, sha256: string | null, error: IngestError, sizeBytes: number | null) => {
      summary.failed.push({ path, kind: error.kind, message: error.message });
      options.onFailure?.(error);
      log(`failed ${path}: ${error.message}`);
      await write(async (session) => {
        if (sha256) {
          await session.query(
            `INSERT INTO lookahead_ingested_files (target_table, sha256, path, size_bytes, row_count, status, error, run_id, updated_at)
             VALUES ($1, $2, $3, $4, NULL, 'failed', $5, $6, now())
             ON CONFLICT (target_table, sha256) DO UPDATE SET path = EXCLUDED.path, status = 'failed', error = EXCLUDED.error, run_id = EXCLUDED.run_id, updated_at = now()
             WHERE lookahead_ingested_files.status <> 'loaded'`,
            [table.key, sha256, path, sizeBytes ?? 0, error.message, runId],
          );
        }
        await audit(session, runId, 'file_failed', { table: table.key, path, sha256, details: { kind: error.kind, message: error.message } });
      });
    };

    for (const failure of rejected) await recordFailure(failure.file ?? '', null, failure, null);

    for (const input of inputs) {
      const sha256 = await sha256OfFile(input.absolutePath);
      const started = performance.now();
      try {
        const outcome = await loadFile(input, sha256);
        if (outcome === 'skipped') {
          summary.skipped.push({ path: input.relativePath, sha256, rows: 0 });
          log(`skipped ${input.relativePath}: already loaded into ${table.key}`);
        } else {
          summary.loaded.push({ path: input.relativePath, sha256, rows: outcome });
          summary.rows += outcome;
          log(`loaded ${input.relativePath}: ${outcome} rows into ${table.key} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        }
      } catch (error) {
        if (!isIngestError(error)) throw error;
        await recordFailure(input.relativePath, sha256, error, input.sizeBytes);
      }
    }

    await write((session) =>
      audit(session, runId, 'run_finished', {
        table: table.key,
        rows: summary.rows,
        details: { loaded: summary.loaded.length, skipped: summary.skipped.length, failed: summary.failed.length },
      }),
    );
    return summary;
  } finally {
    await connection.close();
  }

  async function loadFile(input: IngestInput, sha256: string): Promise<number | 'skipped'> {
    if (await write((session) => isLoaded(session, table, sha256))) {
      await write((session) => audit(session, runId, 'file_skipped', { table: table.key, path: input.relativePath, sha256, details: { reason: 'already loaded' } }));
      return 'skipped';
    }
    const file = await openIngestFile(input, { timeColumn: options.timeColumn });
    const entityColumn = options.entityColumn ?? (file.columns.some((column) => column.name === ENTITY_COLUMN) ? ENTITY_COLUMN : null);
    if (entityColumn && !file.columns.some((column) => column.name === entityColumn)) {
      throw new IngestConfigurationError(`--entity "${entityColumn}" is not a column of "${input.relativePath}"`);
    }
    return write(async (session) => {
      // One loader per table at a time; the second one then sees the first one's record.
      await session.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`lookahead_ingest:${table.key}`]);
      if (await isLoaded(session, table, sha256)) {
        await audit(session, runId, 'file_skipped', { table: table.key, path: input.relativePath, sha256, details: { reason: 'loaded by a concurrent run' } });
        return 'skipped' as const;
      }
      await prepareTable(session, table, file.columns, { file: input.relativePath, timeColumn: file.timeColumn, entityColumn, timescaleSchema });
      const progress = { rows: 0 };
      const columnList = file.columns.map((column) => quoteIdentifier(column.name)).join(', ');
      try {
        await session.copyIn(`COPY ${table.qualified} (${columnList}) FROM STDIN`, copyTextChunks(file.batches(), { file: input.relativePath, columns: file.columns, timeColumn: file.timeColumn }, progress));
      } catch (error) {
        throw fromCopyError(error, input.relativePath);
      }
      await session.query(
        `INSERT INTO lookahead_ingested_files (target_table, sha256, path, size_bytes, row_count, status, error, run_id, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'loaded', NULL, $6, now())
         ON CONFLICT (target_table, sha256) DO UPDATE SET path = EXCLUDED.path, size_bytes = EXCLUDED.size_bytes, row_count = EXCLUDED.row_count,
           status = 'loaded', error = NULL, run_id = EXCLUDED.run_id, updated_at = now()`,
        [table.key, sha256, input.relativePath, input.sizeBytes, progress.rows, runId],
      );
      await audit(session, runId, 'file_loaded', { table: table.key, path: input.relativePath, sha256, rows: progress.rows, details: { format: input.format, sizeBytes: input.sizeBytes } });
      return progress.rows;
    });
  }
}
