import 'server-only';
import { z } from 'zod';
import { intervalLevels, outsideInterval, rollingRobustZ } from '@/lib/core/anomaly';
import { LookaheadError } from '@/lib/core/errors';
import { runForecastRequest } from '../forecast-service';
import { fromZodError } from '../http';
import { dataPlaneConfig, openWindowReader, parseWindowRequest, readWholeWindow, resolveSource, sourceSeries, sqlRobustZ, type DataPlaneConfig, type ResolvedSource, type WindowRequest } from '../sources';

/**
 * Anomalies of one series of any source. method=zscore: the rolling robust z-score, computed in
 * the database for SQL sources (window functions) and in lib/core for samples, parquet and
 * uploads (the same definition, tested to agree). method=interval: the last `horizon` points
 * held out, forecast from the points before them by `model`, and the actuals outside the
 * forecast's central `level` interval flagged.
 */

export const ANOMALY_PARAMETERS = ['method', 'window', 'threshold', 'model', 'level', 'horizon'] as const;

const anomalyParameters = z.strictObject({
  method: z.enum(['zscore', 'interval'], { error: 'method must be "zscore" or "interval"' }).default('zscore'),
  window: z.coerce.number().int('window must be a whole number of points').min(3, 'window must be at least 3').max(10_000, 'window must be at most 10000').default(48),
  threshold: z.coerce.number().positive('threshold must be > 0').max(1_000).default(3.5),
  model: z.string().min(1).max(200).default('seasonal-naive'),
  level: z.coerce.number().gt(0, 'level must be > 0').lt(1, 'level must be < 1, e.g. 0.8 for an 80% interval').default(0.8),
  horizon: z.coerce.number().int().min(1, 'horizon must be at least 1').max(1_024, 'horizon must be at most 1024').default(24),
});

export type AnomalyParameters = z.infer<typeof anomalyParameters>;

export interface Anomaly {
  time: string | null;
  index: number;
  value: number;
  /** z-score (zscore) or excess beyond the interval in interval widths (interval); null for a constant window. */
  score: number | null;
  median?: number | null;
  lower?: number;
  upper?: number;
}

export interface AnomalyReport {
  source: string;
  column: string;
  method: 'zscore' | 'interval';
  /** Where the scores were computed: 'sql' (in the source database) or 'js' (lib/core). */
  engine: 'sql' | 'js';
  parameters: Partial<AnomalyParameters>;
  /** The scored series for a chart: every point read, its score (null where none). */
  series: { timestampsMs: number[]; values: number[]; scores: (number | null)[]; lower?: (number | null)[]; upper?: (number | null)[] };
  anomalies: Anomaly[];
  count: number;
}

/** Splits a query string into the window parameters (validated as /window validates them) and the anomaly ones. */
export function parseAnomalyQuery(searchParams: URLSearchParams, config: DataPlaneConfig): { window: WindowRequest; anomaly: AnomalyParameters } {
  const windowParams = new URLSearchParams();
  const own: Record<string, string> = {};
  for (const [key, value] of searchParams) {
    if ((ANOMALY_PARAMETERS as readonly string[]).includes(key)) own[key] = value;
    else windowParams.append(key, value);
  }
  const parsed = anomalyParameters.safeParse(own);
  if (!parsed.success) throw fromZodError('anomaly', parsed.error);
  return { window: parseWindowRequest(windowParams, { rowCap: config.rowCap }), anomaly: parsed.data };
}

const iso = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? null : new Date(ms).toISOString());

async function readSeries(source: ResolvedSource, request: WindowRequest, config: DataPlaneConfig): Promise<{ column: string; timestampsMs: number[]; values: number[] }> {
  const reader = await openWindowReader(source, request, config);
  const window = await readWholeWindow(reader);
  const column = request.columns?.[0] ?? Object.keys(window.columns)[0];
  if (!column || !window.columns[column]) throw new LookaheadError('anomaly', 'bad_input', `the window has no column to score; name one with columns=<column>`);
  return { column, timestampsMs: Array.from(window.timestampsMs), values: Array.from(window.columns[column]!) };
}

export async function detectAnomalies({ sourceId, searchParams, config = dataPlaneConfig() }: { sourceId: string; searchParams: URLSearchParams; config?: DataPlaneConfig }): Promise<AnomalyReport> {
  const { window: request, anomaly } = parseAnomalyQuery(searchParams, config);
  const source = await resolveSource(sourceId, { config });
  if (anomaly.method === 'zscore') {
    const parameters = { window: anomaly.window, threshold: anomaly.threshold };
    if (source.kind === 'sql') {
      const { column, rows } = await sqlRobustZ(source, request, config, parameters);
      const anomalies = rows.flatMap((row, index) => (row.anomalous ? [{ time: iso(row.timestampMs), index, value: row.value, score: row.z, median: row.median }] : []));
      return {
        source: source.id, column, method: 'zscore', engine: 'sql', parameters,
        series: { timestampsMs: rows.map((row) => row.timestampMs), values: rows.map((row) => row.value), scores: rows.map((row) => row.z) },
        anomalies, count: anomalies.length,
      };
    }
    const series = await readSeries(source, request, config);
    const points = rollingRobustZ(series.values, parameters);
    const anomalies = points.flatMap((point) => (point.anomalous ? [{ time: iso(series.timestampsMs[point.index]), index: point.index, value: point.value, score: point.z, median: point.median }] : []));
    const scores: (number | null)[] = series.values.map(() => null);
    for (const point of points) scores[point.index] = point.z;
    return { source: source.id, column: series.column, method: 'zscore', engine: 'js', parameters, series: { ...series, scores }, anomalies, count: anomalies.length };
  }

  const parameters = { model: anomaly.model, level: anomaly.level, horizon: anomaly.horizon };
  const series = await readSeries(source, request, config);
  const present = series.values.filter((value) => !Number.isNaN(value)).length;
  if (series.values.length <= anomaly.horizon + 2 || present < anomaly.horizon + 2) {
    throw new LookaheadError('anomaly', 'bad_input', `method=interval holds out the last ${anomaly.horizon} points and needs more history before them; the window has ${series.values.length} points: lower horizon= or widen the window`);
  }
  const cut = series.values.length - anomaly.horizon;
  const [lowLevel, highLevel] = intervalLevels(anomaly.level);
  const forecast = await runForecastRequest({
    model: anomaly.model,
    horizon: anomaly.horizon,
    levels: [lowLevel, highLevel],
    series: [{ values: series.values.slice(0, cut).map((value) => (Number.isNaN(value) ? null : value)), ...(series.timestampsMs.length ? { timestamps: series.timestampsMs.slice(0, cut) } : {}) }],
  });
  const [lower, upper] = forecast.forecasts[0]!.quantiles as [number[], number[]];
  const points = outsideInterval(series.values.slice(cut), lower, upper);
  const anomalies = points.flatMap((point) =>
    point.anomalous ? [{ time: iso(series.timestampsMs[cut + point.index]), index: cut + point.index, value: point.value, score: point.excess, lower: point.lower, upper: point.upper }] : [],
  );
  const scores: (number | null)[] = series.values.map(() => null);
  const lowerSeries: (number | null)[] = series.values.map(() => null);
  const upperSeries: (number | null)[] = series.values.map(() => null);
  points.forEach((point) => (scores[cut + point.index] = point.excess));
  lower.forEach((value, step) => (lowerSeries[cut + step] = value));
  upper.forEach((value, step) => (upperSeries[cut + step] = value));
  return {
    source: source.id, column: series.column, method: 'interval', engine: 'js', parameters,
    series: { ...series, scores, lower: lowerSeries, upper: upperSeries },
    anomalies, count: anomalies.length,
  };
}

export interface SeriesAnomalies {
  series: string;
  /** Points scored. */
  points: number;
  count: number;
  anomalies: Anomaly[];
  error?: string;
}

/**
 * Anomalies of every series of a table (the `detect-anomalies` job's work, and alert rules that
 * name a source without a series): the series are listed as GET /series lists them (at most
 * `maxSeries`), then each is scored as detectAnomalies scores one. A series that fails is
 * reported with its error; the others go on.
 */
export async function detectAnomaliesEverySeries({
  sourceId,
  searchParams,
  config = dataPlaneConfig(),
  maxSeries = 1_000,
}: {
  sourceId: string;
  searchParams: URLSearchParams;
  config?: DataPlaneConfig;
  maxSeries?: number;
}): Promise<{ series: SeriesAnomalies[]; truncated: boolean }> {
  const { window: request } = parseAnomalyQuery(searchParams, config);
  const source = await resolveSource(sourceId, { config });
  const listed = await sourceSeries(source, { ...request, series: undefined }, config);
  const ids = listed.series.map((entry) => entry.id).slice(0, maxSeries);
  const results: SeriesAnomalies[] = [];
  for (const id of ids) {
    const query = new URLSearchParams(searchParams);
    if (id === '') query.delete('series');
    else query.set('series', id);
    try {
      const report = await detectAnomalies({ sourceId, searchParams: query, config });
      results.push({ series: id, points: report.series.values.length, count: report.count, anomalies: report.anomalies });
    } catch (error) {
      results.push({ series: id, points: 0, count: 0, anomalies: [], error: (error as Error).message });
    }
  }
  return { series: results, truncated: listed.truncated || listed.series.length > maxSeries };
}
