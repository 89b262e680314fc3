import { describe, expect, it } from 'vitest';
import { kolmogorovSmirnov, populationStabilityIndex } from '@/lib/core/drift';

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('population stability index', () => {
  it('is 0 for the same distribution and grows with a shift', () => {
    expect(populationStabilityIndex(range(1000), range(1000))).toBeCloseTo(0, 12);
    const small = populationStabilityIndex(range(1000), range(1000, 50));
    const large = populationStabilityIndex(range(1000), range(1000, 500));
    expect(small).toBeGreaterThan(0);
    expect(large).toBeGreaterThan(small);
    expect(large).toBeGreaterThan(0.25);
  });

  it('hand-computed with two bins: reference shares 0.6/0.4, recent 0.8/0.2', () => {
    // Reference 0..9: the edge is the 5th value (5), so bins are <= 5 (6 values) and > 5 (4 values).
    const reference = range(10);
    const recent = [0, 0, 0, 0, 0, 0, 0, 0, 9, 9]; // 8 in the first bin, 2 in the second
    const e = [0.6, 0.4];
    const r = [0.8, 0.2];
    const expected = (r[0]! - e[0]!) * Math.log(r[0]! / e[0]!) + (r[1]! - e[1]!) * Math.log(r[1]! / e[1]!);
    expect(populationStabilityIndex(reference, recent, { bins: 2 })).toBeCloseTo(expected, 12);
  });

  it('refuses too few reference values, naming the counts', () => {
    expect(() => populationStabilityIndex([1, 2], [1], { bins: 10 })).toThrow('drift: PSI needs at least 10 reference values and one recent value, got 2 and 1');
  });
});

describe('two-sample Kolmogorov-Smirnov', () => {
  it('D is the largest gap between the empirical CDFs (hand-computed)', () => {
    // F_a jumps at 1,2,3,4 by 1/4; F_b at 3,4,5,6: at x=2, F_a = 0.5, F_b = 0 -> D = 0.5 (also at x=4: 1 vs 0.5).
    expect(kolmogorovSmirnov([1, 2, 3, 4], [3, 4, 5, 6]).statistic).toBe(0.5);
    expect(kolmogorovSmirnov([1, 2], [5, 6]).statistic).toBe(1);
    expect(kolmogorovSmirnov(range(100), range(100)).statistic).toBe(0);
  });

  it('p-value: near 1 for the same sample, tiny for a clear shift (asymptotic Kolmogorov distribution)', () => {
    expect(kolmogorovSmirnov(range(500), range(500)).pValue).toBe(1);
    const shifted = kolmogorovSmirnov(range(500), range(500, 250));
    expect(shifted.statistic).toBeCloseTo(0.5, 12);
    expect(shifted.pValue).toBeLessThan(1e-20);
    // Q_KS(1.36) ~= 0.05, the textbook 5% critical value: D = 1.36 / sqrt(n_e) lands close to p = 0.05 for large samples.
    const n = 20_000;
    const d = 1.36 / Math.sqrt(n / 2);
    const p = kolmogorovSmirnov(range(n), range(n, Math.round(d * n))).pValue;
    expect(p).toBeGreaterThan(0.03);
    expect(p).toBeLessThan(0.07);
  });
});

describe('driftSummary', () => {
  it('scales by the reference: PSI and KS equal the unscaled ones, the mean shift is in reference standard deviations', async () => {
    const { driftSummary } = await import('@/lib/core/drift');
    const reference = range(1000).map((i) => 100 + 10 * Math.sin(i / 7));
    const recent = range(500).map((i) => 105 + 10 * Math.sin(i / 7));
    const summary = driftSummary(reference, recent);
    expect(summary.psi).toBeCloseTo(populationStabilityIndex(reference, recent), 12);
    expect(summary.ksStatistic).toBeCloseTo(kolmogorovSmirnov(reference, recent).statistic, 12);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(reference.reduce((sum, value) => sum + (value - mean(reference)) ** 2, 0) / (reference.length - 1));
    expect(summary.meanShift).toBeCloseTo((mean(recent) - mean(reference)) / sd, 12);
    expect(summary).toMatchObject({ referenceCount: 1000, recentCount: 500 });
  });

  it('a constant reference has no mean shift (null), and NaN values are left out of the counts', async () => {
    const { driftSummary } = await import('@/lib/core/drift');
    const summary = driftSummary([...Array(20).fill(3), Number.NaN], [3, 3, 4, Number.NaN]);
    expect(summary).toMatchObject({ referenceCount: 20, recentCount: 3, meanShift: null });
  });
});
