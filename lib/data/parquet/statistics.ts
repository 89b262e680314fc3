import type { RowGroup, Statistics } from 'hyparquet';

/** Row-group statistics of a top-level column, as numbers where they are numbers. */

export function columnStatistics(group: RowGroup, column: string): Statistics | undefined {
  return group.columns.find((chunk) => chunk.meta_data?.path_in_schema.length === 1 && chunk.meta_data.path_in_schema[0] === column)?.meta_data?.statistics;
}

export function statisticNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}
