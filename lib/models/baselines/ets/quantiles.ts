import { normalQuantile } from '@/lib/core/normal';

/** A small seeded generator (mulberry32) and Box-Muller normals: simulated intervals are reproducible. */
export function seededNormal(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

/** The level-q sample quantile (R's type 7: linear between order statistics). */
export function sampleQuantile(sorted: Float64Array, level: number): number {
  const position = (sorted.length - 1) * level;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

/** Gaussian quantiles around a point forecast: point + z(level) * sqrt(variance), per step. */
export function gaussianQuantiles(point: readonly number[], variances: readonly number[], levels: readonly number[]): number[][] {
  return levels.map((level) => point.map((value, step) => value + normalQuantile(level) * Math.sqrt(variances[step]!)));
}
