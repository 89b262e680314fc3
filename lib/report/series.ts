import type { ForecastReport, ReportForecast } from './schema';

/**
 * The lines and bands a chart draws from a report, computed once for every renderer (the
 * workbench's recharts chart, the shared page's server-rendered SVG, the preview image).
 */

export interface ReportBand {
  lowerLevel: number;
  upperLevel: number;
  /** Nominal coverage, e.g. 0.8 for 10%-90%. */
  coverage: number;
  lower: (number | null)[];
  upper: (number | null)[];
}

const SAME_LEVEL = 1e-9;

/** Central intervals from every symmetric pair of levels (0.1 with 0.9, 0.2 with 0.8...), widest first. */
export function reportBands(forecast: Pick<ReportForecast, 'quantileLevels' | 'quantiles'>): ReportBand[] {
  const levels = forecast.quantileLevels;
  const bands: ReportBand[] = [];
  levels.forEach((lowerLevel, lowerIndex) => {
    if (lowerLevel >= 0.5 - SAME_LEVEL) return;
    const upperIndex = levels.findIndex((level) => Math.abs(level - (1 - lowerLevel)) < SAME_LEVEL);
    if (upperIndex < 0) return;
    bands.push({
      lowerLevel,
      upperLevel: levels[upperIndex]!,
      coverage: Math.round((levels[upperIndex]! - lowerLevel) * 1e6) / 1e6,
      lower: forecast.quantiles[lowerIndex]!,
      upper: forecast.quantiles[upperIndex]!,
    });
  });
  return bands;
}

/** The median if the levels have 0.5, else the mean (as pointForecast does). */
export function reportMedian(forecast: ReportForecast): (number | null)[] {
  const index = forecast.quantileLevels.findIndex((level) => Math.abs(level - 0.5) < SAME_LEVEL);
  return index >= 0 ? forecast.quantiles[index]! : forecast.mean;
}

export interface ReportSeries {
  /** True when x is a UTC timestamp in ms; false when it is the position in the data. */
  timeAxis: boolean;
  /** May be the report's own arrays: read, never change them. */
  history: { x: readonly number[]; y: readonly (number | null)[] };
  forecast: { x: number[]; median: (number | null)[]; bands: ReportBand[] };
  /** The chosen model's backtest forecasts, each drawn over the actuals it was made for. */
  backtests: { index: number; x: number[]; median: (number | null)[] }[];
}

/**
 * Chart series of a report. `historyPoints` keeps only the newest points of the history (and the
 * backtest windows inside them); `backtestModelId` picks whose backtest forecasts are overlaid
 * (default: the report's model).
 */
export function reportSeries(report: ForecastReport, options: { historyPoints?: number; backtestModelId?: string } = {}): ReportSeries {
  const { data } = report;
  const length = data.values.length;
  const timeAxis = data.timestampsMs !== null;
  const xAt = (position: number) => (data.timestampsMs ? data.timestampsMs[position]! : position);
  const first = options.historyPoints === undefined ? 0 : Math.max(0, length - options.historyPoints);
  // The whole history is the report's own arrays, not a copy (a million points took a second to copy).
  const history =
    first === 0
      ? { x: data.timestampsMs ?? Array.from({ length }, (_, position) => position), y: data.values }
      : { x: Array.from({ length: length - first }, (_, offset) => xAt(first + offset)), y: data.values.slice(first) };
  const horizon = report.forecast.mean.length;
  // Timestamps without a known frequency: continue at the last spacing, for drawing only.
  const lastSpacing = data.timestampsMs && length > 1 ? data.timestampsMs[length - 1]! - data.timestampsMs[length - 2]! : 1;
  const forecastX = Array.from(
    { length: horizon },
    (_, step) => report.forecast.timestampsMs?.[step] ?? (data.timestampsMs ? data.timestampsMs[length - 1]! + (step + 1) * lastSpacing : length + step),
  );
  const backtestModelId = options.backtestModelId ?? report.model.id;
  const entry = report.backtest?.models.find((candidate) => candidate.model.id === backtestModelId);
  const splits = new Map(report.backtest?.windows.map((window) => [window.index, window]) ?? []);
  const backtests = (entry?.windows ?? [])
    .filter((window) => window.cutoff >= first)
    .map((window) => {
      const horizonOfWindow = splits.get(window.index)?.horizon ?? window.forecast.mean.length;
      return {
        index: window.index,
        x: Array.from({ length: horizonOfWindow }, (_, step) => xAt(window.cutoff + step)),
        median: reportMedian(window.forecast),
      };
    });
  return {
    timeAxis,
    history,
    forecast: { x: forecastX, median: reportMedian(report.forecast), bands: reportBands(report.forecast) },
    backtests,
  };
}

export interface ReportQualityMarks {
  /** Flagged points, at their x (timestamp, or position without timestamps) and value. */
  outliers: { x: number; y: number; score: number }[];
  /** Spans with absent steps: from the observation before the gap to the one after it. */
  gaps: { fromX: number; toX: number; missingSteps: number }[];
}

/**
 * Where the quality report's outliers and gaps fall on the chart (the listed ones: a report keeps
 * the first few). Outliers without a timestamp are placed by position only when the data has no
 * timestamps, since then positions in the window are the chart's x; an old report has none.
 */
export function reportQualityMarks(report: ForecastReport): ReportQualityMarks {
  const quality = report.quality;
  if (!quality) return { outliers: [], gaps: [] };
  const timeAxis = report.data.timestampsMs !== null;
  const outliers: ReportQualityMarks['outliers'] = [];
  for (const outlier of quality.outliers.list) {
    const x = timeAxis ? outlier.timestampMs : outlier.index;
    if (x === null || outlier.value === null || outlier.score === null) continue;
    outliers.push({ x, y: outlier.value, score: outlier.score });
  }
  const gaps = timeAxis ? quality.gaps.list.map((gap) => ({ fromX: gap.fromMs, toX: gap.toMs, missingSteps: gap.missingSteps })) : [];
  return { outliers, gaps };
}
