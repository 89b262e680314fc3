import { describe, expect, it } from 'vitest';
import { medianInPlace, selectInPlace } from '@/lib/core/median';

/** The reference: sort, then the middle value or the mean of the two middle values. */
function sortedMedian(values: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function randomValues(length: number, seed: number, distinct: number): number[] {
  let state = seed;
  return Array.from({ length }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return distinct > 0 ? state % distinct : state / 2147483648 - 0.5;
  });
}

describe('medianInPlace', () => {
  it('equals the sorted median to the bit on random data of odd and even lengths', () => {
    for (const length of [1, 2, 3, 4, 5, 10, 11, 100, 101, 1000, 4097]) {
      for (const seed of [1, 7, 99]) {
        const values = randomValues(length, seed, 0);
        expect(medianInPlace(Float64Array.from(values))).toBe(sortedMedian(values));
      }
    }
  });

  it('handles many duplicates, sorted and reversed input, and negative zero neighbours', () => {
    const cases = [
      randomValues(1001, 3, 3),
      randomValues(1000, 5, 2),
      Array.from({ length: 999 }, (_, index) => index),
      Array.from({ length: 1000 }, (_, index) => 1000 - index),
      new Array(500).fill(7),
      [-1, 0, 1, 2],
    ];
    for (const values of cases) expect(medianInPlace(Float64Array.from(values))).toBe(sortedMedian(values));
  });

  it('is NaN for no values', () => {
    expect(medianInPlace(new Float64Array(0))).toBeNaN();
  });
});

describe('selectInPlace', () => {
  it('puts the k-th smallest at k with nothing larger before it and nothing smaller after it', () => {
    const values = randomValues(2000, 11, 50);
    const sorted = Float64Array.from(values).sort();
    for (const k of [0, 1, 999, 1000, 1999]) {
      const array = Float64Array.from(values);
      selectInPlace(array, k);
      expect(array[k]).toBe(sorted[k]);
      for (let index = 0; index < k; index++) expect(array[index]).toBeLessThanOrEqual(array[k]!);
      for (let index = k + 1; index < array.length; index++) expect(array[index]).toBeGreaterThanOrEqual(array[k]!);
    }
  });
});
