export { createAutoArima, arimaForecast, AUTO_ARIMA_INFO, MAX_ARIMA_SEASON } from './auto-arima';
export { searchArima, kpssStatistic, seasonalStrength, firstDifferences, type ArimaCandidate, type SearchResult } from './auto-arima-search';
export { fitArima, type ArimaFit, type ArimaOrder } from './arima-fit';
