/**
 * Distribution drift between a model's training window and recent data, on values scaled the
 * same way (the caller scales both with the training window's statistics). Pure; used beside a
 * trained model once training lands (issue 10).
 *
 * - Population stability index: bins at the reference's deciles (or `bins` quantiles), then
 *   PSI = sum over bins of (r - e) ln(r / e), with e and r the reference and recent shares; an
 *   empty bin counts as `epsilon` so the log stays finite. Rule of thumb: < 0.1 stable,
 *   0.1-0.25 moderate shift, > 0.25 major shift.
 * - Two-sample Kolmogorov-Smirnov: D = sup |F_reference - F_recent| over the pooled values, and
 *   the asymptotic p-value Q_KS(sqrt(n_e) D) with n_e = n m / (n + m) (Numerical Recipes' form,
 *   with Stephens' small-sample correction).
 */

function finiteSorted(values: ArrayLike<number>): Float64Array {
  const kept: number[] = [];
  for (let index = 0; index < values.length; index += 1) if (Number.isFinite(values[index]!)) kept.push(values[index]!);
  return Float64Array.from(kept).sort();
}

/** Number of sorted values <= x (binary search). */
function countAtOrBelow(sorted: Float64Array, x: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]! <= x) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function populationStabilityIndex(reference: ArrayLike<number>, recent: ArrayLike<number>, { bins = 10, epsilon = 1e-4 } = {}): number {
  const expected = finiteSorted(reference);
  const actual = finiteSorted(recent);
  if (expected.length < bins || actual.length === 0) {
    throw new RangeError(`drift: PSI needs at least ${bins} reference values and one recent value, got ${expected.length} and ${actual.length}`);
  }
  // Inner edges at the reference's quantiles; duplicates collapse (a discrete reference has fewer bins).
  const edges = [...new Set(Array.from({ length: bins - 1 }, (_, k) => expected[Math.floor(((k + 1) * expected.length) / bins)]!))];
  let psi = 0;
  let previousExpected = 0;
  let previousActual = 0;
  for (let k = 0; k <= edges.length; k += 1) {
    const expectedBelow = k < edges.length ? countAtOrBelow(expected, edges[k]!) : expected.length;
    const actualBelow = k < edges.length ? countAtOrBelow(actual, edges[k]!) : actual.length;
    const e = Math.max((expectedBelow - previousExpected) / expected.length, epsilon);
    const r = Math.max((actualBelow - previousActual) / actual.length, epsilon);
    psi += (r - e) * Math.log(r / e);
    previousExpected = expectedBelow;
    previousActual = actualBelow;
  }
  return psi;
}

/** Q_KS(lambda) = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 lambda^2). */
function kolmogorovTail(lambda: number): number {
  if (lambda < 1e-3) return 1;
  let sum = 0;
  for (let j = 1; j <= 100; j += 1) {
    const term = 2 * (j % 2 ? 1 : -1) * Math.exp(-2 * j * j * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, sum));
}

export function kolmogorovSmirnov(reference: ArrayLike<number>, recent: ArrayLike<number>): { statistic: number; pValue: number } {
  const a = finiteSorted(reference);
  const b = finiteSorted(recent);
  if (a.length === 0 || b.length === 0) throw new RangeError(`drift: KS needs values on both sides, got ${a.length} and ${b.length}`);
  let i = 0;
  let j = 0;
  let statistic = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < a.length && a[i]! <= x) i += 1;
    while (j < b.length && b[j]! <= x) j += 1;
    statistic = Math.max(statistic, Math.abs(i / a.length - j / b.length));
  }
  const effective = (a.length * b.length) / (a.length + b.length);
  const root = Math.sqrt(effective);
  return { statistic, pValue: kolmogorovTail((root + 0.12 + 0.11 / root) * statistic) };
}

export interface DriftSummary {
  referenceCount: number;
  recentCount: number;
  psi: number;
  ksStatistic: number;
  ksPValue: number;
  /** mean(recent) - mean(reference) in reference standard deviations (null when the reference is constant). */
  meanShift: number | null;
}

/**
 * PSI and KS of `recent` against `reference`, both scaled by the reference's mean and standard
 * deviation (a trained model sees values scaled that way). Both statistics depend only on the
 * order of the pooled values, so the scaling leaves them unchanged; it makes meanShift a number
 * of reference standard deviations.
 */
export function driftSummary(reference: ArrayLike<number>, recent: ArrayLike<number>, { bins = 10 } = {}): DriftSummary {
  const kept = finiteSorted(reference);
  const mean = kept.reduce((sum, value) => sum + value, 0) / Math.max(kept.length, 1);
  const variance = kept.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(kept.length - 1, 1);
  const deviation = Math.sqrt(variance);
  const scale = deviation > 0 ? deviation : 1;
  const scaled = (values: ArrayLike<number>) => Float64Array.from(finiteSorted(values), (value) => (value - mean) / scale);
  const scaledReference = scaled(reference);
  const scaledRecent = scaled(recent);
  const ks = kolmogorovSmirnov(scaledReference, scaledRecent);
  const recentMean = scaledRecent.reduce((sum, value) => sum + value, 0) / Math.max(scaledRecent.length, 1);
  return {
    referenceCount: scaledReference.length,
    recentCount: scaledRecent.length,
    psi: populationStabilityIndex(scaledReference, scaledRecent, { bins }),
    ksStatistic: ks.statistic,
    ksPValue: ks.pValue,
    meanShift: deviation > 0 ? recentMean : null,
  };
}
