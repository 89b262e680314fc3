export {
  forecastReportSchema,
  jsonNumber,
  numberOrNaN,
  parseForecastReport,
  reportBacktestSchema,
  reportForecastSchema,
  reportMetricsSchema,
  reportModelSchema,
  reportRuntimeSchema,
  type ForecastReport,
  type ReportBacktest,
  type ReportForecast,
  type ReportMetrics,
  type ReportModel,
} from './schema';
export { reportBands, reportMedian, reportSeries, type ReportBand, type ReportSeries } from './series';
