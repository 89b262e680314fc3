import type { ForecastConfig } from './schema';

/**
 * The data a configuration reads, as the query of GET /api/sources/<id>/window: the target column
 * of the table (or file, or sample), the series, the time range, the row filters and the
 * downsampling. The newest `limit` rows (or buckets) of that come back, oldest first.
 */
export type WindowSelection = Pick<ForecastConfig, 'table' | 'time' | 'entity' | 'series' | 'target' | 'window' | 'filters' | 'downsample'>;

export function windowParams(selection: WindowSelection, limit: number): Record<string, string> {
  const params: Record<string, string> = { columns: selection.target, limit: String(limit) };
  if (selection.table) params.table = selection.table;
  if (selection.time) params.time = selection.time;
  if (selection.entity) params.entity = selection.entity;
  if (selection.series) params.series = selection.series;
  if (selection.window.start) params.start = selection.window.start;
  if (selection.window.end) params.end = selection.window.end;
  if (selection.filters.min !== null) params.min = String(selection.filters.min);
  if (selection.filters.max !== null) params.max = String(selection.filters.max);
  if (selection.filters.excludeNulls) params.excludeNulls = 'true';
  if (selection.downsample) {
    params.bucket = selection.downsample.bucket;
    params.agg = selection.downsample.agg;
  }
  return params;
}

/** The same selection for the listing routes (/series, /quality): no limit, no target needed for /series. */
export function windowQuery(selection: WindowSelection, limit: number): string {
  return new URLSearchParams(windowParams(selection, limit)).toString();
}
