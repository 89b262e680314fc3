/**
 * Display-only downsampling of a line series (min/max per pixel column): the chart draws at most a
 * few points per column, so a 100,000-point history becomes ~2 points per column that keep every
 * spike. Metrics, exports and models never see this: it returns indices into the full series.
 *
 * x must be ascending. Columns split the x range [x[from], x[to - 1]] evenly; each column keeps the
 * index of its minimum and of its maximum (in x order), and its first missing value (null/NaN) so
 * a gap stays a gap. The first and last points are always kept.
 */
export function minMaxIndices(
  x: ArrayLike<number>,
  y: ArrayLike<number | null>,
  columns: number,
  from = 0,
  to = x.length,
): number[] {
  if (!Number.isInteger(columns) || columns < 1) {
    throw new RangeError(`downsample: columns must be a whole number >= 1, got ${String(columns)}`);
  }
  if (x.length !== y.length) throw new RangeError(`downsample: x has ${x.length} points but y has ${y.length}; they must match`);
  const start = Math.max(0, from);
  const end = Math.min(x.length, to);
  const count = end - start;
  if (count <= 0) return [];
  if (count <= 2 * columns + 2) return Array.from({ length: count }, (_, offset) => start + offset);
  const x0 = x[start]!;
  const span = x[end - 1]! - x0;
  const kept: number[] = [start];
  let column = -1;
  let minIndex = -1;
  let maxIndex = -1;
  let gapIndex = -1;
  const flush = () => {
    const picks = [minIndex, maxIndex, gapIndex].filter((index) => index >= 0 && index !== start && index !== end - 1);
    picks.sort((a, b) => a - b);
    for (const index of picks) if (kept.at(-1) !== index) kept.push(index);
  };
  for (let index = start; index < end; index++) {
    const at = span > 0 ? Math.min(columns - 1, Math.floor(((x[index]! - x0) / span) * columns)) : Math.floor(((index - start) / count) * columns);
    if (at !== column) {
      if (column >= 0) flush();
      column = at;
      minIndex = maxIndex = gapIndex = -1;
    }
    const value = y[index];
    if (value === null || value === undefined || Number.isNaN(value)) {
      if (gapIndex < 0) gapIndex = index;
      continue;
    }
    if (minIndex < 0 || value < (y[minIndex] as number)) minIndex = index;
    if (maxIndex < 0 || value > (y[maxIndex] as number)) maxIndex = index;
  }
  flush();
  if (kept.at(-1) !== end - 1) kept.push(end - 1);
  return kept;
}

/** First index whose x is >= value (x ascending); x.length when none. */
export function lowerBound(x: ArrayLike<number>, value: number): number {
  let low = 0;
  let high = x.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (x[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** First index whose x is > value (x ascending); x.length when none. */
export function upperBound(x: ArrayLike<number>, value: number): number {
  let low = 0;
  let high = x.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (x[middle]! <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Indices to draw for a chart `columns` pixels wide: the whole series at one point pair per two
 * columns, and the zoomed x range [zoomFrom, zoomTo] (the brush) re-sampled at full width from
 * every point in it. Series of at most 2 x columns points are drawn whole.
 */
export function displayIndices(
  x: ArrayLike<number>,
  y: ArrayLike<number | null>,
  columns: number,
  zoom: { from: number; to: number } | null = null,
): number[] {
  if (x.length <= 2 * columns) return Array.from({ length: x.length }, (_, index) => index);
  const overview = minMaxIndices(x, y, Math.max(1, Math.floor(columns / 2)));
  if (zoom === null) return overview;
  const detail = minMaxIndices(x, y, columns, lowerBound(x, zoom.from), upperBound(x, zoom.to));
  return [...new Set([...overview, ...detail])].sort((a, b) => a - b);
}
