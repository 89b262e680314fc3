import type { ForecastConfig } from '@/lib/config/schema';
import type { Forecast } from '@/lib/core/forecast';
import type { MetricSet } from '@/lib/core/metrics';
import type { ModelInfo } from '@/lib/models/model';
import type { QualityReport } from '@/lib/data/quality';
import type { DeviceChoice } from '@/lib/runtime/device';
import { LookaheadError } from '@/lib/core/errors';
import {
  jsonNumber,
  REPORT_QUALITY_LIST_LIMIT,
  type ForecastReport,
  type ReportForecast,
  type ReportMetrics,
  type ReportModel,
  type ReportQuality,
} from '@/lib/report/schema';
import type { BacktestResult, ForecastResult } from './protocol';

/**
 * Worker results as forecast reports (lib/report): the one document the page renders, exports
 * and shares. NaN and Infinity become null here, once.
 */

const SHA256 = /^[0-9a-f]{64}$/;

export function reportModel(info: ModelInfo): ReportModel {
  // Learned models may carry the sha256 of their weights next to the revision.
  const sha256 = (info as ModelInfo & { sha256?: unknown }).sha256;
  return {
    id: info.id,
    family: info.family,
    label: info.label,
    revision: info.revision ?? null,
    sha256: typeof sha256 === 'string' && SHA256.test(sha256) ? sha256 : null,
  };
}

function reportRuntime(runtime: DeviceChoice): ForecastReport['runtime'] {
  return { device: runtime.device, label: runtime.label, reason: runtime.reason };
}

function reportForecast(forecast: Forecast): ReportForecast {
  return {
    quantileLevels: [...forecast.quantileLevels],
    quantiles: forecast.quantiles.map((row) => row.map(jsonNumber)),
    mean: forecast.mean.map(jsonNumber),
  };
}

function reportMetrics(metrics: MetricSet): ReportMetrics {
  return {
    mase: jsonNumber(metrics.mase),
    wql: jsonNumber(metrics.wql),
    crps: jsonNumber(metrics.crps),
    smape: jsonNumber(metrics.smape),
    mse: jsonNumber(metrics.mse),
    mae: jsonNumber(metrics.mae),
    mseScaled: jsonNumber(metrics.mseScaled),
    maeScaled: jsonNumber(metrics.maeScaled),
    coverage: metrics.coverage === null ? null : jsonNumber(metrics.coverage),
    intervalWidth: metrics.intervalWidth === null ? null : jsonNumber(metrics.intervalWidth),
    coverageLevel: metrics.coverageLevel,
  };
}

/** The worker's typed arrays as the report's JSON arrays (every point: exports and share links keep them all). */
function reportData(name: string, column: string, frequency: string | null, history: { timestampsMs: ArrayLike<number> | null; values: ArrayLike<number> }) {
  return { name, column, frequency, timestampsMs: history.timestampsMs ? Array.from(history.timestampsMs) : null, values: Array.from(history.values, jsonNumber) };
}

const nullableNumber = (value: number | null): number | null => (value === null ? null : jsonNumber(value));
/** Timestamps are whole milliseconds in the report; anything else cannot be placed on the time axis. */
const timestampOrNull = (value: number | null): number | null => (value !== null && Number.isSafeInteger(value) ? value : null);

/** The window's quality report, bounded for a snapshot: complete counts, the first few entries of each list. */
export function reportQuality(quality: QualityReport): ReportQuality {
  const limit = REPORT_QUALITY_LIST_LIMIT;
  return {
    rowCount: quality.rowCount,
    missing: { count: quality.missing.count, share: jsonNumber(quality.missing.share) },
    frequency: quality.frequency === null ? null : quality.frequency.slice(0, 20),
    gaps: {
      count: quality.gaps.count,
      missingSteps: quality.gaps.missingSteps,
      share: jsonNumber(quality.gaps.share),
      list: quality.gaps.list
        .filter((gap) => Number.isSafeInteger(gap.fromMs) && Number.isSafeInteger(gap.toMs))
        .slice(0, limit)
        .map((gap) => ({ afterIndex: gap.afterIndex, fromMs: gap.fromMs, toMs: gap.toMs, missingSteps: gap.missingSteps })),
    },
    outliers: {
      count: quality.outliers.count,
      threshold: jsonNumber(quality.outliers.threshold),
      median: nullableNumber(quality.outliers.median),
      mad: nullableNumber(quality.outliers.mad),
      list: quality.outliers.list.slice(0, limit).map((outlier) => ({
        index: outlier.index,
        value: jsonNumber(outlier.value),
        score: jsonNumber(outlier.score),
        timestampMs: timestampOrNull(outlier.timestampMs),
      })),
    },
    duplicates: { count: quality.duplicates.count, timestampsMs: quality.duplicates.timestampsMs.filter(Number.isSafeInteger).slice(0, limit) },
    freshness:
      quality.freshness && Number.isSafeInteger(quality.freshness.newestMs)
        ? { newestMs: quality.freshness.newestMs, ageMs: jsonNumber(quality.freshness.ageMs) }
        : null,
    notes: quality.notes.slice(0, limit).map((note) => note.slice(0, 500)),
  };
}

function title(dataName: string, column: string, modelLabel: string): string {
  return `${dataName} · ${column} · ${modelLabel}`.slice(0, 200);
}

/** A single forecast (no backtest). */
export function reportFromForecast({ config, dataName, result }: { config: ForecastConfig; dataName: string; result: ForecastResult }): ForecastReport {
  return {
    version: 1,
    title: title(dataName, result.source.column, result.model.label),
    config: { ...config, model: result.model.id },
    data: reportData(dataName, result.source.column, result.frequency, result.history),
    model: reportModel(result.model),
    runtime: reportRuntime(result.runtime),
    forecast: { ...reportForecast(result.forecast), timestampsMs: result.forecastTimestampsMs, notes: result.forecast.notes ?? [] },
    timings: { ...result.timings },
    backtest: null,
    quality: reportQuality(result.quality),
  };
}

/**
 * A backtest comparison. The future forecast shown is config.model's, or the first model that
 * ran when that one failed (config.model then names the model shown).
 */
export function reportFromBacktest({ config, dataName, result }: { config: ForecastConfig; dataName: string; result: BacktestResult }): ForecastReport {
  const ran = result.models.filter((entry) => entry.error === null && entry.forecast !== null && entry.runtime !== null);
  const primary = ran.find((entry) => entry.model.id === config.model) ?? ran[0];
  if (!primary) {
    const reasons = result.models.map((entry) => `${entry.model.id}: ${entry.error?.message ?? 'no forecast'}`).join('; ');
    throw new LookaheadError('backtest', 'internal', `every model failed: ${reasons}`);
  }
  return {
    version: 1,
    title: title(dataName, result.source.column, primary.model.label),
    config: { ...config, model: primary.model.id },
    data: reportData(dataName, result.source.column, result.frequency, result.history),
    model: reportModel(primary.model),
    runtime: reportRuntime(primary.runtime!),
    forecast: { ...reportForecast(primary.forecast!), timestampsMs: result.forecastTimestampsMs, notes: primary.forecast!.notes ?? [] },
    timings: { fetchMs: result.timings.fetchMs, fitMs: primary.timings.fitMs, forecastMs: primary.timings.forecastMs, totalMs: result.timings.totalMs },
    backtest: {
      seasonalPeriod: result.seasonalPeriod,
      windows: result.windows.map((window) => ({ ...window })),
      models: result.models.map((entry) => ({
        model: reportModel(entry.model),
        runtime: entry.runtime ? reportRuntime(entry.runtime) : null,
        timings: { ...entry.timings },
        error: entry.error ? entry.error.message.slice(0, 2000) : null,
        windows: entry.windows.map((window) => ({ index: window.index, cutoff: window.cutoff, forecast: reportForecast(window.forecast), metrics: reportMetrics(window.metrics) })),
      })),
      comparison: {
        baselineId: result.comparison.baselineId,
        coverageLevel: result.comparison.coverageLevel,
        rows: result.comparison.rows.map((row) => ({ modelId: row.modelId, values: { ...row.values }, best: [...row.best] })),
      },
    },
    quality: reportQuality(result.quality),
  };
}
