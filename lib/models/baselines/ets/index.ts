export { createAutoEts, etsQuantiles, AUTO_ETS_INFO, MAX_ETS_SEASON } from './auto-ets';
export { fitEts, selectEts, candidateSpecs, initialState, type EtsFit } from './ets-fit';
export { pointForecast as etsPointForecast, runEts, type EtsSpec, type EtsParameters } from './ets-model';
