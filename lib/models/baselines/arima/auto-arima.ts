import { LookaheadError } from '@/lib/core/errors';
import { DEFAULT_QUANTILE_LEVELS, type Forecast } from '@/lib/core/forecast';
import { normalQuantile } from '@/lib/core/normal';
import type { FittedModel, ForecastModel, ForecastRequest, ModelInfo, SeriesInput } from '../../model';
import { interpolateMissing } from '../interpolate';
import { fittableSeason } from '../season';
import { validateHorizon, validateLevels } from '../validate';
import { polyMultiply } from './arima-fit';
import { searchArima, type ArimaCandidate } from './auto-arima-search';

// Opt-in for comparisons: its stepwise search takes about a minute per window on hourly data with
// season 24 on this project's 2-core machine (see README), so "compare every model" leaves it out.
export const AUTO_ARIMA_INFO: ModelInfo = { id: 'auto-arima', family: 'baseline', label: 'AutoARIMA', optIn: true };

/**
 * Seasons longer than this are fitted without a season: the state of a seasonal ARIMA grows with
 * (P or Q) x season, and R's auto.arima is impractically slow there too. Long cycles are MSTL's job.
 */
export const MAX_ARIMA_SEASON = 24;

/** Point forecasts and forecast-error variances (scaled by sigma^2) of a fitted ARIMA, as R's predict.Arima. */
export function arimaForecast(fit: ArimaCandidate, history: ArrayLike<number>, horizon: number): { mean: number[]; variance: number[] } {
  const { phi, theta, order, state } = fit;
  if (!state) throw new LookaheadError('model', 'internal', 'AutoARIMA: the selected model has no filter state to forecast from');
  const r = Math.max(phi.length, theta.length + 1);
  const ph = new Float64Array(r);
  ph.set(phi);
  const R = new Float64Array(r);
  R[0] = 1;
  for (let k = 0; k < theta.length; k++) R[k + 1] = theta[k]!;
  // ARMA part: w forecasts and the covariance of their errors across horizons.
  let a = Float64Array.from(state.a);
  let P = Float64Array.from(state.P);
  const wMean: number[] = [];
  const columns: Float64Array[] = [];
  const M = new Float64Array(r * r);
  for (let step = 0; step < horizon; step++) {
    const next = new Float64Array(r);
    for (let i = 0; i < r; i++) next[i] = ph[i]! * a[0]! + (i + 1 < r ? a[i + 1]! : 0);
    a = next;
    for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) M[i * r + j] = ph[i]! * P[j]! + (i + 1 < r ? P[(i + 1) * r + j]! : 0);
    const nextP = new Float64Array(r * r);
    for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) nextP[i * r + j] = ph[j]! * M[i * r]! + (j + 1 < r ? M[i * r + j + 1]! : 0) + R[i]! * R[j]!;
    P = nextP;
    wMean.push(a[0]! + fit.mean);
    columns.push(Float64Array.from({ length: r }, (_, i) => P[i * r]!));
  }
  // cov(e_w(i), e_w(j)) for i <= j is the first element of T^(j-i) P_i[:, 0].
  const cov = Array.from({ length: horizon }, () => new Float64Array(horizon));
  for (let i = 0; i < horizon; i++) {
    let u = Float64Array.from(columns[i]!);
    for (let j = i; j < horizon; j++) {
      cov[i]![j] = u[0]!;
      cov[j]![i] = u[0]!;
      const next = new Float64Array(r);
      for (let k = 0; k < r; k++) next[k] = ph[k]! * u[0]! + (k + 1 < r ? u[k + 1]! : 0);
      u = next;
    }
  }
  // Undo the differencing: delta(B) y = w with delta = (1 - B)^d (1 - B^m)^D.
  let delta = [1];
  for (let k = 0; k < order.d; k++) delta = polyMultiply(delta, [1, -1]);
  for (let k = 0; k < order.D; k++) {
    const seasonal = new Array<number>(order.m + 1).fill(0);
    seasonal[0] = 1;
    seasonal[order.m] = -1;
    delta = polyMultiply(delta, seasonal);
  }
  const y = Array.from(history);
  const n = y.length;
  for (let step = 0; step < horizon; step++) {
    let value = wMean[step]!;
    for (let k = 1; k < delta.length; k++) value -= delta[k]! * y[n + step - k]!;
    y.push(value);
  }
  // psi weights of 1 / delta(B): e_y(h) = sum_k c_(h-k) e_w(k).
  const c = new Array<number>(horizon).fill(0);
  c[0] = 1;
  for (let j = 1; j < horizon; j++) for (let k = 1; k < delta.length && k <= j; k++) c[j]! -= delta[k]! * c[j - k]!;
  const variance = Array.from({ length: horizon }, (_, h) => {
    let sum = 0;
    for (let i = 0; i <= h; i++) for (let j = 0; j <= h; j++) sum += c[h - i]! * c[h - j]! * cov[i]![j]!;
    return sum;
  });
  return { mean: y.slice(n), variance };
}

function describe(fit: ArimaCandidate): string {
  const { p, d, q, P, D, Q, m, constant } = fit.order;
  const seasonal = m > 1 && P + D + Q > 0 ? `(${P},${D},${Q})[${m}]` : '';
  const term = constant ? (d + D === 0 ? ' with non-zero mean' : ' with drift') : '';
  return `ARIMA(${p},${d},${q})${seasonal}${term}`;
}

/**
 * AutoARIMA as R's forecast::auto.arima (stepwise, AICc, default limits), with Gaussian
 * prediction intervals from the state-space forecast variance (sigma^2 as auto.arima reports it).
 * The season is the user's or the frequency's (at most 24 steps, 2 full seasons of data).
 */
export function createAutoArima(options: { season?: number } = {}): ForecastModel {
  return {
    info: AUTO_ARIMA_INFO,
    async fit(series: SeriesInput): Promise<FittedModel> {
      const notes: string[] = [];
      const { values, imputed } = interpolateMissing(series.values);
      const n = values.length;
      if (n < 4) throw new LookaheadError('model', 'bad_input', `AutoARIMA needs at least 4 observed values, got ${n}`);
      if (imputed > 0) notes.push(`AutoARIMA: ${imputed} missing value(s) linearly interpolated before fitting.`);
      let season = fittableSeason(series, 'AutoARIMA', n, notes, { minCycles: 2, ...(options.season === undefined ? {} : { override: options.season }) });
      if (season > MAX_ARIMA_SEASON) {
        notes.push(`AutoARIMA: a season of ${season} steps is longer than ${MAX_ARIMA_SEASON}; fitted without a season. Use MSTL for long seasons.`);
        season = 1;
      }
      if (values.every((value) => value === values[0])) {
        notes.push('AutoARIMA: the series is constant; forecast unchanged (as auto.arima, ARIMA(0,0,0) with its mean).');
        const level = values[0]!;
        return constantModel(level, notes);
      }
      const result = searchArima(values, season);
      if (!result) {
        throw new LookaheadError('model', 'bad_input', `AutoARIMA found no suitable ARIMA model for these ${n} values (every candidate was non-stationary or failed); try AutoETS or Theta`);
      }
      const best = result.best;
      if (result.cssFallback) {
        notes.push(`AutoARIMA: ${describe(best)} selected by CSS (approximate AICc ${best.aicc.toFixed(2)}); the maximum-likelihood refits of the ${result.failedRefits} best candidates all failed (a root within 1.01 of the unit circle), so its conditional-sum-of-squares estimates are used.`);
      } else {
        notes.push(`AutoARIMA: ${describe(best)} selected (AICc ${best.aicc.toFixed(2)}${result.approximation ? ', searched with CSS approximations, refitted by maximum likelihood' : ''}${result.failedRefits > 0 ? `; ${result.failedRefits} better-ranked candidate(s) failed their refit` : ''}).`);
      }
      return {
        info: AUTO_ARIMA_INFO,
        async forecast(request: ForecastRequest): Promise<Forecast> {
          validateHorizon(request.horizon);
          const levels = validateLevels(request.quantileLevels ?? DEFAULT_QUANTILE_LEVELS);
          const { mean, variance } = arimaForecast(best, values, request.horizon);
          const quantiles = levels.map((level) => mean.map((value, step) => value + normalQuantile(level) * Math.sqrt(variance[step]! * best.sigma2)));
          return { horizon: request.horizon, quantileLevels: levels, quantiles, mean, notes: [...notes] };
        },
        dispose() {},
      };
    },
  };
}

function constantModel(level: number, notes: string[]): FittedModel {
  return {
    info: AUTO_ARIMA_INFO,
    async forecast(request: ForecastRequest): Promise<Forecast> {
      validateHorizon(request.horizon);
      const levels = validateLevels(request.quantileLevels ?? DEFAULT_QUANTILE_LEVELS);
      const mean = new Array<number>(request.horizon).fill(level);
      return { horizon: request.horizon, quantileLevels: levels, quantiles: levels.map(() => mean.slice()), mean, notes: [...notes] };
    },
    dispose() {},
  };
}
