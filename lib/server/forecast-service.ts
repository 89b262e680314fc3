import 'server-only';
import { z } from 'zod';
import { LookaheadError } from '@/lib/core/errors';
import { DEFAULT_QUANTILE_LEVELS } from '@/lib/core/forecast';
import { frequencyFromLabel, inferFrequency, type Frequency } from '@/lib/core/frequency';
import { forecastSeries } from '@/lib/models';
import { fromZodError } from './http';
import { resolveServerModel } from './models/registry';

/**
 * Server-side inference: the JSON contract shared by POST /api/forecast and `npm run forecast`.
 * In: {"series":[{"values":[...], "timestamps"?: [...]}], "horizon", "levels"?, "model", "frequency"?}
 * Out: per series {quantiles[level][step], mean[step], timestamps?}, plus levels, model, runtime, elapsed.
 */
export const FORECAST_LIMITS = {
  /** Longest horizon answered (Chronos-Bolt's long-horizon path costs 9 model runs per extra 64 steps). */
  maxHorizon: 1024,
  maxSeries: 1024,
  maxPointsPerSeries: 100_000,
  maxTotalPoints: 2_000_000,
} as const;

// Length first: ISO 8601 allows any number of fraction digits, and a 400-digit one is an attack, not a time.
const isoTimestamp = z
  .string()
  .max(35, 'a timestamp is at most 35 characters (e.g. 2024-01-31T12:00:00.000+00:00)')
  .pipe(z.union([z.iso.datetime({ offset: true }), z.iso.date()]));
const timestamp = z.union([isoTimestamp, z.number().finite()]);

export const forecastRequestSchema = z
  .object({
    model: z.string().min(1, 'name a model, e.g. "seasonal-naive" or an installed Chronos-Bolt id').max(500),
    horizon: z
      .number()
      .int('horizon must be a whole number of steps')
      .min(1, 'horizon must be at least 1')
      .max(FORECAST_LIMITS.maxHorizon, `horizon must be at most ${FORECAST_LIMITS.maxHorizon}`),
    levels: z.array(z.number().gt(0, 'levels must be > 0').lt(1, 'levels must be < 1')).min(1).max(99).optional(),
    frequency: z.string().max(20).optional(),
    series: z
      .array(
        z.object({
          // null = missing value (JSON has no NaN).
          values: z
            .array(z.number().finite().nullable(), { error: 'values must be an array of numbers (null for a missing value)' })
            .min(1, 'a series needs at least one value')
            .max(FORECAST_LIMITS.maxPointsPerSeries, `a series may have at most ${FORECAST_LIMITS.maxPointsPerSeries} values`),
          timestamps: z.array(timestamp).optional(),
        }),
      )
      .min(1, 'send at least one series')
      .max(FORECAST_LIMITS.maxSeries, `send at most ${FORECAST_LIMITS.maxSeries} series per request`),
  })
  .strict();

export type ForecastRequestBody = z.infer<typeof forecastRequestSchema>;

export interface ForecastResponseBody {
  model: { id: string; label: string; revision?: string; sha256?: string };
  runtime: string;
  levels: number[];
  horizon: number;
  elapsedMs: number;
  forecasts: { quantiles: number[][]; mean: number[]; timestamps?: string[]; notes?: string[] }[];
}

export function parseForecastRequest(json: unknown): ForecastRequestBody {
  const parsed = forecastRequestSchema.safeParse(json);
  if (!parsed.success) throw fromZodError('forecast', parsed.error);
  const total = parsed.data.series.reduce((sum, series) => sum + series.values.length, 0);
  if (total > FORECAST_LIMITS.maxTotalPoints) {
    throw new LookaheadError('forecast', 'too_large', `the request has ${total} values; the limit is ${FORECAST_LIMITS.maxTotalPoints} per request: split it`);
  }
  parsed.data.series.forEach((series, index) => {
    if (series.timestamps && series.timestamps.length !== series.values.length) {
      throw new LookaheadError('forecast', 'bad_input', `series.${index}: ${series.timestamps.length} timestamps for ${series.values.length} values; give one per value or none`);
    }
  });
  return parsed.data;
}

function toMs(value: string | number): number {
  return typeof value === 'number' ? value : Date.parse(value);
}

export async function runForecastRequest(body: ForecastRequestBody, options: { allowDirectory?: boolean; signal?: AbortSignal } = {}): Promise<ForecastResponseBody> {
  const started = performance.now();
  const { model, runtime, sha256 } = await resolveServerModel(body.model, options);
  const levels = [...new Set(body.levels ?? DEFAULT_QUANTILE_LEVELS)].sort((a, b) => a - b);
  const declared: Frequency | null = body.frequency ? frequencyFromLabel(body.frequency) : null;
  const forecasts: ForecastResponseBody['forecasts'] = [];
  for (const [index, series] of body.series.entries()) {
    const values = Float64Array.from(series.values, (value) => (value === null ? Number.NaN : value));
    const timestampsMs = series.timestamps?.map(toMs) ?? null;
    const frequency = declared ?? (timestampsMs ? inferFrequency(timestampsMs) : null);
    try {
      const run = await forecastSeries({ model, values, timestampsMs, frequency, horizon: body.horizon, quantileLevels: levels, signal: options.signal });
      forecasts.push({
        quantiles: run.forecast.quantiles,
        mean: run.forecast.mean,
        ...(run.timestampsMs ? { timestamps: run.timestampsMs.map((ms) => new Date(ms).toISOString()) } : {}),
        ...(run.forecast.notes?.length ? { notes: run.forecast.notes } : {}),
      });
    } catch (error) {
      if (error instanceof LookaheadError && error.expose) {
        throw new LookaheadError(error.subsystem, error.code, `series.${index}: ${error.message.replace(`${error.subsystem}: `, '')}`, { cause: error });
      }
      throw error;
    }
  }
  return {
    model: { id: model.info.id, label: model.info.label, ...(model.info.revision ? { revision: model.info.revision } : {}), ...(sha256 ? { sha256 } : {}) },
    runtime,
    levels,
    horizon: body.horizon,
    elapsedMs: Math.round((performance.now() - started) * 10) / 10,
    forecasts,
  };
}
