import 'server-only';
import { z } from 'zod';
import { DEFAULT_QUANTILE_LEVELS } from '@/lib/core/forecast';
import { addSteps } from '@/lib/core/frequency';
import { LookaheadError } from '@/lib/core/errors';
import { IsoTimestamps, type NewResult } from '@/db';
import { loadBatchForecaster, requireJobModel } from './job-models';
import type { ChunkFailure, ExportRow, JobKind } from './kinds';
import { sourceFields, planSeries } from './source-params';
import { openSeriesSource, readSeriesBatch, type JobSeries } from './series-reader';

/**
 * forecast-batch: one model over many series of a source (every series of a table, or a list).
 * Each series' result is its quantile forecast, the timestamps of the steps and a short tail of
 * history for the chart.
 */

export const FORECAST_BATCH_LIMITS = { maxHorizon: 1024, maxContext: 100_000, historyTail: 256 } as const;

export const forecastBatchSchema = z
  .object({
    ...sourceFields,
    model: z.string().min(1, 'name a model, e.g. "seasonal-naive" or an installed Chronos-Bolt id').max(500),
    horizon: z.number().int('horizon must be a whole number of steps').min(1, 'horizon must be at least 1').max(FORECAST_BATCH_LIMITS.maxHorizon, `horizon must be at most ${FORECAST_BATCH_LIMITS.maxHorizon}`),
    levels: z.array(z.number().gt(0, 'levels must be > 0').lt(1, 'levels must be < 1')).min(1).max(99).optional(),
    context: z.number().int().min(2, 'context must be at least 2 points').max(FORECAST_BATCH_LIMITS.maxContext, `context must be at most ${FORECAST_BATCH_LIMITS.maxContext} points`).default(512),
    /** Season length in steps, as `season` in POST /api/forecast; absent: each series' frequency default. */
    season: z.number().int('season must be a whole number of steps').min(1, 'season must be at least 1 (1 = no season)').max(100_000).optional(),
  })
  .strict();

export type ForecastBatchParams = z.infer<typeof forecastBatchSchema>;

export interface ForecastPayload {
  model: string;
  levels: number[];
  quantiles: number[][];
  mean: number[];
  timestamps: string[] | null;
  frequency: string | null;
  history: { timestamps: string[]; values: (number | null)[] };
  notes?: string[];
}

function levelsOf(params: { levels?: number[] | undefined }): number[] {
  return [...new Set(params.levels ?? DEFAULT_QUANTILE_LEVELS)].sort((a, b) => a - b);
}

/**
 * The stored form of a ForecastPayload: the history's values and every timestamp are handed to
 * writeResults as typed arrays, which it packs as float64 without building ~1,000 JSON numbers and
 * 320 ISO strings per series (db/queries/packed-payload.ts); reading gives a ForecastPayload.
 */
function payloadFor(series: JobSeries, forecast: { quantiles: number[][]; mean: number[]; notes?: string[] }, params: ForecastBatchParams, levels: number[]): Record<string, unknown> {
  const last = series.timestampsMs.length ? series.timestampsMs[series.timestampsMs.length - 1]! : null;
  const tail = Math.min(series.values.length, FORECAST_BATCH_LIMITS.historyTail);
  const from = series.values.length - tail;
  return {
    model: params.model,
    levels,
    quantiles: forecast.quantiles,
    mean: forecast.mean,
    timestamps: last !== null && series.frequency ? new IsoTimestamps(Float64Array.from({ length: params.horizon }, (_, step) => addSteps(last, series.frequency!, step + 1))) : null,
    frequency: series.frequency?.label ?? null,
    history: {
      timestamps: new IsoTimestamps(series.timestampsMs.subarray(from)),
      values: series.values.subarray(from),
    },
    ...(forecast.notes?.length ? { notes: forecast.notes } : {}),
  };
}

export const forecastBatchKind: JobKind<ForecastBatchParams> = {
  kind: 'forecast-batch',
  label: 'Batch forecast',
  schema: forecastBatchSchema,
  async plan(params, context) {
    await requireJobModel(params.model, context.handle);
    const series = await planSeries(params, context);
    return { series, title: `${params.model} x ${series.length.toLocaleString('en')} series of ${params.source}, horizon ${params.horizon}` };
  },
  async runChunk(params, context) {
    const { items, signal, settings } = context;
    const levels = levelsOf(params);
    const source = await openSeriesSource({ sourceId: params.source, window: params.window, handle: context.readHandle });
    const forecaster = await loadBatchForecaster(params.model, settings, context.handle);
    const failures: ChunkFailure[] = [];
    const batches: (typeof items)[] = [];
    for (let start = 0; start < items.length; start += settings.batchSize) batches.push(items.slice(start, start + settings.batchSize));
    type Ready = { item: (typeof items)[number]; series: JobSeries }[];
    // Two reads in flight keep ahead of the model (a lane reads series after series on one session) and leave pool connections to a second chunk in flight.
    const read = (batch: typeof items) => readSeriesBatch(source, batch.map((item) => item.id), params.context, { parallel: 2, signal, timeoutSeconds: settings.readTimeoutSeconds });
    const quiet = <T>(promise: Promise<T>): Promise<T> => (promise.catch(() => undefined), promise);
    /** Waits for a batch's series and starts the model on them (the model runs off this thread). */
    const start = async (loading: Promise<(JobSeries | Error)[]>, batch: typeof items) => {
      const loaded = await loading;
      const ready: Ready = [];
      batch.forEach((item, offset) => {
        const series = loaded[offset]!;
        if (series instanceof Error) failures.push({ id: item.id, position: item.position, error: series.message });
        else ready.push({ item, series });
      });
      const outcomes = ready.length
        ? quiet(forecaster.forecastBatch(ready.map(({ series }) => ({ values: series.values, frequency: series.frequency, timestampsMs: series.timestampsMs, ...(params.season === undefined ? {} : { season: params.season }) })), { horizon: params.horizon, levels, signal }))
        : Promise.resolve([]);
      return { ready, outcomes };
    };
    // A pipeline: while the model runs batch i, this thread reads batch i + 1 and builds and
    // writes the results of batch i - 1, so the model waits for neither the database nor JSON.
    let reading = batches.length > 1 ? quiet(read(batches[1]!)) : null;
    let running = batches.length ? await start(read(batches[0]!), batches[0]!) : null;
    let writing: Promise<void> = Promise.resolve();
    for (let index = 0; running; index++) {
      const { ready, outcomes } = running;
      const forecasts = await outcomes;
      running = reading ? await start(reading, batches[index + 1]!) : null;
      reading = index + 2 < batches.length ? quiet(read(batches[index + 2]!)) : null;
      const results: NewResult[] = [];
      forecasts.forEach((outcome, offset) => {
        const { item, series } = ready[offset]!;
        if (outcome.ok) results.push({ seriesId: item.id, position: item.position, status: 'ok', payload: payloadFor(series, outcome.forecast, params, levels), error: null });
        else failures.push({ id: item.id, position: item.position, error: outcome.error });
      });
      await writing;
      writing = quiet(context.write(results));
    }
    await writing;
    return failures;
  },
  exportColumns(params) {
    return [
      { name: 'step', type: 'DOUBLE' },
      { name: 'timestamp', type: 'STRING' },
      { name: 'mean', type: 'DOUBLE' },
      ...levelsOf(params).map((level) => ({ name: `q${level}`, type: 'DOUBLE' as const })),
    ];
  },
  exportRows(params, payload) {
    const result = payload as unknown as ForecastPayload;
    if (!Array.isArray(result.mean)) throw new LookaheadError('jobs', 'internal', 'forecast result without a mean');
    return result.mean.map((mean, step) => {
      const row: ExportRow = { step: step + 1, timestamp: result.timestamps?.[step] ?? null, mean };
      result.levels.forEach((level, index) => (row[`q${level}`] = result.quantiles[index]![step] ?? null));
      return row;
    });
  },
};
