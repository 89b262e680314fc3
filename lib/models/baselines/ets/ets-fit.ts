import { nelderMead } from '../nelder-mead';
import { seasonalIndices } from '../decompose';
import { runEts, specName, type EtsParameters, type EtsSpec, type EtsState } from './ets-model';

/** A fitted ETS model: its spec, parameters, initial and final states, and information criteria. */
export interface EtsFit {
  spec: EtsSpec;
  name: string;
  params: EtsParameters;
  initial: EtsState;
  final: { level: number; slope: number; seasonal: Float64Array };
  /** Residual variance, sum e^2 / (n - parameters) as R's ets (relative errors for M error). */
  sigma2: number;
  /** -2 log-likelihood up to a constant shared by every model on the same data. */
  lik: number;
  aic: number;
  aicc: number;
  bic: number;
  parameterCount: number;
  observed: number;
}

/** R's forecast::ets defaults: lower = c(1e-4, 1e-4, 1e-4, 0.8), upper = c(0.9999, 0.9999, 0.9999, 0.98). */
const LOWER = { alpha: 1e-4, beta: 1e-4, gamma: 1e-4, phi: 0.8 };
const UPPER = { alpha: 0.9999, beta: 0.9999, gamma: 0.9999, phi: 0.98 };

/** Initial states as R's initstate: classical decomposition of the series, then a line through the seasonally adjusted start. */
export function initialState(spec: EtsSpec, values: ArrayLike<number>): EtsState {
  const n = values.length;
  let seasonal: number[] = [];
  let adjusted: number[] = Array.from(values as ArrayLike<number>);
  if (spec.season !== 'N') {
    const m = spec.period;
    // R decomposes the whole series (and fits a Fourier term below 3 seasons; we decompose what there is).
    seasonal = seasonalIndices(values, m, spec.season === 'A' ? 'additive' : 'multiplicative');
    if (spec.season === 'M') {
      // As R: floor the free values (phases 1..m-1) at 0.01 and rescale them if they exceed m.
      const free = seasonal.slice(1).map((value) => Math.max(value, 1e-2));
      const sum = free.reduce((a, b) => a + b, 0);
      seasonal = [seasonal[0]!, ...(sum > m ? free.map((value) => value / (sum + (m - 1) * 1e-2)) : free)];
    }
    adjusted = adjusted.map((value, t) => (spec.season === 'A' ? value - seasonal[t % m]! : value / seasonal[t % m]!));
  }
  const maxn = Math.min(Math.max(10, 2 * (spec.season === 'N' ? 1 : spec.period)), n);
  if (spec.trend === 'N') {
    let sum = 0;
    for (let t = 0; t < maxn; t++) sum += adjusted[t]!;
    return { level: sum / maxn, slope: 0, seasonal };
  }
  // Least squares on t = 1..maxn, so the intercept is the level at t = 0 (before the first value).
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let t = 1; t <= maxn; t++) {
    const y = adjusted[t - 1]!;
    sx += t;
    sy += y;
    sxx += t * t;
    sxy += t * y;
  }
  const slope = (maxn * sxy - sx * sy) / (maxn * sxx - sx * sx);
  let level = (sy - slope * sx) / maxn;
  let b = slope;
  // With multiplicative error the first prediction must not be 0.
  if (Math.abs(level + b) < 1e-8) {
    level *= 1 + 1e-3;
    b *= 1 - 1e-3;
  }
  return { level, slope: b, seasonal };
}

interface Layout {
  spec: EtsSpec;
  /** Free seasonal initial values: phases 1..m-1 (phase 0 follows from the normalisation). */
  seasonCount: number;
}

function decode(layout: Layout, x: Float64Array): { params: EtsParameters; state: EtsState } {
  const { spec } = layout;
  let i = 0;
  const alpha = x[i++]!;
  const beta = spec.trend === 'N' ? 0 : x[i++]!;
  const gamma = spec.season === 'N' ? 0 : x[i++]!;
  const phi = spec.trend === 'Ad' ? x[i++]! : 1;
  const level = x[i++]!;
  const slope = spec.trend === 'N' ? 0 : x[i++]!;
  let seasonal: number[] = [];
  if (spec.season !== 'N') {
    const free = Array.from(x.subarray(i, i + layout.seasonCount));
    const sum = free.reduce((a, b) => a + b, 0);
    seasonal = [spec.season === 'A' ? -sum : spec.period - sum, ...free];
  }
  return { params: { alpha, beta, gamma, phi }, state: { level, slope, seasonal } };
}

function encode(layout: Layout, params: EtsParameters, state: EtsState): number[] {
  const { spec } = layout;
  const x = [params.alpha];
  if (spec.trend !== 'N') x.push(params.beta);
  if (spec.season !== 'N') x.push(params.gamma);
  if (spec.trend === 'Ad') x.push(params.phi);
  x.push(state.level);
  if (spec.trend !== 'N') x.push(state.slope);
  if (spec.season !== 'N') x.push(...state.seasonal.slice(1));
  return x;
}

/** R's "usual" region: bounds above, beta < alpha, gamma < 1 - alpha; positive multiplicative seasons. */
function admissible(spec: EtsSpec, params: EtsParameters, state: EtsState): boolean {
  const { alpha, beta, gamma, phi } = params;
  if (alpha < LOWER.alpha || alpha > UPPER.alpha) return false;
  if (spec.trend !== 'N' && (beta < LOWER.beta || beta > alpha || beta > UPPER.beta)) return false;
  if (spec.season !== 'N' && (gamma < LOWER.gamma || gamma > 1 - alpha || gamma > UPPER.gamma)) return false;
  if (spec.trend === 'Ad' && (phi < LOWER.phi || phi > UPPER.phi)) return false;
  if (spec.season === 'M' && state.seasonal.some((value) => value <= 0)) return false;
  return true;
}

/** Starting smoothing parameters as R's ets (alpha = lower + 0.2 (upper - lower) / m, ...). */
function startingParams(spec: EtsSpec): EtsParameters {
  const m = spec.season === 'N' ? 1 : spec.period;
  let alpha = LOWER.alpha + (0.2 * (UPPER.alpha - LOWER.alpha)) / m;
  if (alpha > 1 || alpha < 0) alpha = LOWER.alpha + 2e-3;
  let beta = LOWER.beta + 0.1 * (UPPER.beta - LOWER.beta);
  if (beta < 0 || beta > alpha) beta = alpha - 1e-3;
  let gamma = LOWER.gamma + 0.05 * (UPPER.gamma - LOWER.gamma);
  if (gamma < 0 || gamma > 1 - alpha) gamma = 1 - alpha - 1e-3;
  const phi = LOWER.phi + 0.99 * (UPPER.phi - LOWER.phi);
  return { alpha, beta, gamma, phi };
}

/** Maximum likelihood fit of one ETS spec; null when it cannot be fitted (too few values, no valid start). */
export function fitEts(spec: EtsSpec, values: ArrayLike<number>, options: { maxEvaluations?: number; restarts?: number } = {}): EtsFit | null {
  const n = values.length;
  const layout: Layout = { spec, seasonCount: spec.season === 'N' ? 0 : spec.period - 1 };
  const start = encode(layout, startingParams(spec), initialState(spec, values));
  const parameterCount = start.length + 1;
  if (n <= parameterCount + 1) return null;
  const objective = (x: Float64Array) => {
    const { params, state } = decode(layout, x);
    if (!admissible(spec, params, state)) return Number.POSITIVE_INFINITY;
    const lik = runEts(spec, params, state, values).lik;
    return lik < -1e10 ? -1e10 : lik;
  };
  // Nelder-Mead stalls on these ridges; restarting from the best point with a fresh simplex finds
  // R's optimum (checked against R's forecast::ets on AirPassengers and milk).
  let best = nelderMead(objective, start, { maxEvaluations: options.maxEvaluations ?? 2000 });
  for (let restart = 0; restart < (options.restarts ?? 2) && Number.isFinite(best.value); restart++) {
    const again = nelderMead(objective, best.point, { maxEvaluations: options.maxEvaluations ?? 2000 });
    const improved = best.value - again.value;
    if (again.value < best.value) best = again;
    if (!(improved > 1e-6 * Math.abs(best.value))) break;
  }
  if (!Number.isFinite(best.value)) return null;
  const { params, state } = decode(layout, best.point);
  const run = runEts(spec, params, state, values);
  const aic = run.lik + 2 * parameterCount;
  return {
    spec,
    name: specName(spec),
    params,
    initial: state,
    final: { level: run.level, slope: run.slope, seasonal: run.seasonal },
    sigma2: run.sse / (n - parameterCount),
    lik: run.lik,
    aic,
    aicc: aic + (2 * parameterCount * (parameterCount + 1)) / (n - parameterCount - 1),
    bic: run.lik + Math.log(n) * parameterCount,
    parameterCount,
    observed: n,
  };
}

/**
 * The candidate models R's ets(model = "ZZZ") tries: error A/M, trend N/A/Ad, season N/A/M, without
 * the unstable additive-error multiplicative-season mixes and, for data that is not strictly
 * positive, without anything multiplicative.
 */
export function candidateSpecs(period: number, positive: boolean): EtsSpec[] {
  const specs: EtsSpec[] = [];
  for (const error of positive ? (['A', 'M'] as const) : (['A'] as const)) {
    for (const trend of ['N', 'A', 'Ad'] as const) {
      for (const season of period > 1 ? (positive ? (['N', 'A', 'M'] as const) : (['N', 'A'] as const)) : (['N'] as const)) {
        if (error === 'A' && season === 'M') continue;
        specs.push({ error, trend, season, period: season === 'N' ? 1 : period });
      }
    }
  }
  return specs;
}

/** Fits every candidate and keeps the lowest AICc (R's default information criterion). */
export function selectEts(values: ArrayLike<number>, period: number, options: { maxEvaluations?: number; restarts?: number } = {}): EtsFit | null {
  let positive = true;
  for (let t = 0; t < values.length; t++) if (!(values[t]! > 0)) positive = false;
  let best: EtsFit | null = null;
  for (const spec of candidateSpecs(period, positive)) {
    const fit = fitEts(spec, values, options);
    if (fit && Number.isFinite(fit.aicc) && (!best || fit.aicc < best.aicc)) best = fit;
  }
  return best;
}
