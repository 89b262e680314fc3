import { DEFAULT_QUANTILE_LEVELS, type Forecast } from '@/lib/core/forecast';
import { seasonalPeriods } from '@/lib/core/frequency';
import { wantedSeason } from './season';
import { LookaheadError } from '@/lib/core/errors';
import type { FittedModel, ForecastModel, ForecastRequest, ModelInfo, SeriesInput } from '../model';
import { validateHorizon, validateLevels } from './validate';
import { interpolateMissing } from './interpolate';

/** What the augurs WASM runtime offers; injected (lib/runtime/augurs.ts implements it). */
export interface AugursLike {
  autoEts(values: Float64Array, seasonLength: number): AugursFittedLike;
  mstl(values: Float64Array, periods: number[]): AugursFittedLike;
}
export interface AugursFittedLike {
  predict(horizon: number, level?: number): { point: number[]; lower?: number[]; upper?: number[] };
  free(): void;
}

export const MSTL_INFO: ModelInfo = { id: 'mstl', family: 'baseline', label: 'MSTL + AutoETS (augurs)' };

/**
 * MSTL: STL decomposition for each seasonal period, AutoETS on the trend. Periods: the user's
 * season when given, else the frequency's (hourly 24 and 168, ...). Without any period it can fit
 * (no frequency or season, or fewer than two cycles of data), it falls back to non-seasonal
 * AutoETS and says so in the notes (augurs' STL refuses periods below 2).
 */
export function createMstl(augurs: AugursLike, options: { periods?: number[] } = {}): ForecastModel {
  return createAugursModel(MSTL_INFO, (values, series, notes) => {
    const given = wantedSeason(series);
    const wanted = options.periods ?? (given.source === 'season' ? [given.season] : seasonalPeriods(series.frequency ?? null));
    // STL needs at least two full cycles of a period to estimate it.
    const periods = wanted.filter((period) => period > 1 && values.length >= 2 * period);
    const dropped = wanted.filter((period) => !periods.includes(period) && period > 1);
    if (dropped.length) notes.push(`MSTL: seasonal period(s) ${dropped.join(', ')} need at least two cycles of data (${values.length} values); left out.`);
    if (periods.length === 0) {
      notes.push(
        given.source === 'none' && !options.periods
          ? 'MSTL: no season (the series has no frequency and no season was given), so this is non-seasonal AutoETS; pass --frequency/"frequency", timestamps, or --season/"season".'
          : 'MSTL: no seasonal period fits this series, so this is non-seasonal AutoETS.',
      );
      return augurs.autoEts(values, 1);
    }
    return augurs.mstl(values, periods);
  });
}

function createAugursModel(
  info: ModelInfo,
  fitValues: (values: Float64Array, series: SeriesInput, notes: string[]) => AugursFittedLike,
): ForecastModel {
  return {
    info,
    async fit(series: SeriesInput): Promise<FittedModel> {
      const notes: string[] = [];
      const { values, imputed } = interpolateMissing(series.values);
      if (values.length < 3) {
        throw new LookaheadError('model', 'bad_input', `${info.label} needs at least 3 observed values, got ${values.length}`);
      }
      if (imputed > 0) notes.push(`${info.label}: ${imputed} missing value(s) linearly interpolated before fitting (augurs cannot fit gaps).`);
      let fitted: AugursFittedLike | null;
      try {
        fitted = fitValues(values, series, notes);
      } catch (error) {
        throw new LookaheadError('model', 'unsupported', `${info.label} could not fit this series: ${String(error)}`, { cause: error });
      }
      return {
        info,
        async forecast(request: ForecastRequest): Promise<Forecast> {
          if (!fitted) throw new LookaheadError('model', 'internal', `${info.label} was disposed`);
          validateHorizon(request.horizon);
          const levels = validateLevels(request.quantileLevels ?? DEFAULT_QUANTILE_LEVELS);
          const model = fitted;
          const byCoverage = new Map<number, { point: number[]; lower?: number[]; upper?: number[] }>();
          const predictAt = (coverage: number) => {
            const key = Math.round(coverage * 1e9) / 1e9;
            if (!byCoverage.has(key)) byCoverage.set(key, model.predict(request.horizon, key));
            return byCoverage.get(key)!;
          };
          const point = model.predict(request.horizon).point;
          // augurs gives central intervals of a Gaussian predictive distribution: the level-q
          // quantile is the lower bound of the (1-2q) interval (q < 0.5) or the upper bound of (2q-1).
          const quantiles = levels.map((level) => {
            if (Math.abs(level - 0.5) < 1e-12) return point;
            const interval = predictAt(Math.abs(2 * level - 1));
            const bound = level < 0.5 ? interval.lower : interval.upper;
            if (!bound) throw new LookaheadError('model', 'unsupported', `${info.label} returned no prediction intervals`);
            return Array.from(bound);
          });
          return { horizon: request.horizon, quantileLevels: levels, quantiles, mean: point, notes: [...notes] };
        },
        dispose() {
          fitted?.free();
          fitted = null;
        },
      };
    },
  };
}
