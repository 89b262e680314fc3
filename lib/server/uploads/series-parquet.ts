import 'server-only';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { SeriesSpan, SeriesTable } from '@/lib/data/series-table';

/**
 * A file of series written as one parquet file, sorted by series id then time, with row groups cut
 * at series boundaries: a row group holds whole series (several short ones, or a slice of a long
 * one), so the min/max statistics of the id column tell which groups hold a series, and the time
 * column's which hold a window. lib/data/parquet plans reads by exactly those statistics.
 */

/** Rows per row group: enough to compress well, small enough that one series' window reads little. */
export const SERIES_ROW_GROUP_ROWS = 10_000;

/** Series ids up to this many bytes keep exact statistics (hyparquet-writer's default cuts at 16). */
const ID_STATISTICS_BYTES = 256;

/** Row-group sizes that start a new group at a series boundary once `target` rows are reached. */
export function seriesRowGroupSizes(spans: readonly SeriesSpan[], target = SERIES_ROW_GROUP_ROWS): number[] {
  const sizes: number[] = [];
  let open = 0;
  for (const span of spans) {
    if (open > 0 && open + span.length > target) {
      sizes.push(open);
      open = 0;
    }
    let length = span.length;
    while (length > target) {
      sizes.push(target);
      length -= target;
    }
    open += length;
  }
  if (open > 0) sizes.push(open);
  return sizes;
}

export function seriesTableToParquet(table: SeriesTable): { buffer: ArrayBuffer; rowGroups: number } {
  const rows = table.timestampsMs.length;
  const idColumn = table.idColumn;
  const extraKeys = table.keyColumns.length > 1 ? table.keyColumns : [];
  const columns = [];
  if (idColumn) {
    const ids = new Array<string>(rows);
    const keys = extraKeys.map(() => new Array<string>(rows));
    for (const span of table.series) {
      ids.fill(span.id, span.offset, span.offset + span.length);
      keys.forEach((column, index) => column.fill(span.key[index]!, span.offset, span.offset + span.length));
    }
    columns.push({ name: idColumn, data: ids, type: 'STRING' as const, nullable: false });
    extraKeys.forEach((name, index) => columns.push({ name, data: keys[index]!, type: 'STRING' as const, nullable: false }));
  }
  const sizes = seriesRowGroupSizes(table.series);
  const buffer = parquetWriteBuffer({
    columnData: [
      ...columns,
      { name: table.timestampColumn, data: Array.from(table.timestampsMs), type: 'TIMESTAMP', nullable: false },
      ...[...table.targets, ...table.covariates].map((name) => ({
        name,
        data: Array.from(table.values[name]!, (value) => (Number.isNaN(value) ? null : value)),
        type: 'DOUBLE' as const,
        nullable: true,
      })),
      ...Object.entries(table.text).map(([name, cells]) => ({ name, data: cells, type: 'STRING' as const, nullable: true })),
    ],
    rowGroupSize: sizes.length ? sizes : [SERIES_ROW_GROUP_ROWS],
    statisticsTruncateLength: ID_STATISTICS_BYTES,
  });
  return { buffer, rowGroups: sizes.length };
}
