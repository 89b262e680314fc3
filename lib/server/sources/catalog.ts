import 'server-only';
import { describeParquetSource, listParquetFiles, listParquetSeries } from '@/lib/server/parquet/parquet-source';
import type { DataPlaneConfig } from './config';
import type { ResolvedSource } from './registry';
import { suggestRoles } from '@/lib/data/roles';
import { describeSqlTable, listSqlSeries, listSqlTables } from './sql-source';
import type { WindowRequest } from './window-request';

/**
 * What a source holds, for the browser to choose from: its tables (or files), the columns of one
 * with suggested roles, and its series with row counts and time ranges. Plain JSON, no URLs of
 * databases.
 */

export async function sourceTables(source: ResolvedSource, request: WindowRequest, config: DataPlaneConfig) {
  switch (source.kind) {
    case 'dataset':
      return { kind: source.kind, tables: [] };
    case 'sql': {
      const { tables, timescale } = await listSqlTables(source, config);
      return { kind: source.kind, tables, downsampling: timescale ? 'time_bucket' : 'date_bin', timescale: timescale?.version ?? null };
    }
    case 'parquet':
      return { kind: source.kind, ...(await listParquetFiles(source, request)) };
  }
}

export async function sourceColumns(source: ResolvedSource, request: WindowRequest, config: DataPlaneConfig) {
  switch (source.kind) {
    case 'dataset': {
      const columns = [
        { name: 'ts', type: 'timestamp with time zone', kind: 'timestamp' as const, nullable: false },
        ...source.dataset.columns.map((name) => ({ name, type: 'double precision', kind: 'number' as const, nullable: true })),
      ];
      return { kind: source.kind, columns, suggested: suggestRoles(columns) };
    }
    case 'sql':
      return { kind: source.kind, ...(await describeSqlTable(source, request, config)) };
    case 'parquet':
      return { kind: source.kind, ...(await describeParquetSource(source)) };
  }
}

/** `maxSeries`: how many series to list before answering truncated (default 10,000, the UI's list; jobs pass their per-job limit). */
export async function sourceSeries(source: ResolvedSource, request: WindowRequest, config: DataPlaneConfig, maxSeries?: number) {
  switch (source.kind) {
    case 'dataset': {
      const dataset = source.dataset;
      return {
        kind: source.kind,
        series: [{ id: '', label: dataset.name, rowCount: dataset.rowCount, start: dataset.startTs, end: dataset.endTs, columns: dataset.columns }],
        truncated: false,
      };
    }
    case 'sql':
      return { kind: source.kind, ...(await listSqlSeries(source, request, config, maxSeries)) };
    case 'parquet':
      return { kind: source.kind, ...(await listParquetSeries(source, request, { maxSeries })) };
  }
}
