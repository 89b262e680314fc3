export { createSeasonalNaive, seasonalNaivePoint, residualSigma, SEASONAL_NAIVE_INFO } from './seasonal-naive';
export { createAutoEts, createMstl, AUTO_ETS_INFO, MSTL_INFO, type AugursLike, type AugursFittedLike } from './augurs-models';
export { interpolateMissing } from './interpolate';
export { MAX_HORIZON } from './validate';
