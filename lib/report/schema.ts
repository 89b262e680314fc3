import { z } from 'zod';
import { forecastConfigSchema, quantileLevelsSchema } from '@/lib/config/schema';
import { COMPARISON_COLUMNS, type ComparisonMetric } from '@/lib/evaluation/comparison';
import { LookaheadError } from '@/lib/core/errors';

/**
 * A forecast report: everything the workbench shows about one run, as plain JSON. The page
 * renders it, exports it, and shares it: a shared link stores exactly this document, so the link
 * shows the same numbers the page showed, forever, without touching the live source.
 *
 * JSON has no NaN or Infinity: a missing value, a failed score or an unscaleable ratio is null.
 */

/** A number, or null for missing / not finite. */
const value = z.number().nullable();
const text = (max: number) => z.string().max(max);
const count = z.number().int().min(0);

export const reportModelSchema = z.strictObject({
  id: text(200).min(1),
  family: text(40),
  label: text(200),
  /** Revision of the weights (learned models); null for baselines, whose code is the model. */
  revision: text(200).nullable(),
  /** sha256 of the weights file when the model has one. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits').nullable(),
});

export const reportRuntimeSchema = z.strictObject({
  device: z.enum(['webgpu', 'wasm']),
  label: text(200),
  reason: text(1000),
});

export const reportForecastSchema = z.strictObject({
  quantileLevels: quantileLevelsSchema,
  /** quantiles[levelIndex][step] */
  quantiles: z.array(z.array(value)),
  mean: z.array(value),
});

export const reportMetricsSchema = z.strictObject({
  mase: value,
  wql: value,
  crps: value,
  smape: value,
  mse: value,
  mae: value,
  mseScaled: value,
  maeScaled: value,
  coverage: value,
  intervalWidth: value,
  coverageLevel: value,
});

const metricNames = COMPARISON_COLUMNS.map((column) => column.metric) as [ComparisonMetric, ...ComparisonMetric[]];

export const reportComparisonSchema = z.strictObject({
  baselineId: text(200).nullable(),
  coverageLevel: value,
  rows: z.array(
    z.strictObject({
      modelId: text(200),
      values: z.strictObject(Object.fromEntries(metricNames.map((metric) => [metric, value])) as Record<ComparisonMetric, typeof value>),
      best: z.array(z.enum(metricNames)),
    }),
  ),
});

export const reportBacktestSchema = z.strictObject({
  seasonalPeriod: z.number().int().min(1),
  windows: z.array(z.strictObject({ index: count, contextStart: count, cutoff: count, horizon: z.number().int().min(1) })).min(1).max(50),
  models: z
    .array(
      z.strictObject({
        model: reportModelSchema,
        runtime: reportRuntimeSchema.nullable(),
        timings: z.strictObject({ loadMs: z.number().min(0), fitMs: z.number().min(0), forecastMs: z.number().min(0), totalMs: z.number().min(0) }),
        /** The model's failure message; null when it ran. */
        error: text(2000).nullable(),
        windows: z.array(z.strictObject({ index: count, cutoff: count, forecast: reportForecastSchema, metrics: reportMetricsSchema })),
      }),
    )
    .min(1)
    .max(32),
  comparison: reportComparisonSchema,
});

/** Lists in a report's quality section stop here (the counts stay complete): a share link stays small. */
export const REPORT_QUALITY_LIST_LIMIT = 20;
const timestamp = z.number().int();

/**
 * The data-quality report of the window the run read (lib/data/quality), compacted: complete
 * counts, the first few gaps, outliers and duplicate timestamps, and the notes.
 */
export const reportQualitySchema = z.strictObject({
  rowCount: count,
  missing: z.strictObject({ count, share: value }),
  frequency: text(20).nullable(),
  gaps: z.strictObject({
    count,
    missingSteps: count,
    share: value,
    list: z.array(z.strictObject({ afterIndex: count, fromMs: timestamp, toMs: timestamp, missingSteps: count })).max(REPORT_QUALITY_LIST_LIMIT),
  }),
  outliers: z.strictObject({
    count,
    threshold: value,
    median: value,
    mad: value,
    list: z
      .array(z.strictObject({ index: count, value, score: value, timestampMs: timestamp.nullable() }))
      .max(REPORT_QUALITY_LIST_LIMIT),
  }),
  duplicates: z.strictObject({ count, timestampsMs: z.array(timestamp).max(REPORT_QUALITY_LIST_LIMIT) }),
  /** Age of the newest point when the run read it; null without timestamps. */
  freshness: z.strictObject({ newestMs: timestamp, ageMs: value }).nullable(),
  notes: z.array(text(500)).max(REPORT_QUALITY_LIST_LIMIT),
});

export const forecastReportSchema = z
  .strictObject({
    version: z.literal(1),
    title: text(200).min(1),
    config: forecastConfigSchema,
    /** The data window the run actually used, oldest first. */
    data: z.strictObject({
      name: text(200),
      column: text(200),
      frequency: text(20).nullable(),
      timestampsMs: z.array(z.number().int()).nullable(),
      values: z.array(value).min(1),
    }),
    /** The model whose forecast of the future is shown (config.model). */
    model: reportModelSchema,
    runtime: reportRuntimeSchema,
    forecast: reportForecastSchema.extend({
      /** Timestamps of the forecast steps; null when the data has none. */
      timestampsMs: z.array(z.number().int()).nullable(),
      notes: z.array(text(1000)).max(20),
    }),
    /** The shown model's time: fit and forecast summed over backtest windows and the final forecast. */
    timings: z.strictObject({ fetchMs: z.number().min(0), fitMs: z.number().min(0), forecastMs: z.number().min(0), totalMs: z.number().min(0) }),
    /** null when only a forecast was run. */
    backtest: reportBacktestSchema.nullable(),
    /**
     * Quality of the data window as the source held it. Optional: links shared before reports
     * carried it are stored without the key and must stay readable; null when it was not assessed.
     */
    quality: reportQualitySchema.nullable().optional(),
  })
  .superRefine((report, context) => {
    const problem = (path: (string | number)[], message: string) => context.addIssue({ code: 'custom', path, message });
    const length = report.data.values.length;
    if (report.data.timestampsMs && report.data.timestampsMs.length !== length) {
      problem(['data', 'timestampsMs'], `has ${report.data.timestampsMs.length} timestamps for ${length} values`);
    }
    const checkForecast = (forecast: z.infer<typeof reportForecastSchema>, horizon: number, path: (string | number)[]) => {
      if (forecast.quantiles.length !== forecast.quantileLevels.length) {
        problem([...path, 'quantiles'], `has ${forecast.quantiles.length} rows for ${forecast.quantileLevels.length} levels`);
      }
      if (forecast.mean.length !== horizon) problem([...path, 'mean'], `has ${forecast.mean.length} steps; the horizon is ${horizon}`);
      forecast.quantiles.forEach((row, index) => {
        if (row.length !== horizon) problem([...path, 'quantiles', index], `has ${row.length} steps; the horizon is ${horizon}`);
      });
    };
    checkForecast(report.forecast, report.config.horizon, ['forecast']);
    if (report.forecast.timestampsMs && report.forecast.timestampsMs.length !== report.config.horizon) {
      problem(['forecast', 'timestampsMs'], `has ${report.forecast.timestampsMs.length} timestamps; the horizon is ${report.config.horizon}`);
    }
    if (report.model.id !== report.config.model) problem(['model', 'id'], `is "${report.model.id}" but config.model is "${report.config.model}"`);
    const quality = report.quality;
    if (quality) {
      for (const part of ['gaps', 'outliers', 'duplicates'] as const) {
        const listed = part === 'duplicates' ? quality.duplicates.timestampsMs.length : quality[part].list.length;
        if (listed > quality[part].count) problem(['quality', part], `lists ${listed} entries but counts ${quality[part].count}`);
      }
    }
    const backtest = report.backtest;
    if (!backtest) return;
    backtest.windows.forEach((window, index) => {
      // The no-leak invariant: a window's context ends where its actuals begin, inside the data.
      if (!(window.contextStart < window.cutoff && window.cutoff + window.horizon <= length)) {
        problem(['backtest', 'windows', index], `context [${window.contextStart}, ${window.cutoff}) and actuals up to ${window.cutoff + window.horizon} do not fit ${length} values`);
      }
    });
    const windowsByIndex = new Map(backtest.windows.map((window) => [window.index, window]));
    backtest.models.forEach((entry, modelIndex) => {
      entry.windows.forEach((window, index) => {
        const split = windowsByIndex.get(window.index);
        if (!split || split.cutoff !== window.cutoff) {
          problem(['backtest', 'models', modelIndex, 'windows', index], `window ${window.index} at cutoff ${window.cutoff} is not one of the backtest windows`);
          return;
        }
        checkForecast(window.forecast, split.horizon, ['backtest', 'models', modelIndex, 'windows', index, 'forecast']);
      });
    });
    const modelIds = new Set(backtest.models.map((entry) => entry.model.id));
    backtest.comparison.rows.forEach((row, index) => {
      if (!modelIds.has(row.modelId)) problem(['backtest', 'comparison', 'rows', index, 'modelId'], `"${row.modelId}" has no backtest entry`);
    });
  });

export type ForecastReport = z.infer<typeof forecastReportSchema>;
export type ReportModel = z.infer<typeof reportModelSchema>;
export type ReportForecast = z.infer<typeof reportForecastSchema>;
export type ReportBacktest = z.infer<typeof reportBacktestSchema>;
export type ReportMetrics = z.infer<typeof reportMetricsSchema>;
export type ReportQuality = z.infer<typeof reportQualitySchema>;

/** Validates a report from outside (a share request, an imported file); names every bad field. */
export function parseForecastReport(input: unknown, subsystem = 'report'): ForecastReport {
  const parsed = forecastReportSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'document'}: ${issue.message}`);
    const shown = issues.slice(0, 8).join('; ') + (issues.length > 8 ? `; and ${issues.length - 8} more` : '');
    throw new LookaheadError(subsystem, 'bad_input', `not a valid forecast snapshot: ${shown}`, {
      details: { issues: parsed.error.issues.slice(0, 50).map((issue) => ({ path: issue.path.join('.'), message: issue.message })) },
    });
  }
  return parsed.data;
}

/** NaN and ±Infinity as null, for JSON. */
export function jsonNumber(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** null back to NaN, for code (metrics, charts) that marks missing values with NaN. */
export function numberOrNaN(value: number | null): number {
  return value === null ? Number.NaN : value;
}
