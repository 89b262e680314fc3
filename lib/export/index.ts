export { exportFileStem, forecastTable, quantileColumn, type ForecastTable } from './forecast-table';
export { forecastCsv } from './csv';
export { forecastJson, forecastJsonText, type ForecastJson } from './json';
export { forecastParquet } from './parquet';
export { manySeriesForecastCsv, type SeriesForecastRows } from './long-format';
