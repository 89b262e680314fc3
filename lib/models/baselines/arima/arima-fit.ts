import { nelderMead } from '../nelder-mead';

/**
 * Seasonal ARIMA(p,d,q)(P,D,Q)[m] with an optional constant, fitted as R's stats::arima:
 * "CSS" (conditional sum of squares) or "CSS-ML" (CSS estimates as the start of exact Gaussian
 * maximum likelihood, computed by a Kalman filter on the differenced series). AR parts are kept
 * stationary during ML through the partial-autocorrelation (tanh) transform, as R's transform.pars.
 * Signs as R: phi(B) = 1 - phi_1 B - ..., theta(B) = 1 + theta_1 B + ...
 */
export interface ArimaOrder {
  p: number;
  d: number;
  q: number;
  P: number;
  D: number;
  Q: number;
  m: number;
  /** A mean (d + D = 0) or drift (d + D = 1) term. */
  constant: boolean;
}

export interface ArimaFit {
  order: ArimaOrder;
  method: 'CSS' | 'CSS-ML';
  /** ar(p), ma(q), sar(P), sma(Q), then the mean of the differenced series if constant. */
  coef: number[];
  /** Expanded phi (length p + mP) and theta (length q + mQ). */
  phi: number[];
  theta: number[];
  /** Mean of the differenced series (0 without a constant). */
  mean: number;
  loglik: number;
  /** Sum of squared (standardised) residuals and how many there are. */
  rss: number;
  nUsed: number;
  /** The fit's own variance estimate: rss / residual count (CSS conditions on the first p + mP). */
  fitSigma2: number;
  /** Differenced, de-meaned series, and the filter's final state for forecasting (ML only). */
  w: Float64Array;
  state?: { a: Float64Array; P: Float64Array };
}

export function difference(values: ArrayLike<number>, lag: number, times: number): Float64Array {
  let out = Float64Array.from(values as ArrayLike<number>);
  for (let k = 0; k < times; k++) {
    const next = new Float64Array(Math.max(0, out.length - lag));
    for (let t = 0; t < next.length; t++) next[t] = out[t + lag]! - out[t]!;
    out = next;
  }
  return out;
}

/** Multiply two polynomials given as coefficient arrays (index = power). */
export function polyMultiply(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out = new Array<number>(a.length + b.length - 1).fill(0);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i + j]! += a[i]! * b[j]!;
  return out;
}

/** phi_1..phi_{p+mP} of (1 - sum ar B^i)(1 - sum sar B^{im}). */
export function expandAr(ar: ArrayLike<number>, sar: ArrayLike<number>, m: number): number[] {
  const a = [1, ...Array.from(ar, (x) => -x)];
  const s = new Array<number>(sar.length * m + 1).fill(0);
  s[0] = 1;
  for (let j = 0; j < sar.length; j++) s[(j + 1) * m] = -sar[j]!;
  return polyMultiply(a, s).slice(1).map((x) => -x);
}

/** theta_1..theta_{q+mQ} of (1 + sum ma B^i)(1 + sum sma B^{im}). */
export function expandMa(ma: ArrayLike<number>, sma: ArrayLike<number>, m: number): number[] {
  const a = [1, ...Array.from(ma)];
  const s = new Array<number>(sma.length * m + 1).fill(0);
  s[0] = 1;
  for (let j = 0; j < sma.length; j++) s[(j + 1) * m] = sma[j]!;
  return polyMultiply(a, s).slice(1);
}

/** Partial autocorrelations in (-1, 1) -> stationary AR coefficients (Durbin-Levinson), as R's partrans. */
function pacfToAr(raw: ArrayLike<number>): number[] {
  const n = raw.length;
  const phi = Array.from(raw, (x) => Math.tanh(x));
  const work = phi.slice();
  for (let j = 1; j < n; j++) {
    const a = phi[j]!;
    for (let k = 0; k < j; k++) work[k]! -= a * phi[j - k - 1]!;
    for (let k = 0; k < j; k++) phi[k] = work[k]!;
  }
  return phi;
}

/** Inverse of pacfToAr (null when the AR part is not stationary). */
function arToPacf(ar: ArrayLike<number>): number[] | null {
  let a = Array.from(ar);
  const n = a.length;
  const raw = new Array<number>(n);
  for (let j = n - 1; j >= 0; j--) {
    const k = a[j]!;
    if (!(Math.abs(k) < 1)) return null;
    raw[j] = Math.atanh(k);
    const next = new Array<number>(j);
    for (let i = 0; i < j; i++) next[i] = (a[i]! + k * a[j - i - 1]!) / (1 - k * k);
    a = next;
  }
  return raw;
}

/**
 * Whether every root of 1 - sum c_k z^k lies outside the circle of radius `radius` (step-down
 * test: all partial autocorrelations of the rescaled polynomial strictly inside (-1, 1)).
 */
export function rootsOutside(coefficients: ArrayLike<number>, radius: number): boolean {
  let last = coefficients.length;
  while (last > 0 && Math.abs(coefficients[last - 1]!) <= 1e-8) last--;
  if (last === 0) return true;
  const scaled = Array.from({ length: last }, (_, k) => coefficients[k]! * radius ** (k + 1));
  return arToPacf(scaled) !== null;
}

/**
 * As R's maInvert: reflect the roots of 1 + sum ma_k z^k that lie inside the unit circle to
 * 1 / conj(root) (same autocorrelations, invertible). Roots by Durand-Kerner iteration.
 */
export function invertMa(ma: number[]): number[] {
  let q = ma.length;
  while (q > 0 && ma[q - 1] === 0) q--;
  if (q === 0) return ma.slice();
  // Monic form: z^q + (ma_{q-1}/ma_q) z^{q-1} + ... + 1/ma_q.
  const c = [1, ...ma.slice(0, q)];
  const lead = c[q]!;
  const monic = c.map((x) => x / lead);
  const evaluate = (re: number, im: number) => {
    let pr = 1;
    let pi = 0;
    for (let k = q - 1; k >= 0; k--) {
      const nr = pr * re - pi * im + monic[k]!;
      pi = pr * im + pi * re;
      pr = nr;
    }
    return [pr, pi] as const;
  };
  const roots: Array<[number, number]> = Array.from({ length: q }, (_, k) => [Math.cos(0.4 + (2 * Math.PI * k) / q) * 0.9, Math.sin(0.4 + (2 * Math.PI * k) / q) * 0.9]);
  for (let iteration = 0; iteration < 500; iteration++) {
    let moved = 0;
    for (let i = 0; i < q; i++) {
      const [re, im] = roots[i]!;
      const [fr, fi] = evaluate(re, im);
      let dr = 1;
      let di = 0;
      for (let j = 0; j < q; j++) {
        if (j === i) continue;
        const xr = re - roots[j]![0];
        const xi = im - roots[j]![1];
        const nr = dr * xr - di * xi;
        di = dr * xi + di * xr;
        dr = nr;
      }
      const den = dr * dr + di * di || 1e-300;
      const sr = (fr * dr + fi * di) / den;
      const si = (fi * dr - fr * di) / den;
      roots[i] = [re - sr, im - si];
      moved = Math.max(moved, Math.abs(sr) + Math.abs(si));
    }
    if (moved < 1e-14) break;
  }
  if (roots.every(([re, im]) => re * re + im * im >= 1)) return ma.slice();
  // Rebuild prod (1 - z / root) with the inside roots reflected.
  let poly: Array<[number, number]> = [[1, 0]];
  for (const [re0, im0] of roots) {
    let re = re0;
    let im = im0;
    const modulus2 = re * re + im * im;
    if (modulus2 < 1) {
      re = re / modulus2;
      im = im / modulus2;
    }
    // factor (1 - z / r) = 1 + (-1 / r) z
    const m2 = re * re + im * im;
    const fr = -re / m2;
    const fi = im / m2;
    const next: Array<[number, number]> = poly.map(() => [0, 0] as [number, number]);
    next.push([0, 0]);
    for (let k = 0; k < poly.length; k++) {
      next[k]![0] += poly[k]![0];
      next[k]![1] += poly[k]![1];
      next[k + 1]![0] += poly[k]![0] * fr - poly[k]![1] * fi;
      next[k + 1]![1] += poly[k]![0] * fi + poly[k]![1] * fr;
    }
    poly = next;
  }
  const out = poly.slice(1).map(([re]) => re);
  return [...out, ...ma.slice(q)];
}

interface Layout {
  order: ArimaOrder;
  nCoef: number;
}

function split(layout: Layout, coef: ArrayLike<number>) {
  const { p, q, P, Q, m, constant } = layout.order;
  const ar = Array.from({ length: p }, (_, i) => coef[i]!);
  const ma = Array.from({ length: q }, (_, i) => coef[p + i]!);
  const sar = Array.from({ length: P }, (_, i) => coef[p + q + i]!);
  const sma = Array.from({ length: Q }, (_, i) => coef[p + q + P + i]!);
  const mean = constant ? coef[p + q + P + Q]! : 0;
  return { ar, ma, sar, sma, mean, phi: expandAr(ar, sar, m), theta: expandMa(ma, sma, m) };
}

/** CSS residual sum of squares of the de-meaned differenced series; the first p + mP terms are conditioned on. */
function cssSum(w: Float64Array, mean: number, phi: number[], theta: number[]): { ssq: number; count: number } {
  const n = w.length;
  const start = phi.length;
  const e = new Float64Array(n);
  let ssq = 0;
  for (let t = start; t < n; t++) {
    let value = w[t]! - mean;
    for (let k = 0; k < phi.length; k++) value -= phi[k]! * (w[t - k - 1]! - mean);
    for (let k = 0; k < theta.length && k < t - start; k++) value -= theta[k]! * e[t - k - 1]!;
    e[t] = value;
    ssq += value * value;
  }
  return { ssq, count: n - start };
}

/**
 * Exact Gaussian likelihood of an ARMA on y (de-meaned) by the Kalman filter in Harvey's form,
 * the initial state covariance being the stationary one (sum of (T^k R)(T^k R)', to 1e-12).
 * Returns the sum of squared standardised innovations and of log gains (sigma^2 concentrated out).
 */
export function armaKalman(y: Float64Array, phi: number[], theta: number[], keepState = false): { ssq: number; sumLog: number; a: Float64Array; P: Float64Array } | null {
  const r = Math.max(phi.length, theta.length + 1);
  const ph = new Float64Array(r);
  ph.set(phi);
  const R = new Float64Array(r);
  R[0] = 1;
  for (let k = 0; k < theta.length; k++) R[k + 1] = theta[k]!;
  // Stationary covariance.
  const P = new Float64Array(r * r);
  let v = Float64Array.from(R);
  const next = new Float64Array(r);
  // Up to 3000 terms: an AR root that close to the unit circle (|z| < ~1.005) is rejected anyway (auto.arima needs 1.01).
  for (let iteration = 0; iteration < 3000; iteration++) {
    let norm = 0;
    for (let i = 0; i < r; i++) {
      const vi = v[i]!;
      norm += vi * vi;
      for (let j = 0; j < r; j++) P[i * r + j]! += vi * v[j]!;
    }
    if (norm < 1e-14 * (P[0]! + 1e-300)) break;
    if (iteration === 2999 || !Number.isFinite(norm)) return null;
    for (let i = 0; i < r; i++) next[i] = ph[i]! * v[0]! + (i + 1 < r ? v[i + 1]! : 0);
    v = Float64Array.from(next);
  }
  const a = new Float64Array(r);
  const M = new Float64Array(r * r);
  let ssq = 0;
  let sumLog = 0;
  let steady = false;
  const gain = new Float64Array(r);
  const row = new Float64Array(r);
  for (let t = 0; t < y.length; t++) {
    if (t > 0) {
      // a = T a
      const a0 = a[0]!;
      for (let i = 0; i < r; i++) a[i] = ph[i]! * a0 + (i + 1 < r ? a[i + 1]! : 0);
      if (!steady) {
        // P = T P T' + R R'
        for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) M[i * r + j] = ph[i]! * P[j]! + (i + 1 < r ? P[(i + 1) * r + j]! : 0);
        let change = 0;
        for (let i = 0; i < r; i++) {
          for (let j = 0; j < r; j++) {
            const value = ph[j]! * M[i * r]! + (j + 1 < r ? M[i * r + j + 1]! : 0) + R[i]! * R[j]!;
            if (i === 0) change = Math.max(change, Math.abs(value - P[j]!));
            P[i * r + j] = value;
          }
        }
        if (change < 1e-12) steady = true;
      }
    }
    const F = P[0]!;
    if (!(F > 0)) return null;
    const innovation = y[t]! - a[0]!;
    ssq += (innovation * innovation) / F;
    sumLog += Math.log(F);
    for (let i = 0; i < r; i++) {
      row[i] = P[i]!;
      gain[i] = P[i]! / F;
    }
    for (let i = 0; i < r; i++) a[i]! += gain[i]! * innovation;
    if (!steady) {
      for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) P[i * r + j]! -= gain[i]! * row[j]!;
    }
  }
  if (!keepState) return { ssq, sumLog, a, P: new Float64Array(0) };
  const filtered = Float64Array.from(P);
  if (steady) {
    // In the steady state the loop kept the predicted covariance; apply the last update here.
    const F = P[0]!;
    for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) filtered[i * r + j]! -= (P[i]! * P[j]!) / F;
  }
  return { ssq, sumLog, a, P: filtered };
}

const LOG_2PI = Math.log(2 * Math.PI);
/** See fitArima: the 1.01 a kept model needs (as auto.arima), checked after each optimisation pass. */
const UNIT_ROOT_ABANDON = 1.01;

/** Fit one order; null when R's arima would fail (non-stationary CSS AR part, numerical failure). */
export function fitArima(values: ArrayLike<number>, order: ArimaOrder, method: 'CSS' | 'CSS-ML'): ArimaFit | null {
  const w = difference(difference(values, order.m, order.D), 1, order.d);
  const n = w.length;
  const { p, q, P, Q } = order;
  const nArma = p + q + P + Q;
  const layout: Layout = { order, nCoef: nArma + (order.constant ? 1 : 0) };
  let wMean = 0;
  for (let t = 0; t < n; t++) wMean += w[t]! / n;
  let wSd = 0;
  for (let t = 0; t < n; t++) wSd += (w[t]! - wMean) ** 2 / n;
  wSd = Math.sqrt(wSd) || 1;
  const fromScaled = (x: ArrayLike<number>) => {
    const coef = Array.from(x);
    if (order.constant) coef[nArma] = wMean + wSd * x[nArma]!;
    return coef;
  };
  // CSS
  const cssObjective = (x: Float64Array) => {
    const parts = split(layout, fromScaled(x));
    const { ssq, count } = cssSum(w, parts.mean, parts.phi, parts.theta);
    return count > 0 && ssq > 0 ? 0.5 * Math.log(ssq / count) : Number.POSITIVE_INFINITY;
  };
  let x: Float64Array = new Float64Array(layout.nCoef);
  if (layout.nCoef > 0) {
    for (let restart = 0; restart < 3; restart++) {
      const result = nelderMead(cssObjective, x, { maxEvaluations: 2000, relativeTolerance: 1e-10 });
      const improved = result.value < cssObjective(x) - 1e-12;
      x = result.point;
      if (!improved && restart > 0) break;
    }
  }
  let coef = fromScaled(x);
  let parts = split(layout, coef);
  if (method === 'CSS') {
    const { ssq, count } = cssSum(w, parts.mean, parts.phi, parts.theta);
    const sigma2 = ssq / count;
    return {
      order, method, coef, phi: parts.phi, theta: parts.theta, mean: parts.mean,
      loglik: -0.5 * (n * Math.log(sigma2) + n + n * LOG_2PI), rss: ssq, nUsed: n, fitSigma2: sigma2, w,
    };
  }
  // ML, started from CSS; as R, a non-stationary CSS AR part is an error.
  const arRaw = p > 0 ? arToPacf(parts.ar) : [];
  const sarRaw = P > 0 ? arToPacf(parts.sar) : [];
  if (arRaw === null || sarRaw === null) return null;
  const toCoef = (z: ArrayLike<number>) => {
    const out = Array.from(z);
    if (p > 0) out.splice(0, p, ...pacfToAr(out.slice(0, p)));
    if (P > 0) out.splice(p + q, P, ...pacfToAr(out.slice(p + q, p + q + P)));
    return fromScaled(out);
  };
  const start = Float64Array.from(x);
  start.set(arRaw, 0);
  start.set(sarRaw, p + q);
  const centred = new Float64Array(n);
  const mlObjective = (z: Float64Array) => {
    const c = split(layout, toCoef(z));
    for (let t = 0; t < n; t++) centred[t] = w[t]! - c.mean;
    const result = armaKalman(centred, c.phi, c.theta);
    if (!result || !(result.ssq > 0)) return Number.POSITIVE_INFINITY;
    return 0.5 * Math.log(result.ssq / n) + (0.5 * result.sumLog) / n;
  };
  let z: Float64Array = start;
  let best = mlObjective(z);
  // An AR part, or the invertible form of an MA part, with a root within UNIT_ROOT_ABANDON of the
  // unit circle is where the likelihood's ridge leads (a missed or an extra difference); such a
  // fit ends rejected (roots within 1.01), so it is abandoned after an optimisation pass instead
  // of crawling through up to 15 more.
  const onTheCircle = (point: Float64Array) => {
    const current = toCoef(point);
    if (!rootsOutside(split(layout, current).phi, UNIT_ROOT_ABANDON)) return true;
    if (q + Q === 0) return false;
    const inverted = current.slice();
    inverted.splice(p, q, ...invertMa(current.slice(p, p + q)));
    inverted.splice(p + q + P, Q, ...invertMa(current.slice(p + q + P, p + q + P + Q)));
    return !rootsOutside(split(layout, inverted).theta.map((value) => -value), UNIT_ROOT_ABANDON);
  };
  if (layout.nCoef > 0) {
    // Restart Nelder-Mead from its own result until it stops improving (a fresh simplex escapes the
    // slow crawl along flat ridges, e.g. an MA coefficient near -1).
    for (let restart = 0; restart < 8; restart++) {
      const result = nelderMead(mlObjective, z, { maxEvaluations: 1500, relativeTolerance: 1e-11 });
      const improved = result.value < best - 1e-9;
      if (result.value <= best) {
        z = result.point;
        best = result.value;
      }
      if (onTheCircle(z)) return null;
      if (!improved && restart > 0) break;
    }
  }
  if (!Number.isFinite(best)) return null;
  // As R's arima: make the MA parts invertible and, if that changed them, optimise again from there.
  {
    const current = toCoef(z);
    const inverted = current.slice();
    inverted.splice(p, q, ...invertMa(current.slice(p, p + q)));
    inverted.splice(p + q + P, Q, ...invertMa(current.slice(p + q + P, p + q + P + Q)));
    if (inverted.some((value, index) => Math.abs(value - current[index]!) > 1e-12)) {
      const restart = Float64Array.from(z);
      for (let i = 0; i < q; i++) restart[p + i] = inverted[p + i]!;
      for (let i = 0; i < Q; i++) restart[p + q + P + i] = inverted[p + q + P + i]!;
      z = restart;
      best = mlObjective(z);
      for (let again = 0; again < 8; again++) {
        const result = nelderMead(mlObjective, z, { maxEvaluations: 1500, relativeTolerance: 1e-11 });
        const improved = result.value < best - 1e-9;
        if (result.value <= best) {
          z = result.point;
          best = result.value;
        }
        if (!improved && again > 0) break;
      }
      if (!Number.isFinite(best)) return null;
    }
  }
  coef = toCoef(z);
  parts = split(layout, coef);
  for (let t = 0; t < n; t++) centred[t] = w[t]! - parts.mean;
  const final = armaKalman(centred, parts.phi, parts.theta, true);
  if (!final) return null;
  const sigma2 = final.ssq / n;
  return {
    order, method, coef, phi: parts.phi, theta: parts.theta, mean: parts.mean,
    loglik: -0.5 * (n * Math.log(sigma2) + final.sumLog + n + n * LOG_2PI),
    rss: final.ssq, nUsed: n, fitSigma2: sigma2, w: centred, state: { a: final.a, P: final.P },
  };
}
