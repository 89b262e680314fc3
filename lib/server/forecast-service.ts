import 'server-only';
import { z } from 'zod';
import { LookaheadError, type ErrorCode } from '@/lib/core/errors';
import { DEFAULT_QUANTILE_LEVELS } from '@/lib/core/forecast';
import { frequencyFromLabel, type Frequency } from '@/lib/core/frequency';
import { forecastBatch, type BatchOutcome, type BatchSeries } from '@/lib/models';
import { fromZodError } from './http';
import type { DatabaseHandle } from '@/db';
import { resolveServerModel } from './models/registry';

/**
 * Server-side inference: the JSON contract shared by POST /api/forecast and `npm run forecast`.
 * In: {"series":[{"values":[...], "timestamps"?: [...], "id"?}], "horizon", "levels"?, "model",
 *      "frequency"?, "season"?, "version"?}
 * Out (version 2): {version, model, runtime, levels, horizon, elapsedMs, forecasts, errors, partial}:
 * forecasts[i] answers series i (null when it failed), errors lists each failed series by index,
 * id and message. Version 1 (all or nothing: the first failing series fails the request) is kept
 * for callers that ask for it. See the README, "Forecast API and CLI".
 */
export const FORECAST_CONTRACT_VERSION = 2;

export const FORECAST_LIMITS = {
  /** Longest horizon answered (Chronos-Bolt's long-horizon path costs 9 model runs per extra 64 steps). */
  maxHorizon: 1024,
  maxSeries: 1024,
  maxPointsPerSeries: 100_000,
  maxTotalPoints: 2_000_000,
  /** Longest season accepted: a week of 5-minute steps (seasonal models need 2+ seasons of data). */
  maxSeason: 2016,
} as const;

// Length first: ISO 8601 allows any number of fraction digits, and a 400-digit one is an attack, not a time.
const isoTimestamp = z
  .string()
  .max(35, 'a timestamp is at most 35 characters (e.g. 2024-01-31T12:00:00.000+00:00)')
  .pipe(z.union([z.iso.datetime({ offset: true }), z.iso.date()]));
const timestamp = z.union([isoTimestamp, z.number().finite()]);

export const forecastRequestSchema = z
  .object({
    version: z.union([z.literal(1), z.literal(2)], { error: 'version must be 1 (all or nothing) or 2 (per-series results and errors)' }).optional(),
    model: z.string().min(1, 'name a model, e.g. "seasonal-naive" or an installed Chronos-Bolt id').max(500),
    horizon: z
      .number()
      .int('horizon must be a whole number of steps')
      .min(1, 'horizon must be at least 1')
      .max(FORECAST_LIMITS.maxHorizon, `horizon must be at most ${FORECAST_LIMITS.maxHorizon}`),
    levels: z.array(z.number().gt(0, 'levels must be > 0').lt(1, 'levels must be < 1')).min(1).max(99).optional(),
    frequency: z.string().max(20).optional(),
    season: z
      .number()
      .int('season must be a whole number of steps, e.g. 24 for hourly data with a daily cycle')
      .min(1, 'season must be at least 1 (1 = no season)')
      .max(FORECAST_LIMITS.maxSeason, `season must be at most ${FORECAST_LIMITS.maxSeason} steps`)
      .optional(),
    series: z
      .array(
        z.object({
          id: z.string().max(200).optional(),
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

/** One series' answer. */
export interface SeriesForecast {
  id?: string;
  quantiles: number[][];
  mean: number[];
  timestamps?: string[];
  notes?: string[];
}

/** One series' failure: which series (index, id) and why. */
export interface SeriesError {
  index: number;
  id?: string;
  code: ErrorCode;
  message: string;
}

export interface ForecastResponseBody {
  /** Absent in version 1 answers. */
  version?: 2;
  model: { id: string; label: string; revision?: string; sha256?: string };
  runtime: string;
  levels: number[];
  horizon: number;
  elapsedMs: number;
  /** Aligned with the request's series; null where that series failed (version 2 only). */
  forecasts: (SeriesForecast | null)[];
  /** Version 2: the failed series, in order (empty when all succeeded). */
  errors?: SeriesError[];
  /** Version 2: true when some (not all) series failed. */
  partial?: boolean;
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

/** The request's series as the batch runner takes them. */
export function toBatchSeries(body: ForecastRequestBody): BatchSeries[] {
  return body.series.map((series) => ({
    ...(series.id === undefined ? {} : { id: series.id }),
    values: Float64Array.from(series.values, (value) => (value === null ? Number.NaN : value)),
    timestampsMs: series.timestamps?.map(toMs) ?? null,
  }));
}

/** A successful outcome in the JSON shape of the contract. */
export function toSeriesForecast(outcome: Extract<BatchOutcome, { ok: true }>): SeriesForecast {
  const { run } = outcome;
  return {
    ...(outcome.id === undefined ? {} : { id: outcome.id }),
    quantiles: run.forecast.quantiles,
    mean: run.forecast.mean,
    ...(run.timestampsMs ? { timestamps: run.timestampsMs.map((ms) => new Date(ms).toISOString()) } : {}),
    ...(run.forecast.notes?.length ? { notes: run.forecast.notes } : {}),
  };
}

/**
 * Runs a parsed request. Version 2 (default): every series is tried; failures are listed in
 * `errors` and `partial` is set. When every series fails the request fails too (a LookaheadError
 * with the first series' status and every error in details), which keeps a single-series request
 * answering exactly as version 1 did. Version 1: the first failing series fails the request.
 */
export async function runForecastRequest(body: ForecastRequestBody, options: { allowDirectory?: boolean; signal?: AbortSignal; handle?: DatabaseHandle } = {}): Promise<ForecastResponseBody> {
  const started = performance.now();
  const { model, runtime, sha256 } = await resolveServerModel(body.model, options);
  const levels = [...new Set(body.levels ?? DEFAULT_QUANTILE_LEVELS)].sort((a, b) => a - b);
  const frequency: Frequency | null = body.frequency ? frequencyFromLabel(body.frequency) : null;
  const version = body.version ?? FORECAST_CONTRACT_VERSION;
  const outcomes = await forecastBatch({
    model,
    series: toBatchSeries(body),
    horizon: body.horizon,
    quantileLevels: levels,
    frequency,
    ...(body.season === undefined ? {} : { season: body.season }),
    ...(options.signal ? { signal: options.signal } : {}),
    onInternalError: (error, index) => console.error(`forecast: series.${index} failed with an internal error`, error),
    // Version 1 stops at the first failure, as it always did.
    ...(version === 1 ? { onOutcome: (outcome: BatchOutcome) => { if (!outcome.ok) throw failureOf([outcome]); } } : {}),
  });
  const errors: SeriesError[] = outcomes.flatMap((outcome) =>
    outcome.ok ? [] : [{ index: outcome.index, ...(outcome.id === undefined ? {} : { id: outcome.id }), code: outcome.error.code, message: outcome.error.message }],
  );
  if (errors.length === outcomes.length) throw failureOf(outcomes);
  const head = {
    model: { id: model.info.id, label: model.info.label, ...(model.info.revision ? { revision: model.info.revision } : {}), ...(sha256 ? { sha256 } : {}) },
    runtime,
    levels,
    horizon: body.horizon,
    elapsedMs: Math.round((performance.now() - started) * 10) / 10,
  };
  const forecasts = outcomes.map((outcome) => (outcome.ok ? toSeriesForecast(outcome) : null));
  if (version === 1) return { ...head, forecasts };
  return { version: FORECAST_CONTRACT_VERSION, ...head, forecasts, errors, partial: errors.length > 0 };
}

/** Every series failed (or, in version 1, one did): one error with the first failure's status. */
function failureOf(outcomes: BatchOutcome[]): LookaheadError {
  const failures = outcomes.filter((outcome): outcome is Extract<BatchOutcome, { ok: false }> => !outcome.ok);
  const first = failures[0]!.error;
  const code: ErrorCode = first.code;
  const message = first.message.replace(`${first.subsystem}: `, '');
  if (failures.length === 1) return new LookaheadError(first.subsystem, code, message, { details: first.details });
  return new LookaheadError(first.subsystem, code, `all ${failures.length} series failed; the first: ${message}`, {
    details: { errors: failures.map((failure) => ({ index: failure.index, ...(failure.id === undefined ? {} : { id: failure.id }), code: failure.error.code, message: failure.error.message })) },
  });
}

/** HTTP status of an answer: 207 (Multi-Status) when some series failed, else 200. */
export function forecastResponseStatus(body: ForecastResponseBody): number {
  return body.partial ? 207 : 200;
}
