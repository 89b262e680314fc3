import 'server-only';
import { z } from 'zod';
import { backtestWindows } from '@/lib/core/backtest';
import { DEFAULT_QUANTILE_LEVELS } from '@/lib/core/forecast';
import { seasonalPeriod } from '@/lib/core/frequency';
import type { MetricSet } from '@/lib/core/metrics';
import { backtestModel, compareModels, type ModelScores } from '@/lib/evaluation';
import { listResults, type NewResult } from '@/db';
import { loadBatchForecaster, requireJobModel, type BatchForecaster } from './job-models';
import type { ChunkFailure, ExportRow, JobKind } from './kinds';
import { openSeriesSource, readSeriesBatch } from './series-reader';
import { planSeries, sourceFields } from './source-params';

/**
 * backtest-batch: rolling-origin windows over many series, several models, scored with the same
 * metrics as the workbench (lib/core/metrics via lib/evaluation). Each series' result holds every
 * model's per-window metrics; the job's summary aggregates per model over all (series, window)
 * pairs that every model scored, with the geometric-mean scores relative to seasonal naive.
 */

export const backtestBatchSchema = z
  .object({
    ...sourceFields,
    models: z.array(z.string().min(1).max(500)).min(1, 'models: name at least one model').max(8, 'models: at most 8 per job'),
    horizon: z.number().int().min(1, 'horizon must be at least 1').max(1024, 'horizon must be at most 1024'),
    windows: z.number().int().min(1, 'windows must be at least 1').max(50, 'windows must be at most 50'),
    step: z.number().int().min(1, 'step must be at least 1').max(100_000).optional(),
    context: z.number().int().min(2).max(100_000).default(512),
    levels: z.array(z.number().gt(0).lt(1)).min(1).max(99).optional(),
  })
  .strict();

export type BacktestBatchParams = z.infer<typeof backtestBatchSchema>;

interface ModelResult {
  windows: MetricSet[];
  timeMs: number;
}

export interface BacktestPayload {
  frequency: string | null;
  points: number;
  models: Record<string, ModelResult>;
}

function stepOf(params: BacktestBatchParams): number {
  return params.step ?? params.horizon;
}

/** Points a series needs read: the context of the oldest window plus every window's actuals. */
function pointsNeeded(params: BacktestBatchParams): number {
  return params.context + (params.windows - 1) * stepOf(params) + params.horizon;
}

const METRIC_KEYS: (keyof MetricSet)[] = ['mase', 'wql', 'crps', 'smape', 'mse', 'mae', 'mseScaled', 'maeScaled', 'coverage', 'intervalWidth', 'coverageLevel'];

/** JSON turns NaN into null; metrics come back with NaN where a value was not observed. */
function metricsFromJson(value: Record<string, number | null>): MetricSet {
  const out = {} as Record<string, number | null>;
  for (const key of METRIC_KEYS) {
    const raw = value[key];
    out[key] = key === 'coverage' || key === 'intervalWidth' || key === 'coverageLevel' ? (raw ?? null) : (raw ?? Number.NaN);
  }
  return out as unknown as MetricSet;
}

export const backtestBatchKind: JobKind<BacktestBatchParams> = {
  kind: 'backtest-batch',
  label: 'Batch backtest',
  schema: backtestBatchSchema,
  async plan(params, context) {
    for (const model of params.models) await requireJobModel(model, context.handle);
    const series = await planSeries(params, context);
    return { series, title: `backtest of ${params.models.join(', ')} over ${series.length.toLocaleString('en')} series of ${params.source}, ${params.windows} x ${params.horizon}` };
  },
  async runChunk(params, context) {
    const { items, signal, settings } = context;
    const levels = [...new Set(params.levels ?? DEFAULT_QUANTILE_LEVELS)].sort((a, b) => a - b);
    const source = await openSeriesSource({ sourceId: params.source, window: params.window, handle: context.readHandle });
    const forecasters: BatchForecaster[] = [];
    for (const id of params.models) forecasters.push(await loadBatchForecaster(id, settings, context.handle));
    const failures: ChunkFailure[] = [];
    for (let start = 0; start < items.length; start += settings.batchSize) {
      const batch = items.slice(start, start + settings.batchSize);
      const loaded = await readSeriesBatch(source, batch.map((item) => item.id), pointsNeeded(params), { signal, timeoutSeconds: settings.readTimeoutSeconds });
      const results: NewResult[] = [];
      for (const [offset, item] of batch.entries()) {
        const series = loaded[offset]!;
        if (series instanceof Error) {
          failures.push({ id: item.id, position: item.position, error: series.message });
          continue;
        }
        try {
          const infinite = series.values.findIndex((value) => value === Infinity || value === -Infinity);
          // An infinite actual would turn every aggregate over the job into Infinity: the series fails instead.
          if (infinite >= 0) throw new Error(`model: the series holds an infinite value (point ${infinite + 1} of ${series.values.length}); no metric can score it`);
          const windows = backtestWindows(series.values.length, { windows: params.windows, step: stepOf(params), horizon: params.horizon, context: params.context, minContext: 2 });
          const models: Record<string, ModelResult> = {};
          for (const forecaster of forecasters) {
            const started = performance.now();
            try {
              const run = await backtestModel({ model: forecaster.model, values: series.values, timestampsMs: series.timestampsMs, frequency: series.frequency, windows, quantileLevels: levels, seasonalPeriod: seasonalPeriod(series.frequency), signal });
              const nonFinite = run.windows.some((window) => window.forecast.mean.some((value) => !Number.isFinite(value)));
              if (nonFinite) throw new Error('the forecast has non-finite values (NaN or Infinity); check the series for infinite or extreme values');
              models[forecaster.info.id] = { windows: run.windows.map((window) => window.metrics), timeMs: Math.round(performance.now() - started) };
            } catch (error) {
              if (signal.aborted) throw error;
              throw new Error(`${forecaster.info.id}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
            }
          }
          const payload: BacktestPayload = { frequency: series.frequency?.label ?? null, points: series.values.length, models };
          results.push({ seriesId: item.id, position: item.position, status: 'ok', payload: payload as unknown as Record<string, unknown>, error: null });
        } catch (error) {
          if (signal.aborted) throw error;
          failures.push({ id: item.id, position: item.position, error: error instanceof Error ? error.message : String(error) });
        }
      }
      await context.write(results);
    }
    return failures;
  },
  async summarize(params, { handle, jobId }) {
    // Only series every model scored enter the aggregate, so every model is judged on the same windows.
    const perModel = new Map<string, MetricSet[]>(params.models.map((id) => [id, []]));
    const timeMs = new Map<string, number>(params.models.map((id) => [id, 0]));
    let after = -1;
    let seriesScored = 0;
    for (;;) {
      const page = await listResults({ handle, jobId, afterPosition: after, limit: 500, status: 'ok' });
      if (page.length === 0) break;
      after = page[page.length - 1]!.position;
      for (const row of page) {
        const payload = row.payload as unknown as BacktestPayload;
        if (!params.models.every((id) => payload.models[id]?.windows.length === params.windows)) continue;
        seriesScored++;
        for (const id of params.models) {
          perModel.get(id)!.push(...payload.models[id]!.windows.map((window) => metricsFromJson(window as unknown as Record<string, number | null>)));
          timeMs.set(id, timeMs.get(id)! + payload.models[id]!.timeMs);
        }
      }
    }
    const models: ModelScores[] = params.models.map((id) => ({ modelId: id, windows: perModel.get(id)!, timeMs: timeMs.get(id)! }));
    const comparison = compareModels({ models });
    return { seriesScored, windowsPerSeries: params.windows, comparison } as unknown as Record<string, unknown>;
  },
  exportColumns() {
    return [{ name: 'model', type: 'STRING' }, { name: 'window', type: 'DOUBLE' }, ...METRIC_KEYS.map((key) => ({ name: key, type: 'DOUBLE' as const }))];
  },
  exportRows(params, payload) {
    const result = payload as unknown as BacktestPayload;
    const rows: ExportRow[] = [];
    for (const [model, scores] of Object.entries(result.models)) {
      scores.windows.forEach((window, index) => {
        const metrics = window as unknown as Record<string, number | null>;
        rows.push({ model, window: index, ...Object.fromEntries(METRIC_KEYS.map((key) => [key, metrics[key] ?? null])) });
      });
    }
    return rows;
  },
};
