import 'server-only';
import { z } from 'zod';
import { rollingRobustZ } from '@/lib/core/anomaly';
import { LookaheadError } from '@/lib/core/errors';
import type { NewResult } from '@/db';
import type { ChunkFailure, ExportRow, JobKind } from './kinds';
import { planSeries, sourceFields } from './source-params';
import { openSeriesSource, readSeriesBatch, type JobSeries } from './series-reader';

/**
 * detect-anomalies: the rolling robust z-score of GET /api/sources/:id/anomalies (lib/core's
 * rollingRobustZ, the definition the route uses) over every series of a table, one stored result
 * per series: its anomalies (bounded), how many points were scored, and the parameters.
 */

export const DETECT_ANOMALIES_LIMITS = { maxPoints: 100_000, maxAnomaliesPerSeries: 1_000 } as const;

export const detectAnomaliesSchema = z
  .object({
    ...sourceFields,
    method: z.literal('zscore', { error: 'method must be "zscore" (the interval method runs per series at GET /api/sources/:id/anomalies)' }).default('zscore'),
    rollingWindow: z.number().int('rollingWindow must be a whole number of points').min(3, 'rollingWindow must be at least 3').max(10_000, 'rollingWindow must be at most 10000').default(48),
    threshold: z.number().positive('threshold must be > 0').max(1_000, 'threshold must be at most 1000').default(3.5),
    points: z.number().int().min(3, 'points must be at least 3').max(DETECT_ANOMALIES_LIMITS.maxPoints, `points must be at most ${DETECT_ANOMALIES_LIMITS.maxPoints}`).default(2_000),
  })
  .strict();

export type DetectAnomaliesParams = z.infer<typeof detectAnomaliesSchema>;

export interface AnomalyPayload {
  method: 'zscore';
  parameters: { window: number; threshold: number };
  points: number;
  count: number;
  anomalies: { time: string | null; index: number; value: number; score: number | null; median: number | null }[];
  /** True when more than maxAnomaliesPerSeries were found (the largest |score| are kept). */
  truncated: boolean;
}

export function anomaliesOf(series: JobSeries, params: Pick<DetectAnomaliesParams, 'rollingWindow' | 'threshold'>): AnomalyPayload {
  const parameters = { window: params.rollingWindow, threshold: params.threshold };
  const found = rollingRobustZ(series.values, parameters).filter((point) => point.anomalous);
  const kept = found.length > DETECT_ANOMALIES_LIMITS.maxAnomaliesPerSeries
    ? [...found].sort((a, b) => Math.abs(b.z ?? 0) - Math.abs(a.z ?? 0)).slice(0, DETECT_ANOMALIES_LIMITS.maxAnomaliesPerSeries).sort((a, b) => a.index - b.index)
    : found;
  return {
    method: 'zscore',
    parameters,
    points: series.values.length,
    count: found.length,
    anomalies: kept.map((point) => {
      const ms = series.timestampsMs[point.index];
      return { time: ms === undefined || Number.isNaN(ms) ? null : new Date(ms).toISOString(), index: point.index, value: point.value, score: point.z, median: point.median };
    }),
    truncated: kept.length < found.length,
  };
}

export const detectAnomaliesKind: JobKind<DetectAnomaliesParams> = {
  kind: 'detect-anomalies',
  label: 'Anomaly detection',
  schema: detectAnomaliesSchema,
  async plan(params, context) {
    const series = await planSeries(params, context);
    return { series, title: `anomalies (robust z, window ${params.rollingWindow}, threshold ${params.threshold}) in ${series.length.toLocaleString('en')} series of ${params.source}` };
  },
  async runChunk(params, context) {
    const { items, signal, settings } = context;
    const source = await openSeriesSource({ sourceId: params.source, window: params.window, handle: context.readHandle });
    const failures: ChunkFailure[] = [];
    for (let start = 0; start < items.length; start += settings.batchSize) {
      const batch = items.slice(start, start + settings.batchSize);
      const loaded = await readSeriesBatch(source, batch.map((item) => item.id), params.points, { signal, timeoutSeconds: settings.readTimeoutSeconds });
      const results: NewResult[] = [];
      batch.forEach((item, offset) => {
        const series = loaded[offset]!;
        if (series instanceof Error) failures.push({ id: item.id, position: item.position, error: series.message });
        else results.push({ seriesId: item.id, position: item.position, status: 'ok', payload: anomaliesOf(series, params) as unknown as Record<string, unknown>, error: null });
      });
      await context.write(results);
    }
    return failures;
  },
  async summarize(_params, { handle, jobId }) {
    const [row] = await handle.query<{ scored: number; flagged: number; anomalies: number }>(
      `SELECT count(*)::int AS scored, count(*) FILTER (WHERE (payload->>'count')::int > 0)::int AS flagged, coalesce(sum((payload->>'count')::int), 0)::int AS anomalies
       FROM job_results WHERE job_id = $1 AND status = 'ok'`,
      [jobId],
    );
    const top = await handle.query<{ series: string; count: number }>(
      `SELECT series_id AS series, (payload->>'count')::int AS count FROM job_results WHERE job_id = $1 AND status = 'ok' AND (payload->>'count')::int > 0 ORDER BY (payload->>'count')::int DESC, position LIMIT 20`,
      [jobId],
    );
    return { seriesScored: row?.scored ?? 0, seriesWithAnomalies: row?.flagged ?? 0, anomalies: row?.anomalies ?? 0, top };
  },
  exportColumns() {
    return [
      { name: 'time', type: 'STRING' },
      { name: 'index', type: 'DOUBLE' },
      { name: 'value', type: 'DOUBLE' },
      { name: 'score', type: 'DOUBLE' },
      { name: 'median', type: 'DOUBLE' },
    ];
  },
  exportRows(_params, payload) {
    const result = payload as unknown as AnomalyPayload;
    if (!Array.isArray(result.anomalies)) throw new LookaheadError('jobs', 'internal', 'anomaly result without anomalies');
    return result.anomalies.map((anomaly): ExportRow => ({ time: anomaly.time, index: anomaly.index, value: anomaly.value, score: anomaly.score, median: anomaly.median }));
  },
};
