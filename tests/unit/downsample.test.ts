import { describe, expect, it } from 'vitest';
import { displayIndices, lowerBound, minMaxIndices, upperBound } from '@/lib/core/downsample';

function randomWalk(length: number, seed = 7): { x: number[]; y: number[] } {
  let state = seed;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const x = Array.from({ length }, (_, index) => 1_700_000_000_000 + index * 1000);
  let value = 0;
  const y = x.map(() => (value += random() - 0.5));
  return { x, y };
}

describe('min/max downsampling for display', () => {
  it('keeps first and last point, every column extreme, and at most 2 per column + 2', () => {
    const { x, y } = randomWalk(100_000);
    const columns = 800;
    const kept = minMaxIndices(x, y, columns);
    expect(kept[0]).toBe(0);
    expect(kept.at(-1)).toBe(x.length - 1);
    expect(kept.length).toBeLessThanOrEqual(2 * columns + 2);
    expect(kept.length).toBeGreaterThan(columns);
    // Ascending, unique.
    kept.forEach((index, position) => position > 0 && expect(index).toBeGreaterThan(kept[position - 1]!));
    // The global extremes survive, and every column's min and max are among the kept points.
    const keptValues = new Set(kept.map((index) => y[index]));
    expect(keptValues.has(Math.min(...y))).toBe(true);
    expect(keptValues.has(Math.max(...y))).toBe(true);
    const span = x.at(-1)! - x[0]!;
    for (let column = 0; column < columns; column += 97) {
      const inColumn = y.filter((_, index) => Math.min(columns - 1, Math.floor(((x[index]! - x[0]!) / span) * columns)) === column);
      expect(keptValues.has(Math.min(...inColumn))).toBe(true);
      expect(keptValues.has(Math.max(...inColumn))).toBe(true);
    }
  });

  it('keeps a spike of one point and a gap (null) so the drawn line still breaks', () => {
    const { x, y } = randomWalk(10_000);
    const values: (number | null)[] = [...y];
    values[4321] = 1e6;
    values[7777] = null;
    const kept = minMaxIndices(x, values, 100);
    expect(kept).toContain(4321);
    expect(kept).toContain(7777);
  });

  it('returns short series whole and rejects bad input', () => {
    expect(minMaxIndices([1, 2, 3], [1, 2, 3], 10)).toEqual([0, 1, 2]);
    expect(minMaxIndices([], [], 10)).toEqual([]);
    expect(() => minMaxIndices([1], [1], 0)).toThrow(/columns must be a whole number >= 1, got 0/);
    expect(() => minMaxIndices([1, 2], [1], 4)).toThrow(/x has 2 points but y has 1/);
  });

  it('displayIndices: the whole series coarsely, the zoomed range re-sampled from every point in it', () => {
    const { x, y } = randomWalk(100_000);
    const overview = displayIndices(x, y, 1000);
    expect(overview.length).toBeLessThanOrEqual(1002);
    const from = x[50_000]!;
    const to = x[52_000]!;
    const zoomed = displayIndices(x, y, 1000, { from, to });
    const inside = zoomed.filter((index) => x[index]! >= from && x[index]! <= to);
    const overviewInside = overview.filter((index) => x[index]! >= from && x[index]! <= to);
    // 2,001 points in range at 1,000 columns: all of them (<= 2 x columns + 2), far more than the overview had.
    expect(inside).toHaveLength(2001);
    expect(overviewInside.length).toBeLessThan(100);
    expect(zoomed[0]).toBe(0);
    expect(zoomed.at(-1)).toBe(x.length - 1);
    expect(displayIndices(x.slice(0, 1500), y.slice(0, 1500), 1000)).toHaveLength(1500);
  });

  it('binary searches', () => {
    expect(lowerBound([1, 2, 2, 3], 2)).toBe(1);
    expect(upperBound([1, 2, 2, 3], 2)).toBe(3);
    expect(lowerBound([1, 2], 5)).toBe(2);
  });
});
