import { LookaheadError } from '@/lib/core/errors';
import type { SourceColumn } from '@/lib/data/columns';
import { resolveRoles, type ResolvedRoles } from '@/lib/data/roles';
import type { WindowRequest } from '@/lib/data/window-request';
import type { ParquetFile } from './metadata';
import { columnStatistics, statisticNumber } from './statistics';

/**
 * Which row groups of a source's parquet files can hold rows of a window: the roles resolved
 * against the files' (shared) columns, then every row group pruned by the min/max statistics of
 * the time column, and of the entity and value columns where that is safe. Reading them is
 * window.ts's job; nothing here touches more than the footers.
 */

export interface ParquetWindowOptions {
  /** For messages: "source "parquet"" or "upload "x"". */
  label: string;
  /** Whether `series` selects by the file name's {entity} (the files were filtered already). */
  seriesFromFileNames: boolean;
}

export interface ParquetWindowStats {
  files: number;
  rowGroupsTotal: number;
  rowGroupsRead: number;
}

/** A row group that may hold rows of the window. */
export interface RowGroupCandidate {
  file: ParquetFile;
  groupIndex: number;
  /** Index of the group's first row in its file. */
  groupStart: number;
  rows: number;
  minTs: number;
  maxTs: number;
}

export interface ParquetWindowPlan {
  request: WindowRequest;
  roles: ResolvedRoles<SourceColumn>;
  /** Value columns in output order (targets, then covariates). */
  columns: string[];
  /** The bucket when downsampled, else null (the rows' own frequency is for the reader to infer). */
  frequencyLabel: string | null;
  /** Newest first (by their time statistics' maximum): the order they are read in. */
  candidates: RowGroupCandidate[];
  /** Updated as window.ts reads. */
  stats: ParquetWindowStats;
}

/** String statistics may be truncated (hyparquet-writer keeps 16 bytes by default) without saying so. */
const EXACT_STRING_STATISTICS = 16;

function checkSchemas(files: readonly ParquetFile[], roles: ResolvedRoles<SourceColumn>): void {
  const needed = [roles.time, ...roles.targets, ...roles.covariates, ...(roles.entity ? [roles.entity] : [])];
  for (const opened of files) {
    for (const column of needed) {
      const found = opened.columns.find((candidate) => candidate.name === column.name);
      if (!found || found.kind !== column.kind) {
        throw new LookaheadError(
          'parquet',
          'unsupported',
          `file "${opened.name}" ${found ? `has column "${column.name}" as ${found.type}, not ${column.type} as in the other files` : `has no column "${column.name}"`}; all files of a source need the same columns`,
          { details: { file: opened.name, column: column.name } },
        );
      }
    }
  }
}

export function planParquetWindow(files: readonly ParquetFile[], request: WindowRequest, options: ParquetWindowOptions): ParquetWindowPlan {
  if (files.length === 0) {
    throw new LookaheadError('parquet', 'not_found', `${options.label} has no files for this window (check series, years, months, start and end)`);
  }
  const roles = resolveRoles<SourceColumn>(
    files[0]!.columns,
    { time: request.time, targets: request.columns, entity: request.entity, covariates: request.covariates },
    options.label,
  );
  checkSchemas(files, roles);
  if (!roles.entity && !options.seriesFromFileNames && request.series !== undefined && request.series !== '') {
    throw new LookaheadError('parquet', 'bad_input', `series "${request.series.slice(0, 80)}" needs an entity: map one with entity=<column>`);
  }
  if (roles.entity && request.series === undefined) {
    throw new LookaheadError('parquet', 'bad_input', `${options.label} holds one series per "${roles.entity.name}": name one with series=<id>`);
  }

  const startMs = request.start?.getTime() ?? Number.NEGATIVE_INFINITY;
  const endMs = request.end?.getTime() ?? Number.POSITIVE_INFINITY;
  const entitySeries = roles.entity ? request.series! : null;
  const candidates: RowGroupCandidate[] = [];
  let rowGroupsTotal = 0;
  for (const file of files) {
    let groupStart = 0;
    file.metadata.row_groups.forEach((group, groupIndex) => {
      rowGroupsTotal++;
      const rows = Number(group.num_rows);
      const timeStats = columnStatistics(group, roles.time.name);
      const minTs = statisticNumber(timeStats?.min_value ?? timeStats?.min) ?? Number.NEGATIVE_INFINITY;
      const maxTs = statisticNumber(timeStats?.max_value ?? timeStats?.max) ?? Number.POSITIVE_INFINITY;
      let keep = rows > 0 && maxTs >= startMs && minTs <= endMs;
      if (keep && roles.entity && roles.entity.kind === 'text' && entitySeries !== null) {
        const entityStats = columnStatistics(group, roles.entity.name);
        const low = entityStats?.min_value;
        const high = entityStats?.max_value;
        if (typeof low === 'string' && typeof high === 'string') {
          // A cut minimum is a prefix, still a lower bound. A cut maximum is a bound only when the
          // writer rounded it up (as the spec asks); compared as a prefix it bounds either way.
          const exactHigh = entityStats?.is_max_value_exact === true || (entityStats?.is_max_value_exact === undefined && high.length < EXACT_STRING_STATISTICS);
          keep = entitySeries >= low && (exactHigh ? entitySeries <= high : entitySeries.slice(0, high.length) <= high);
        }
      }
      if (keep && (request.min !== undefined || request.max !== undefined)) {
        for (const target of roles.targets) {
          const valueStats = columnStatistics(group, target.name);
          const low = statisticNumber(valueStats?.min_value ?? valueStats?.min);
          const high = statisticNumber(valueStats?.max_value ?? valueStats?.max);
          // A group with nulls keeps them unless excludeNulls: it cannot be skipped for its values.
          const nullsPass = !request.excludeNulls && (valueStats?.null_count === undefined || valueStats.null_count > 0n);
          if (low === null || high === null || nullsPass) continue;
          if ((request.min !== undefined && high < request.min) || (request.max !== undefined && low > request.max)) keep = false;
        }
      }
      if (keep) candidates.push({ file, groupIndex, groupStart, rows, minTs, maxTs });
      groupStart += rows;
    });
  }
  // Newest first, so reading can stop as soon as older groups cannot change the window.
  candidates.sort((a, b) => b.maxTs - a.maxTs);

  return {
    request,
    roles,
    columns: [...roles.targets, ...roles.covariates].map((column) => column.name),
    frequencyLabel: request.bucket?.label ?? null,
    candidates,
    stats: { files: files.length, rowGroupsTotal, rowGroupsRead: 0 },
  };
}
