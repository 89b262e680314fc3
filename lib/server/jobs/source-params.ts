import 'server-only';
import { z } from 'zod';
import { LookaheadError } from '@/lib/core/errors';
import type { PlanContext } from './kinds';
import { listSeriesIds, openSeriesSource } from './series-reader';

/** The source part of a job's params, shared by the kinds that read series. */
export const sourceFields = {
  source: z.string().min(1, 'name a source id (GET /api/sources lists them)').max(200),
  /** The window as the window route's query names it: table, time, columns, entity, start, end, bucket, agg, min, max, excludeNulls. */
  window: z.record(z.string().max(100), z.string().max(2000)).default({}),
  /** Series ids to run; omitted = every series of the window's table. */
  series: z.array(z.string().max(1000)).min(1, 'series: give at least one id, or omit it for every series').max(10_000_000).optional(),
};

export async function planSeries(params: { source: string; window: Record<string, string>; series?: string[] | undefined }, context: PlanContext): Promise<string[]> {
  const source = await openSeriesSource({ sourceId: params.source, window: params.window, handle: context.handle });
  const max = context.settings.maxSeriesPerJob;
  if (params.series) {
    if (params.series.length > max) {
      throw new LookaheadError('jobs', 'too_large', `${params.series.length} series is above this server's limit of ${max} per job (LOOKAHEAD_JOB_MAX_SERIES); split the job`);
    }
    const seen = new Set<string>();
    const duplicate = params.series.find((id) => seen.size === seen.add(id).size);
    if (duplicate !== undefined) throw new LookaheadError('jobs', 'bad_input', `series "${duplicate.slice(0, 100)}" is listed twice; list each series once`);
    return params.series;
  }
  const { ids, truncated } = await listSeriesIds(source, max);
  if (truncated) throw new LookaheadError('jobs', 'too_large', `source "${params.source}" has more than ${max} series in this window, above this server's limit of ${max} per job (LOOKAHEAD_JOB_MAX_SERIES); narrow the window or list the series`);
  if (ids.length === 0) throw new LookaheadError('jobs', 'bad_input', `source "${params.source}" has no series in this window; check window.table, window.start and window.end`);
  if (ids.length > max) throw new LookaheadError('jobs', 'too_large', `${ids.length} series is above this server's limit of ${max} per job (LOOKAHEAD_JOB_MAX_SERIES); narrow the window or list the series`);
  return ids;
}
