import { DEFAULT_QUANTILE_LEVELS, type Forecast } from '@/lib/core/forecast';
import { normalQuantile } from '@/lib/core/normal';
import { LookaheadError } from '@/lib/core/errors';
import type { FittedModel, ForecastModel, ForecastRequest, ModelInfo, SeriesInput } from '../model';
import { validateLevels, validateHorizon } from './validate';
import { wantedSeason } from './season';

export const SEASONAL_NAIVE_INFO: ModelInfo = { id: 'seasonal-naive', family: 'baseline', label: 'Seasonal naive' };

/**
 * Seasonal naive: each future step repeats the value one season earlier. Intervals follow
 * Hyndman & Athanasopoulos (fpp3, 5.5): sigma from the in-sample seasonal residuals
 * e_t = y_t - y_{t-m}, and the h-step standard deviation sigma * sqrt(k + 1), k = floor((h-1)/m).
 * Missing values (NaN) are skipped in the residuals; a missing value one season back is replaced
 * by the newest observed value at the same phase of an earlier season.
 */
export function createSeasonalNaive(options: { season?: number } = {}): ForecastModel {
  return {
    info: SEASONAL_NAIVE_INFO,
    async fit(series: SeriesInput): Promise<FittedModel> {
      const values = Float64Array.from(series.values);
      const notes: string[] = [];
      const wanted = wantedSeason(series, options.season);
      let season = wanted.season;
      if (wanted.source === 'none') {
        notes.push('Seasonal naive: no season (the series has no frequency and no season was given), so this is naive (the last value); pass --frequency/"frequency", timestamps, or --season/"season".');
      }
      if (values.length === 0 || values.every(Number.isNaN)) {
        throw new LookaheadError('model', 'bad_input', 'seasonal naive needs at least one observed value; the series is empty or all missing');
      }
      if (season > values.length - 1) {
        notes.push(`Seasonal naive: ${values.length} points are fewer than one season of ${season} plus one; using season 1 (naive).`);
        season = 1;
      }
      const sigma = residualSigma(values, season);
      return {
        info: SEASONAL_NAIVE_INFO,
        async forecast(request: ForecastRequest): Promise<Forecast> {
          validateHorizon(request.horizon);
          const levels = validateLevels(request.quantileLevels ?? DEFAULT_QUANTILE_LEVELS);
          const point = seasonalNaivePoint(values, season, request.horizon);
          const quantiles = levels.map((level) => {
            const z = normalQuantile(level);
            return point.map((value, step) => value + z * sigma * Math.sqrt(Math.floor(step / season) + 1));
          });
          return { horizon: request.horizon, quantileLevels: levels, quantiles, mean: point, notes: [...notes] };
        },
        dispose() {},
      };
    },
  };
}

/** sqrt(mean(e_t^2)) over the observed seasonal differences; 0 when there are none. */
export function residualSigma(values: ArrayLike<number>, season: number): number {
  let sum = 0;
  let count = 0;
  for (let t = season; t < values.length; t++) {
    const residual = values[t]! - values[t - season]!;
    if (!Number.isNaN(residual)) {
      sum += residual * residual;
      count++;
    }
  }
  return count === 0 ? 0 : Math.sqrt(sum / count);
}

/** y_hat(T+h) = y(T + h - m(k+1)), walking back whole seasons past missing values. */
export function seasonalNaivePoint(values: ArrayLike<number>, season: number, horizon: number): number[] {
  const length = values.length;
  const point: number[] = [];
  let lastObserved = Number.NaN;
  for (let t = length - 1; t >= 0; t--) {
    if (!Number.isNaN(values[t]!)) {
      lastObserved = values[t]!;
      break;
    }
  }
  for (let step = 0; step < horizon; step++) {
    let index = length - season + (step % season);
    while (index >= 0 && Number.isNaN(values[index]!)) index -= season;
    point.push(index >= 0 ? values[index]! : lastObserved);
  }
  return point;
}
