/**
 * Which rows of a long list a scrolled viewport shows (list virtualisation): fixed-height rows,
 * a few extra above and below so a fast scroll does not flash blank rows.
 */
export interface RowWindow {
  /** First row rendered. */
  from: number;
  /** One past the last row rendered. */
  to: number;
}

export function visibleRows({ scrollTop, viewportHeight, rowHeight, count, overscan = 8 }: { scrollTop: number; viewportHeight: number; rowHeight: number; count: number; overscan?: number }): RowWindow {
  if (!(rowHeight > 0)) throw new RangeError(`row window: rowHeight must be > 0, got ${rowHeight}`);
  if (count <= 0) return { from: 0, to: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewportHeight)) / rowHeight);
  const from = Math.min(count, Math.max(0, first - overscan));
  return { from, to: Math.min(count, Math.max(from, last + overscan)) };
}
