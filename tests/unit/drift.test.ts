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
