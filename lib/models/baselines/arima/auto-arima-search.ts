import { seasonalIndices } from '../decompose';
import { armaKalman, difference, fitArima, rootsOutside, type ArimaFit, type ArimaOrder } from './arima-fit';

/**
 * The Hyndman-Khandakar stepwise search as R's forecast::auto.arima (8.20 defaults): seasonal
 * differences from the seasonal strength (> 0.64), then first differences from KPSS tests at 5%,
 * then a stepwise walk over p, q <= 5, P, Q <= 2 by AICc, with a constant when d + D <= 1.
 * Series longer than 150 are searched with CSS fits and the best refitted by maximum likelihood.
 */
export interface ArimaCandidate extends ArimaFit {
  aicc: number;
  /** As R's myarima: residual sum of squares / (n - npar + 1). */
  sigma2: number;
}

const KPSS_5PCT = 0.463;

/** KPSS level-stationarity statistic with R forecast's lag trunc(3 sqrt(n) / 13). */
export function kpssStatistic(values: ArrayLike<number>): number {
  const n = values.length;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += values[t]! / n;
  const e = Float64Array.from(values as ArrayLike<number>, (x) => x - mean);
  let cumulative = 0;
  let sumS2 = 0;
  let s2 = 0;
  for (let t = 0; t < n; t++) {
    cumulative += e[t]!;
    sumS2 += cumulative * cumulative;
    s2 += (e[t]! * e[t]!) / n;
  }
  const lags = Math.trunc((3 * Math.sqrt(n)) / 13);
  let longRun = s2;
  for (let s = 1; s <= lags; s++) {
    let covariance = 0;
    for (let t = s; t < n; t++) covariance += e[t]! * e[t - s]!;
    longRun += (2 * (1 - s / (lags + 1)) * covariance) / n;
  }
  return sumS2 / (n * n * longRun);
}

function isConstant(values: ArrayLike<number>): boolean {
  for (let t = 1; t < values.length; t++) if (values[t] !== values[0]) return false;
  return true;
}

/** R's ndiffs(test = "kpss", alpha = 0.05, max.d = 2). */
export function firstDifferences(values: ArrayLike<number>, maxD = 2): number {
  let x: Float64Array = Float64Array.from(values as ArrayLike<number>);
  let d = 0;
  if (isConstant(x)) return 0;
  while (d < maxD && x.length > 2 && kpssStatistic(x) > KPSS_5PCT) {
    d++;
    x = difference(x, 1, 1);
    if (isConstant(x)) break;
  }
  return d;
}

/**
 * Seasonal strength max(0, 1 - var(remainder) / var(remainder + season)) (Wang, Smith & Hyndman).
 * R's nsdiffs takes it from an STL decomposition (mstl); we use the classical decomposition
 * (centred moving average trend) on the interior where that trend is defined.
 */
export function seasonalStrength(values: ArrayLike<number>, m: number): number {
  const n = values.length;
  const indices = seasonalIndices(values, m, 'additive');
  const half = Math.floor(m / 2);
  const remainder: number[] = [];
  const deseasonalisedDetrended: number[] = [];
  for (let t = half; t < n - half; t++) {
    let trend = 0;
    for (let k = -half; k <= half; k++) trend += (m % 2 === 0 && Math.abs(k) === half ? 0.5 : 1) * values[t + k]!;
    trend /= m;
    remainder.push(values[t]! - trend - indices[t % m]!);
    deseasonalisedDetrended.push(values[t]! - trend);
  }
  const variance = (xs: number[]) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  };
  const total = variance(deseasonalisedDetrended);
  if (!(total > 0)) return 0;
  return Math.max(0, Math.min(1, 1 - variance(remainder) / total));
}

function score(fit: ArimaFit | null, offset: number): ArimaCandidate | null {
  if (!fit) return null;
  const { p, q, P, Q, constant } = fit.order;
  const npar = p + q + P + Q + (constant ? 1 : 0) + 1;
  const nStar = fit.nUsed;
  const aic = fit.method === 'CSS' ? offset + nStar * Math.log(fit.fitSigma2) + 2 * npar : -2 * fit.loglik + 2 * npar;
  let aicc = aic + (2 * npar * (npar + 1)) / (nStar - npar - 1);
  if (!(nStar - npar - 1 > 0) || !Number.isFinite(aicc)) aicc = Number.POSITIVE_INFINITY;
  // As myarima: AR or MA roots within 1.01 of the unit circle disqualify the model.
  if (!rootsOutside(fit.phi, 1.01) || !rootsOutside(fit.theta.map((x) => -x), 1.01)) aicc = Number.POSITIVE_INFINITY;
  return { ...fit, aicc, sigma2: fit.rss / (nStar - npar + 1) };
}

export interface SearchResult {
  best: ArimaCandidate;
  /** Every model tried, in order, with its AICc (for tests and notes). */
  tried: Array<{ order: ArimaOrder; aicc: number }>;
  approximation: boolean;
  /**
   * Maximum-likelihood refits that failed before the one kept; when every refit allowed failed,
   * `best` is the CSS estimate (see MAX_ML_REFITS) and `cssFallback` is true.
   */
  failedRefits: number;
  cssFallback: boolean;
}

/**
 * Maximum-likelihood refits tried, in order of approximate AICc, after a CSS search. R tries every
 * candidate; here one refit of an hourly model with season 24 (a state of 25-50) costs seconds, and
 * on series whose seasonal MA goes to the unit circle every refit fails the same way: on ETTh1 one
 * window took 40 minutes. After this many failures the best CSS candidate is used (R's
 * method = "CSS"), with its filter state from one Kalman pass, and the model's notes say so.
 */
export const MAX_ML_REFITS = 4;

/** A CSS candidate made forecastable: its filter state from one exact Kalman pass at the CSS coefficients. */
function withCssState(candidate: ArimaCandidate): ArimaCandidate | null {
  if (!Number.isFinite(candidate.aicc)) return null;
  const centred = Float64Array.from(candidate.w, (value) => value - candidate.mean);
  const pass = armaKalman(centred, candidate.phi, candidate.theta, true);
  if (!pass) return null;
  return { ...candidate, w: centred, state: { a: pass.a, P: pass.P } };
}

export function searchArima(values: ArrayLike<number>, m: number): SearchResult | null {
  const n = values.length;
  let D = 0;
  if (m > 1 && n > 2 * m && seasonalStrength(values, m) > 0.64) D = 1;
  const seasonallyDifferenced = difference(values, m, D);
  const d = firstDifferences(seasonallyDifferenced);
  const maxP0 = Math.min(2, Math.floor(n / 3 / m));
  const maxQ0 = maxP0;
  const maxP = m > 1 ? maxP0 : 0;
  const maxQ = m > 1 ? maxQ0 : 0;
  let maxp = Math.min(5, Math.floor(n / 3));
  let maxq = Math.min(5, Math.floor(n / 3));
  if (m > 1 && maxP > 0) maxp = Math.min(maxp, m - 1);
  if (m > 1 && maxQ > 0) maxq = Math.min(maxq, m - 1);
  const approximation = n > 150 || m > 12;
  const constantAllowed = d + D <= 1;
  let offset = 0;
  if (approximation) {
    const base = fitArima(values, { p: 0, d, q: 0, P: 0, D, Q: 0, m, constant: false }, 'CSS-ML');
    if (base) offset = -2 * base.loglik - n * Math.log(base.fitSigma2);
  }
  const method = approximation ? 'CSS' : 'CSS-ML';
  let failedRefits = 0;
  let cssFallback = false;
  const tried: Array<{ order: ArimaOrder; aicc: number }> = [];
  const fits = new Map<string, ArimaCandidate | null>();
  const key = (o: ArimaOrder) => `${o.p},${o.q},${o.P},${o.Q},${o.constant}`;
  const tryOrder = (o: ArimaOrder): ArimaCandidate | null => {
    const fit = score(fitArima(values, o, method), offset);
    fits.set(key(o), fit);
    tried.push({ order: o, aicc: fit?.aicc ?? Number.POSITIVE_INFINITY });
    return fit;
  };
  const icOf = (fit: ArimaCandidate | null) => fit?.aicc ?? Number.POSITIVE_INFINITY;
  let current: ArimaOrder = { p: Math.min(2, maxp), d, q: Math.min(2, maxq), P: Math.min(1, maxP), D, Q: Math.min(1, maxQ), m, constant: constantAllowed };
  let best = tryOrder(current);
  const consider = (o: ArimaOrder) => {
    const fit = tryOrder(o);
    if (icOf(fit) < icOf(best)) {
      best = fit;
      current = o;
      return true;
    }
    return false;
  };
  consider({ ...current, p: 0, q: 0, P: 0, Q: 0 });
  if (maxp > 0 || maxP > 0) consider({ ...current, p: maxp > 0 ? 1 : 0, q: 0, P: m > 1 && maxP > 0 ? 1 : 0, Q: 0, constant: constantAllowed });
  if (maxq > 0 || maxQ > 0) consider({ ...current, p: 0, q: maxq > 0 ? 1 : 0, P: 0, Q: m > 1 && maxQ > 0 ? 1 : 0, constant: constantAllowed });
  if (constantAllowed) consider({ ...current, p: 0, q: 0, P: 0, Q: 0, constant: false });
  const limit = 94;
  let moved = true;
  while (moved && tried.length < limit) {
    moved = false;
    const { p, q, P, Q, constant } = current;
    const moves: Array<[boolean, Partial<ArimaOrder>]> = [
      [P > 0, { P: P - 1 }],
      [Q > 0, { Q: Q - 1 }],
      [P < maxP, { P: P + 1 }],
      [Q < maxQ, { Q: Q + 1 }],
      [Q > 0 && P > 0, { P: P - 1, Q: Q - 1 }],
      [Q < maxQ && P > 0, { P: P - 1, Q: Q + 1 }],
      [Q > 0 && P < maxP, { P: P + 1, Q: Q - 1 }],
      [Q < maxQ && P < maxP, { P: P + 1, Q: Q + 1 }],
      [p > 0, { p: p - 1 }],
      [q > 0, { q: q - 1 }],
      [p < maxp, { p: p + 1 }],
      [q < maxq, { q: q + 1 }],
      [q > 0 && p > 0, { p: p - 1, q: q - 1 }],
      [q < maxq && p > 0, { p: p - 1, q: q + 1 }],
      [q > 0 && p < maxp, { p: p + 1, q: q - 1 }],
      [q < maxq && p < maxp, { p: p + 1, q: q + 1 }],
      [constantAllowed, { constant: !constant }],
    ];
    for (const [allowed, change] of moves) {
      if (!allowed) continue;
      const candidate: ArimaOrder = { ...current, ...change };
      if (fits.has(key(candidate))) continue;
      if (tried.length >= limit) break;
      if (consider(candidate)) {
        moved = true;
        break;
      }
    }
  }
  if (approximation) {
    // Refit by maximum likelihood in order of the approximate AICc; the first that qualifies wins.
    const ranked = tried.filter((entry) => Number.isFinite(entry.aicc)).sort((a, b) => a.aicc - b.aicc);
    best = null;
    for (const entry of ranked.slice(0, MAX_ML_REFITS)) {
      const fit = score(fitArima(values, entry.order, 'CSS-ML'), 0);
      if (fit && Number.isFinite(fit.aicc)) {
        best = fit;
        break;
      }
      failedRefits++;
    }
    if (!best) {
      for (const entry of ranked) {
        const candidate = fits.get(key(entry.order));
        best = candidate ? withCssState(candidate) : null;
        if (best) {
          cssFallback = true;
          break;
        }
      }
    }
  }
  if (!best || !Number.isFinite((best as ArimaCandidate).aicc)) return null;
  return { best, tried, approximation, failedRefits, cssFallback };
}
