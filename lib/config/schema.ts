import { z } from 'zod';
import { LookaheadError } from '@/lib/core/errors';
import { DEFAULT_QUANTILE_LEVELS } from '@/lib/core/forecast';

/**
 * A forecast's whole configuration as one JSON document: what data (source, series, target,
 * covariates, window), which model, how far and how wide (context, horizon, levels) and how it
 * is judged (backtest windows and step, models compared). The workbench exports and imports it,
 * `/?config=` carries it in a link, and every shared snapshot stores it.
 */

/** Bounds shared by the page, the worker and the share route. */
export const CONFIG_LIMITS = {
  maxHorizon: 10_000,
  minContext: 2,
  /** The server's default row cap (LOOKAHEAD_ROW_CAP): a million points reach the chart (downsampled for display) and the model. */
  maxContext: 1_000_000,
  maxLevels: 49,
  maxWindows: 50,
  maxModels: 32,
} as const;

const identifier = z.string().trim().min(1).max(200);

/** How a downsampling bucket's rows become one point. */
export const AGGREGATIONS = ['avg', 'min', 'max', 'last'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export const quantileLevelsSchema = z
  .array(z.number().gt(0, 'each level must be > 0').lt(1, 'each level must be < 1'))
  .min(1, 'give at least one level, e.g. [0.1, 0.5, 0.9]')
  .max(CONFIG_LIMITS.maxLevels)
  .refine((levels) => levels.every((level, index) => index === 0 || level > levels[index - 1]!), {
    message: 'levels must be strictly ascending without duplicates, e.g. [0.1, 0.5, 0.9]',
  });

export const forecastConfigSchema = z
  .strictObject({
    version: z.literal(1),
    /** A source id from GET /api/sources, or "upload:<file name>" for a CSV kept only in the page. */
    source: identifier,
    /** Database sources: the table, "schema.name" as GET /api/sources/<id>/tables lists it; null otherwise. */
    table: identifier.nullable().default(null),
    /** The timestamp column; null = the source's own (samples, uploads) or the server's suggestion. */
    time: identifier.nullable().default(null),
    /** The column naming the series (entity id) in a multi-series table; null = none. */
    entity: identifier.nullable().default(null),
    /** Entity id inside a multi-series source; "" for a single series. */
    series: z.string().max(200).default(''),
    target: identifier,
    /** Extra columns offered to models that take covariates (none of the current ones do). */
    covariates: z.array(identifier).max(64).default([]),
    window: z
      .strictObject({
        /** Oldest timestamp to read (ISO 8601); null = as far back as the context needs. */
        start: z.iso.datetime({ offset: true }).nullable().default(null),
        /** Newest timestamp to use (ISO 8601); null = the newest data ("today's data"). */
        end: z.iso.datetime({ offset: true }).nullable().default(null),
      })
      .default({ start: null, end: null }),
    /** Row filters applied by the server before the window is cut: value bounds and null rows. */
    filters: z
      .strictObject({
        min: z.number().finite().nullable().default(null),
        max: z.number().finite().nullable().default(null),
        excludeNulls: z.boolean().default(false),
      })
      .default({ min: null, max: null, excludeNulls: false }),
    /** Server-side downsampling: one point per bucket (a fixed duration such as 1h), aggregated. null = raw rows. */
    downsample: z
      .strictObject({
        bucket: z.string().trim().regex(/^\d{0,6}(s|min|h|D|W)$/, 'bucket must be a fixed duration such as 30s, 5min, 1h, 1D or 1W'),
        agg: z.enum(AGGREGATIONS).default('avg'),
      })
      .nullable()
      .default(null),
    model: identifier,
    context: z.number().int().min(CONFIG_LIMITS.minContext).max(CONFIG_LIMITS.maxContext),
    horizon: z.number().int().min(1).max(CONFIG_LIMITS.maxHorizon),
    quantileLevels: quantileLevelsSchema.default([...DEFAULT_QUANTILE_LEVELS]),
    backtest: z
      .strictObject({
        windows: z.number().int().min(1).max(CONFIG_LIMITS.maxWindows),
        step: z.number().int().min(1).max(CONFIG_LIMITS.maxHorizon),
        /** Models compared on the same windows; [] = every model the browser offers. */
        models: z.array(identifier).max(CONFIG_LIMITS.maxModels).default([]),
      })
      .default({ windows: 3, step: 24, models: [] }),
    /** The preset the configuration started from, for display only. */
    preset: z.string().max(40).nullable().default(null),
  })
  .refine((config) => new Set(config.backtest.models).size === config.backtest.models.length, {
    message: 'backtest.models lists a model twice',
    path: ['backtest', 'models'],
  })
  .refine((config) => !config.window.start || !config.window.end || Date.parse(config.window.start) <= Date.parse(config.window.end), {
    message: 'window.start must not be after window.end',
    path: ['window', 'start'],
  })
  .refine((config) => config.filters.min === null || config.filters.max === null || config.filters.min <= config.filters.max, {
    message: 'filters.min must not exceed filters.max',
    path: ['filters', 'min'],
  });

export type ForecastConfig = z.infer<typeof forecastConfigSchema>;
/** What a caller may leave out (the defaults fill it in). */
export type ForecastConfigInput = z.input<typeof forecastConfigSchema>;

export const UPLOAD_SOURCE_PREFIX = 'upload:';

export function isUploadSource(source: string): boolean {
  return source.startsWith(UPLOAD_SOURCE_PREFIX);
}

/** Points the data window must hold: the context of the oldest backtest window plus every later step. */
export function windowLength(config: Pick<ForecastConfig, 'context' | 'horizon' | 'backtest'>): number {
  return config.context + (config.backtest.windows - 1) * config.backtest.step + config.horizon;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'document'}: ${issue.message}`).join('; ');
}

/**
 * Validates an imported configuration (already JSON-parsed). Throws LookaheadError('config',
 * 'bad_input') naming every bad field and what would be valid.
 */
export function parseForecastConfig(input: unknown): ForecastConfig {
  const parsed = forecastConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new LookaheadError('config', 'bad_input', `not a valid Lookahead configuration: ${describeIssues(parsed.error)}`, {
      details: { issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) },
    });
  }
  return parsed.data;
}

/** Parses a configuration file's text. */
export function parseForecastConfigJson(text: string): ForecastConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LookaheadError('config', 'bad_input', `the configuration is not JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseForecastConfig(json);
}

/** The document a user downloads: stable key order, two-space indent, trailing newline. */
export function serializeForecastConfig(config: ForecastConfig): string {
  return `${JSON.stringify(forecastConfigSchema.parse(config), null, 2)}\n`;
}
