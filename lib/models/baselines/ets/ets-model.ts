/**
 * The exponential smoothing state space model (Hyndman, Koehler, Ord & Snyder 2008; fpp2 ch. 7)
 * in the form of R's forecast::ets: additive or multiplicative error, no / additive / damped
 * additive trend, no / additive / multiplicative season. The state updates use the observation
 * itself (the same for both error types); the error type decides the likelihood and the noise.
 */
export type ErrorType = 'A' | 'M';
export type TrendType = 'N' | 'A' | 'Ad';
export type SeasonType = 'N' | 'A' | 'M';

export interface EtsSpec {
  error: ErrorType;
  trend: TrendType;
  season: SeasonType;
  /** Steps per season (1 when season is N). */
  period: number;
}

export interface EtsParameters {
  alpha: number;
  /** 0 without a trend. */
  beta: number;
  /** 0 without a season. */
  gamma: number;
  /** 1 without damping. */
  phi: number;
}

/** State before the first observation: level, slope, and one seasonal value per phase (phase 0 = first value's). */
export interface EtsState {
  level: number;
  slope: number;
  seasonal: number[];
}

export function specName(spec: EtsSpec): string {
  return `ETS(${spec.error},${spec.trend},${spec.season})`;
}

/** One-step prediction from a state; `phase` picks the seasonal value. */
function predict(spec: EtsSpec, level: number, slope: number, seasonal: Float64Array, phase: number, phi: number): number {
  const base = spec.trend === 'N' ? level : level + phi * slope;
  if (spec.season === 'A') return base + seasonal[phase]!;
  if (spec.season === 'M') return base * seasonal[phase]!;
  return base;
}

/** Moves the state past one observation `y` at `phase` (R's etscalc update). */
function update(spec: EtsSpec, params: EtsParameters, y: number, state: { level: number; slope: number }, seasonal: Float64Array, phase: number): void {
  const { alpha, beta, gamma, phi } = params;
  const previousLevel = state.level;
  const damped = spec.trend === 'N' ? 0 : phi * state.slope;
  const q = previousLevel + damped;
  const s = seasonal[phase]!;
  const deseasonalised = spec.season === 'A' ? y - s : spec.season === 'M' ? y / s : y;
  state.level = q + alpha * (deseasonalised - q);
  if (spec.trend !== 'N') state.slope = damped + (beta / alpha) * (state.level - previousLevel - damped);
  if (spec.season !== 'N') {
    const detrended = spec.season === 'A' ? y - q : y / q;
    seasonal[phase] = s + gamma * (detrended - s);
  }
}

export interface EtsRun {
  /** n log(sum e^2) (+ 2 sum log|mu| for multiplicative error): -2 log-likelihood up to a constant. */
  lik: number;
  /** Sum of squared errors (relative errors for multiplicative error). */
  sse: number;
  level: number;
  slope: number;
  /** Seasonal values by phase after the last observation. */
  seasonal: Float64Array;
}

/**
 * Runs the filter over the data; lik is Infinity when a prediction leaves the model's domain.
 * This is the optimiser's objective (thousands of calls per fit), so the recursion of predict()
 * and update() is written out here with plain locals; simulatePaths keeps the readable form.
 */
export function runEts(spec: EtsSpec, params: EtsParameters, initial: EtsState, values: ArrayLike<number>): EtsRun {
  const hasTrend = spec.trend !== 'N';
  const additiveSeason = spec.season === 'A';
  const multiplicativeSeason = spec.season === 'M';
  const multiplicativeError = spec.error === 'M';
  const multiplicative = multiplicativeError || multiplicativeSeason;
  const seasonal = Float64Array.from(spec.season === 'N' ? [] : initial.seasonal);
  const period = spec.season === 'N' ? 1 : spec.period;
  const { alpha, gamma } = params;
  const phi = hasTrend ? params.phi : 0;
  const betaOverAlpha = params.beta / alpha;
  let level = initial.level;
  let slope = hasTrend ? initial.slope : 0;
  let sse = 0;
  let logSum = 0;
  let phase = 0;
  for (let t = 0; t < values.length; t++) {
    const damped = phi * slope;
    const q = level + damped;
    const s = spec.season === 'N' ? 0 : seasonal[phase]!;
    const mu = additiveSeason ? q + s : multiplicativeSeason ? q * s : q;
    if (!(mu > 0) && (multiplicative || !Number.isFinite(mu))) return { lik: Number.POSITIVE_INFINITY, sse: Number.POSITIVE_INFINITY, level: Number.NaN, slope: Number.NaN, seasonal };
    const y = values[t]!;
    const error = multiplicativeError ? (y - mu) / mu : y - mu;
    sse += error * error;
    if (multiplicativeError) logSum += Math.log(mu);
    const previousLevel = level;
    level = q + alpha * ((additiveSeason ? y - s : multiplicativeSeason ? y / s : y) - q);
    if (hasTrend) slope = damped + betaOverAlpha * (level - previousLevel - damped);
    if (additiveSeason) seasonal[phase] = s + gamma * (y - q - s);
    else if (multiplicativeSeason) seasonal[phase] = s + gamma * (y / q - s);
    phase = phase + 1 === period ? 0 : phase + 1;
  }
  const n = values.length;
  const lik = n * Math.log(sse) + (multiplicativeError ? 2 * logSum : 0);
  return { lik, sse, level, slope, seasonal };
}

/** Point forecasts h = 1..horizon from the final state (errors set to zero). */
export function pointForecast(spec: EtsSpec, params: EtsParameters, final: { level: number; slope: number; seasonal: Float64Array }, observed: number, horizon: number): number[] {
  const period = spec.season === 'N' ? 1 : spec.period;
  const out: number[] = [];
  let dampedSum = 0;
  for (let h = 1; h <= horizon; h++) {
    dampedSum += spec.trend === 'Ad' ? params.phi ** h : 1;
    const trend = spec.trend === 'N' ? final.level : final.level + dampedSum * final.slope;
    const s = final.seasonal[(observed + h - 1) % period];
    out.push(spec.season === 'A' ? trend + s! : spec.season === 'M' ? trend * s! : trend);
  }
  return out;
}

/**
 * Forecast variance of the linear (class 1: additive error, no multiplicative part) models:
 * sigma^2 (1 + sum_{j<h} c_j^2), c_j = alpha + beta (j, or phi + ... + phi^j damped) + gamma [j mod m = 0]
 * (Hyndman et al. 2008, table 6.1).
 */
export function linearVariances(spec: EtsSpec, params: EtsParameters, sigma2: number, horizon: number): number[] {
  const variances: number[] = [];
  let sum = 0;
  let dampedSum = 0;
  for (let h = 1; h <= horizon; h++) {
    variances.push(sigma2 * (1 + sum));
    const j = h;
    dampedSum += spec.trend === 'Ad' ? params.phi ** j : 1;
    const c = params.alpha + (spec.trend === 'N' ? 0 : params.beta * dampedSum) + (spec.season !== 'N' && j % spec.period === 0 ? params.gamma : 0);
    sum += c * c;
  }
  return variances;
}

/**
 * Sample paths h = 1..horizon for the models without a closed form here: draw the error
 * (N(0, sigma^2), relative for multiplicative error), form y, update the state, repeat.
 * `normal` is a seeded standard normal source so forecasts are reproducible.
 */
export function simulatePaths(
  spec: EtsSpec,
  params: EtsParameters,
  final: { level: number; slope: number; seasonal: Float64Array },
  observed: number,
  sigma2: number,
  horizon: number,
  paths: number,
  normal: () => number,
): Float64Array[] {
  const period = spec.season === 'N' ? 1 : spec.period;
  const sigma = Math.sqrt(sigma2);
  const byStep = Array.from({ length: horizon }, () => new Float64Array(paths));
  const seasonal = new Float64Array(final.seasonal.length);
  for (let path = 0; path < paths; path++) {
    const state = { level: final.level, slope: final.slope };
    seasonal.set(final.seasonal);
    for (let h = 0; h < horizon; h++) {
      const phase = (observed + h) % period;
      const mu = predict(spec, state.level, state.slope, seasonal, phase, params.phi);
      const error = sigma * normal();
      const y = spec.error === 'A' ? mu + error : mu * (1 + error);
      byStep[h]![path] = y;
      update(spec, params, y, state, seasonal, phase);
    }
  }
  return byStep;
}
