export { createSeasonalNaive, seasonalNaivePoint, residualSigma, SEASONAL_NAIVE_INFO } from './seasonal-naive';
export { createMstl, MSTL_INFO, type AugursLike, type AugursFittedLike } from './augurs-models';
export { createAutoEts, AUTO_ETS_INFO, MAX_ETS_SEASON, selectEts, fitEts, type EtsFit } from './ets';
export { createTheta, THETA_INFO } from './theta';
export { createAutoArima, AUTO_ARIMA_INFO, MAX_ARIMA_SEASON, searchArima, fitArima, type ArimaOrder } from './arima';
export { interpolateMissing } from './interpolate';
export { MAX_HORIZON } from './validate';
