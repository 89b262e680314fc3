import 'server-only';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { LookaheadError } from '@/lib/core/errors';
import {
  APP_TABLE_NAMES,
  connectionForHandle,
  getDatabase,
  getDataset,
  getUploadedSource,
  getUploadLayout,
  getUploadLayouts,
  listUploadedSources,
  listUploadSeries,
  openSqlConnection,
  type DatabaseHandle,
  type Dataset,
  type SqlConnection,
  type UploadedSource,
  type UploadLayout,
} from '@/db';
import { listDatasetSummaries, type DatasetSummary } from '@/lib/server/datasets';
import { compileFileNamePattern } from '@/lib/server/parquet/pattern';
import { directorySource, type ParquetSource } from '@/lib/server/parquet/parquet-source';
import { excerpt } from '@/lib/data/columns';
import { APP_SOURCE_ID, dataPlaneConfig, PARQUET_SOURCE_ID, type DataPlaneConfig, type SqlSourceConfig } from './config';
import { tableKey } from './identifiers';
import type { SqlSource } from './sql-source';

/**
 * Every source the server offers, by id: the sample datasets (their ids unchanged), the app's own
 * database ("app"), the databases of LOOKAHEAD_SOURCES, the LOOKAHEAD_PARQUET_DIR directory
 * ("parquet") and stored uploads ("upload-..."). Connection URLs stay here; summaries carry none.
 */
export type ResolvedSource = { kind: 'dataset'; id: string; dataset: Dataset; handle: DatabaseHandle } | SqlSource | ParquetSource;

export type SourceSummary =
  | ({ kind: 'dataset' } & DatasetSummary)
  | { kind: 'sql'; id: string; name: string; description: string }
  | { kind: 'parquet'; id: string; name: string; description: string }
  | {
      kind: 'upload';
      id: string;
      name: string;
      description: string;
      columns: string[];
      textColumns: string[];
      timestampColumn: string;
      rowCount: number;
      frequency: string | null;
      start: string | null;
      end: string | null;
      warnings: string[];
      fileUrl: string;
      /** How the file held its series; absent for uploads stored before multi-series files (one series). */
      layout?: 'single' | 'long' | 'wide';
      seriesCount?: number;
      /** The series id column of the stored file (null for one series), and the file's key columns. */
      entityColumn?: string | null;
      keyColumns?: string[];
      targets?: string[];
      covariates?: string[];
    };

const globalPools = globalThis as unknown as { lookaheadSourcePools?: Map<string, SqlConnection> };

function pooledConnection(source: SqlSourceConfig): SqlConnection {
  globalPools.lookaheadSourcePools ??= new Map();
  const key = `${source.id}\u0000${source.url}`;
  let connection = globalPools.lookaheadSourcePools.get(key);
  if (!connection) {
    connection = openSqlConnection(source.url);
    globalPools.lookaheadSourcePools.set(key, connection);
  }
  return connection;
}

/** Ends the pools of configured sources (tests, shutdown). */
export async function closeSourcePools(): Promise<void> {
  const pools = globalPools.lookaheadSourcePools;
  if (!pools) return;
  globalPools.lookaheadSourcePools = new Map();
  await Promise.all([...pools.values()].map((connection) => connection.close()));
}

function appSource(handle: DatabaseHandle, config: DataPlaneConfig): SqlSource {
  return {
    kind: 'sql',
    id: APP_SOURCE_ID,
    name: 'App database',
    connection: connectionForHandle(handle),
    scope: { ...config.appScope, hidden: new Set(APP_TABLE_NAMES.map((name) => tableKey('public', name))) },
  };
}

function configuredSource(source: SqlSourceConfig): SqlSource {
  return { kind: 'sql', id: source.id, name: source.name ?? source.id, connection: pooledConnection(source), scope: { schemas: source.schemas ?? [], tables: source.tables ?? [], hidden: new Set() } };
}

/** Series listed per request at most: the picker types ahead through the rest. */
const UPLOAD_SERIES_LISTED = 10_000;

export function uploadSource(upload: UploadedSource, config: DataPlaneConfig, stored?: { layout: UploadLayout | null; handle: DatabaseHandle }): ParquetSource {
  const absolutePath = path.join(config.uploadDir, upload.storedFileName);
  const layout = stored?.layout ?? null;
  const handle = stored?.handle;
  return {
    ...(layout ? { knownRoles: { entity: layout.entityColumn, targets: layout.targets, covariates: layout.covariates } } : {}),
    ...(layout?.entityColumn && handle
      ? {
          listSeries: {
            entity: layout.entityColumn,
            async list(request, maxSeries = UPLOAD_SERIES_LISTED) {
              const { series, total } = await listUploadSeries({ handle, id: upload.id, ids: request.ids, limit: maxSeries });
              return {
                series: series.map((entry) => ({
                  id: entry.seriesId,
                  rowCount: entry.rowCount,
                  start: entry.startTs.toISOString(),
                  end: entry.endTs.toISOString(),
                  frequency: entry.frequency,
                  missingSteps: entry.missingSteps,
                })),
                truncated: total > series.length,
              };
            },
          },
        }
      : {}),
    kind: 'parquet',
    id: upload.id,
    name: upload.name,
    description: `Uploaded ${upload.originalFileName}`,
    root: config.uploadDir,
    pattern: null,
    // The id is the content hash: the bytes behind the URL never change.
    cacheControl: 'public, max-age=31536000, immutable',
    async listFiles() {
      const info = await stat(absolutePath).catch(() => null);
      if (!info) throw new LookaheadError('upload', 'not_found', `the stored file of upload "${upload.id}" is missing; upload the CSV again`);
      return {
        files: [{ relativePath: upload.storedFileName, absolutePath, sizeBytes: info.size, mtimeMs: info.mtimeMs, entity: null, year: null, month: null }],
        skipped: [],
      };
    },
  };
}

function parquetDirectory(config: DataPlaneConfig): ParquetSource | null {
  if (!config.parquetDir) return null;
  return directorySource({ id: PARQUET_SOURCE_ID, root: config.parquetDir, pattern: compileFileNamePattern(config.parquetPattern) });
}

export async function resolveSource(id: string, { config = dataPlaneConfig(), handle }: { config?: DataPlaneConfig; handle?: DatabaseHandle } = {}): Promise<ResolvedSource> {
  // Every id the server hands out has this shape; anything else cannot name a source.
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/.test(id)) {
    throw new LookaheadError('sources', 'not_found', `no source "${excerpt(id)}"; GET /api/sources lists the available ones`);
  }
  const database = handle ?? (await getDatabase());
  if (id === APP_SOURCE_ID) return appSource(database, config);
  const configured = config.sqlSources.find((source) => source.id === id);
  if (configured) return configuredSource(configured);
  if (id === PARQUET_SOURCE_ID) {
    const directory = parquetDirectory(config);
    if (directory) return directory;
  }
  if (id.startsWith('upload-') && id.length <= 64) {
    const upload = await getUploadedSource({ handle: database, id });
    if (upload) return uploadSource(upload, config, { layout: await getUploadLayout({ handle: database, id }), handle: database });
  }
  const dataset = await getDataset({ handle: database, id });
  if (dataset) return { kind: 'dataset', id, dataset, handle: database };
  throw new LookaheadError('sources', 'not_found', `no source "${excerpt(id)}"; GET /api/sources lists the available ones`);
}

/** What the browser may know of an uploaded source (the list and POST /api/uploads answer with it). */
export function summarizeUpload(upload: UploadedSource, layout: UploadLayout | null = null) {
  return {
    ...(layout
      ? {
          layout: layout.layout as 'single' | 'long' | 'wide',
          seriesCount: layout.seriesCount,
          entityColumn: layout.entityColumn,
          keyColumns: layout.keyColumns,
          targets: layout.targets,
          covariates: layout.covariates,
        }
      : {}),
    kind: 'upload' as const,
    id: upload.id,
    name: upload.name,
    description: `Uploaded ${upload.originalFileName}`,
    columns: upload.columns,
    textColumns: upload.textColumns,
    timestampColumn: upload.timestampColumn,
    rowCount: upload.rowCount,
    frequency: upload.frequency,
    start: upload.startTs?.toISOString() ?? null,
    end: upload.endTs?.toISOString() ?? null,
    warnings: upload.warnings,
    fileUrl: `/api/files/${upload.id}/${upload.storedFileName}`,
  };
}

export async function listSources({ config = dataPlaneConfig(), handle }: { config?: DataPlaneConfig; handle?: DatabaseHandle } = {}): Promise<SourceSummary[]> {
  const database = handle ?? (await getDatabase());
  const datasets = await listDatasetSummaries(database);
  const uploads = await listUploadedSources({ handle: database });
  const layouts = await getUploadLayouts({ handle: database, ids: uploads.map((upload) => upload.id) });
  const directory = parquetDirectory(config);
  return [
    ...datasets.map((dataset) => ({ kind: 'dataset' as const, ...dataset })),
    { kind: 'sql' as const, id: APP_SOURCE_ID, name: 'App database', description: `Tables of the app's own database (${database.kind})` },
    ...config.sqlSources.map((source) => ({ kind: 'sql' as const, id: source.id, name: source.name ?? source.id, description: 'Postgres database' })),
    ...(directory ? [{ kind: 'parquet' as const, id: directory.id, name: directory.name, description: directory.description }] : []),
    ...uploads.map((upload) => summarizeUpload(upload, layouts.get(upload.id) ?? null)),
  ];
}
