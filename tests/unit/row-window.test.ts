import { describe, expect, it } from 'vitest';
import { visibleRows } from '@/lib/core/row-window';

describe('visibleRows', () => {
  it('renders the rows in view plus the overscan on both sides', () => {
    // Rows 100..119 are in view (scrollTop 2400 / 24 px, 480 px tall).
    expect(visibleRows({ scrollTop: 2400, viewportHeight: 480, rowHeight: 24, count: 10_000, overscan: 8 })).toEqual({ from: 92, to: 128 });
  });

  it('clamps at the top and the bottom of the list', () => {
    expect(visibleRows({ scrollTop: 0, viewportHeight: 480, rowHeight: 24, count: 10_000, overscan: 8 })).toEqual({ from: 0, to: 28 });
    expect(visibleRows({ scrollTop: 10_000 * 24, viewportHeight: 480, rowHeight: 24, count: 10_000, overscan: 8 })).toEqual({ from: 9992, to: 10_000 });
    expect(visibleRows({ scrollTop: -50, viewportHeight: 480, rowHeight: 24, count: 5 })).toEqual({ from: 0, to: 5 });
  });

  it('an empty list renders nothing; a zero row height is refused by name', () => {
    expect(visibleRows({ scrollTop: 0, viewportHeight: 480, rowHeight: 24, count: 0 })).toEqual({ from: 0, to: 0 });
    expect(() => visibleRows({ scrollTop: 0, viewportHeight: 480, rowHeight: 0, count: 10 })).toThrow('row window: rowHeight must be > 0, got 0');
  });
});
