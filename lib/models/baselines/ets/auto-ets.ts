import { LookaheadError } from '@/lib/core/errors';
import { DEFAULT_QUANTILE_LEVELS, type Forecast } from '@/lib/core/forecast';
import type { FittedModel, ForecastModel, ForecastRequest, ModelInfo, SeriesInput } from '../../model';
import { interpolateMissing } from '../interpolate';
import { fittableSeason } from '../season';
import { validateHorizon, validateLevels } from '../validate';
import { selectEts, type EtsFit } from './ets-fit';
import { linearVariances, pointForecast, simulatePaths } from './ets-model';
import { gaussianQuantiles, sampleQuantile, seededNormal } from './quantiles';

/** Saved configurations and share links use the id "auto-ets": it stays, the model behind it is now seasonal. */
export const AUTO_ETS_INFO: ModelInfo = { id: 'auto-ets', family: 'baseline', label: 'AutoETS' };

/** R's ets refuses seasons longer than 24 ("frequency too high"); longer cycles are MSTL's job. */
export const MAX_ETS_SEASON = 24;
/** Sample paths for the intervals of models without a closed form (R's forecast.ets simulates 5000). */
const SIMULATED_PATHS = 2000;

/**
 * AutoETS: every ETS(error, trend, season) model R's forecast::ets(model = "ZZZ") considers, fitted
 * by maximum likelihood, the lowest AICc kept. The season is the user's or the frequency's (at
 * most 24 steps, and 2 full seasons of data). Intervals: Gaussian with the closed-form variance
 * for the linear models (additive error and season), sample paths otherwise.
 */
export function createAutoEts(options: { season?: number } = {}): ForecastModel {
  return {
    info: AUTO_ETS_INFO,
    async fit(series: SeriesInput): Promise<FittedModel> {
      const notes: string[] = [];
      const { values, imputed } = interpolateMissing(series.values);
      if (values.length < 4) {
        throw new LookaheadError('model', 'bad_input', `AutoETS needs at least 4 observed values, got ${values.length}`);
      }
      if (imputed > 0) notes.push(`AutoETS: ${imputed} missing value(s) linearly interpolated before fitting.`);
      let season = fittableSeason(series, 'AutoETS', values.length, notes, { minCycles: 2, ...(options.season === undefined ? {} : { override: options.season }) });
      if (season > MAX_ETS_SEASON) {
        notes.push(`AutoETS: a season of ${season} steps is longer than ${MAX_ETS_SEASON} (as in R's forecast::ets); fitted without a season. Use MSTL for long seasons.`);
        season = 1;
      }
      if (values.every((value) => value === values[0])) {
        // No error to fit a likelihood to (log 0); R's ets answers a constant series the same way.
        notes.push(`AutoETS: the series is constant (${values[0]}); the forecast repeats it with no spread.`);
        return constantForecast(values[0]!, notes);
      }
      const fit = selectEts(values, season);
      if (!fit) throw new LookaheadError('model', 'bad_input', `AutoETS could not fit any ETS model to these ${values.length} values; give more data`);
      notes.push(`AutoETS: ${fit.name}${fit.spec.season === 'N' ? '' : ` with season ${season}`}, chosen by AICc.`);
      return fittedEts(fit, notes);
    },
  };
}

function fittedEts(fit: EtsFit, notes: string[]): FittedModel {
  return {
    info: AUTO_ETS_INFO,
    async forecast(request: ForecastRequest): Promise<Forecast> {
      validateHorizon(request.horizon);
      const levels = validateLevels(request.quantileLevels ?? DEFAULT_QUANTILE_LEVELS);
      const point = pointForecast(fit.spec, fit.params, fit.final, fit.observed, request.horizon);
      return { horizon: request.horizon, quantileLevels: levels, quantiles: etsQuantiles(fit, point, request.horizon, levels), mean: point, notes: [...notes] };
    },
    dispose() {},
  };
}

function constantForecast(value: number, notes: string[]): FittedModel {
  return {
    info: AUTO_ETS_INFO,
    async forecast(request: ForecastRequest): Promise<Forecast> {
      validateHorizon(request.horizon);
      const levels = validateLevels(request.quantileLevels ?? DEFAULT_QUANTILE_LEVELS);
      const point = new Array<number>(request.horizon).fill(value);
      return { horizon: request.horizon, quantileLevels: levels, quantiles: levels.map(() => [...point]), mean: point, notes: [...notes] };
    },
    dispose() {},
  };
}

/** Quantiles of the forecast distribution at each level. */
export function etsQuantiles(fit: EtsFit, point: number[], horizon: number, levels: readonly number[]): number[][] {
  if (fit.spec.error === 'A' && fit.spec.season !== 'M') {
    return gaussianQuantiles(point, linearVariances(fit.spec, fit.params, fit.sigma2, horizon), levels);
  }
  const paths = simulatePaths(fit.spec, fit.params, fit.final, fit.observed, fit.sigma2, horizon, SIMULATED_PATHS, seededNormal(20260101));
  const sorted = paths.map((step) => step.sort());
  return levels.map((level) => sorted.map((step) => sampleQuantile(step, level)));
}
