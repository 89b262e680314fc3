import { LookaheadError } from '@/lib/core/errors';
import { AUTO_ARIMA_INFO, AUTO_ETS_INFO, MSTL_INFO, SEASONAL_NAIVE_INFO, THETA_INFO, createAutoArima, createAutoEts, createMstl, createSeasonalNaive, createTheta, type AugursLike } from './baselines';
import type { ForecastModel, ModelInfo } from './model';

/** Runtimes a model may need; each host (browser worker, server) supplies what it has. */
export interface ModelRuntimes {
  augurs?: () => Promise<AugursLike>;
}

export const BASELINE_MODELS: readonly ModelInfo[] = [SEASONAL_NAIVE_INFO, AUTO_ETS_INFO, THETA_INFO, AUTO_ARIMA_INFO, MSTL_INFO];

/** The factory by name: one place that knows every baseline model id. */
export async function createBaselineModel(id: string, runtimes: ModelRuntimes): Promise<ForecastModel> {
  switch (id) {
    case SEASONAL_NAIVE_INFO.id:
      return createSeasonalNaive();
    case AUTO_ETS_INFO.id:
      return createAutoEts();
    case THETA_INFO.id:
      return createTheta();
    case AUTO_ARIMA_INFO.id:
      return createAutoArima();
    case MSTL_INFO.id: {
      if (!runtimes.augurs) throw new LookaheadError('model', 'unsupported', `${id} needs the augurs WASM runtime, which this host did not provide`);
      return createMstl(await runtimes.augurs());
    }
    default:
      throw new LookaheadError('model', 'bad_input', `unknown model "${id}"; available: ${BASELINE_MODELS.map((model) => model.id).join(', ')}`);
  }
}
