/**
 * Classical seasonal decomposition (as R's decompose()): a centred moving average of one season
 * (2 x m for even m) as the trend, then the mean detrended value at each phase, normalised to
 * sum to 0 (additive) or average 1 (multiplicative). Returns the m seasonal indices, phase 0 being
 * the first value's.
 */
export function seasonalIndices(values: ArrayLike<number>, season: number, kind: 'additive' | 'multiplicative'): number[] {
  const length = values.length;
  const half = Math.floor(season / 2);
  const sums = new Array<number>(season).fill(0);
  const counts = new Array<number>(season).fill(0);
  for (let t = half; t < length - half; t++) {
    let trend = 0;
    if (season % 2 === 0) {
      for (let k = -half; k <= half; k++) trend += (Math.abs(k) === half ? 0.5 : 1) * values[t + k]!;
    } else {
      for (let k = -half; k <= half; k++) trend += values[t + k]!;
    }
    trend /= season;
    const detrended = kind === 'additive' ? values[t]! - trend : values[t]! / trend;
    sums[t % season]! += detrended;
    counts[t % season]!++;
  }
  const figure = sums.map((sum, phase) => (counts[phase]! > 0 ? sum / counts[phase]! : kind === 'additive' ? 0 : 1));
  const mean = figure.reduce((a, b) => a + b, 0) / season;
  return figure.map((value) => (kind === 'additive' ? value - mean : value / mean));
}
