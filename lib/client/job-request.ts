import type { ForecastConfig } from '@/lib/config';
import { isUploadSource } from '@/lib/config';

/**
 * The workbench's configuration as a server job ("run on the server for all N series"): the same
 * source, table, columns, time range, filters and downsampling, with every series of the table
 * instead of the one on screen. A CSV kept only in the tab has no server copy, so it cannot run there.
 */
export type JobKindName = 'forecast-batch' | 'backtest-batch';

export interface JobRequest {
  kind: JobKindName;
  params: Record<string, unknown>;
}

export function jobWindowQuery(config: ForecastConfig): Record<string, string> {
  const window: Record<string, string> = {};
  if (config.table) window.table = config.table;
  if (config.time) window.time = config.time;
  window.columns = config.target;
  if (config.entity) window.entity = config.entity;
  if (config.window.start) window.start = config.window.start;
  if (config.window.end) window.end = config.window.end;
  if (config.filters.min !== null) window.min = String(config.filters.min);
  if (config.filters.max !== null) window.max = String(config.filters.max);
  if (config.filters.excludeNulls) window.excludeNulls = 'true';
  if (config.downsample) {
    window.bucket = config.downsample.bucket;
    window.agg = config.downsample.agg;
  }
  return window;
}

export function jobRequestFromConfig(config: ForecastConfig, kind: JobKindName, { allModels = [] as readonly string[] } = {}): JobRequest {
  if (isUploadSource(config.source)) {
    throw new Error('jobs: this CSV is kept only in this tab; the server cannot read it. Store it (drop it again once the server accepts uploads) or use a server source');
  }
  const base = { source: config.source, window: jobWindowQuery(config), horizon: config.horizon, levels: config.quantileLevels, context: config.context };
  if (kind === 'forecast-batch') return { kind, params: { ...base, model: config.model } };
  const models = config.backtest.models.length ? config.backtest.models : allModels;
  return { kind, params: { ...base, models: [...models], windows: config.backtest.windows, step: config.backtest.step } };
}
