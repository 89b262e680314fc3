/**
 * Chronos-Bolt's output side, in float32 like the reference: de-normalisation, torch.quantile's
 * linear interpolation (used to reduce the 81 long-horizon samples and to answer levels the model
 * was not trained on), and level selection.
 */

/** quantiles [batch, numQuantiles, steps] * scale + loc, per row, in float32. */
export function denormalize(normalized: Float32Array, loc: Float32Array, scale: Float32Array, batch: number): Float32Array {
  const perRow = normalized.length / batch;
  const out = new Float32Array(normalized.length);
  for (let b = 0; b < batch; b++) {
    const rowScale = scale[b]!;
    const rowLoc = loc[b]!;
    for (let i = b * perRow; i < (b + 1) * perRow; i++) out[i] = Math.fround(normalized[i]! * rowScale) + rowLoc;
  }
  return out;
}

/**
 * torch.quantile(values, q, interpolation='linear') of one sample set: sort, rank = q * (n - 1)
 * in float32, lerp between the neighbours. Any NaN makes the result NaN, as in torch.
 */
export function linearQuantiles(samples: Float32Array | number[], levels: readonly number[]): Float32Array {
  const sorted = Float32Array.from(samples).sort();
  const out = new Float32Array(levels.length);
  const last = sorted.length - 1;
  if (sorted.some(Number.isNaN)) return out.fill(NaN);
  levels.forEach((level, i) => {
    const rank = Math.fround(Math.fround(level) * last);
    const below = Math.trunc(rank);
    const above = Math.ceil(rank);
    const weight = rank - below;
    const low = sorted[below]!;
    const high = sorted[above]!;
    // torch's lerp: two formulas so that weight 0 and 1 return the end points exactly.
    out[i] = weight < 0.5 ? low + weight * (high - low) : high - (high - low) * (1 - weight);
  });
  return out;
}

/**
 * The long-horizon reduction: [batch, samples, steps] -> [batch, levels, steps], taking
 * torch.quantile over the sample axis at every step.
 */
export function reduceSamples(samples: Float32Array, batch: number, numSamples: number, steps: number, levels: readonly number[]): Float32Array {
  const out = new Float32Array(batch * levels.length * steps);
  const column = new Float32Array(numSamples);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < steps; h++) {
      for (let s = 0; s < numSamples; s++) column[s] = samples[(b * numSamples + s) * steps + h]!;
      const reduced = linearQuantiles(column, levels);
      for (let q = 0; q < levels.length; q++) out[(b * levels.length + q) * steps + h] = reduced[q]!;
    }
  }
  return out;
}

function sameLevel(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-12;
}

export interface QuantileSelection {
  /** [batch][step][level], as the reference's predict_quantiles returns it. */
  quantiles: number[][][];
  /** [batch][step]: the 0.5 training quantile. */
  mean: number[][];
  /** True when some level lies outside the training levels and was clamped to the edge. */
  clamped: boolean;
}

/**
 * predict_quantiles' post-processing of predictions [batch, Q, steps] at `trainingLevels`:
 * select the requested levels when all were trained, else interpolate with torch.quantile over
 * {q_first, q_1..q_Q, q_last} (so levels beyond the trained range are clamped to the edges).
 */
export function selectQuantiles(
  predictions: Float32Array,
  batch: number,
  steps: number,
  trainingLevels: readonly number[],
  levels: readonly number[],
): QuantileSelection {
  const numTrained = trainingLevels.length;
  const indices = levels.map((level) => trainingLevels.findIndex((trained) => sameLevel(trained, level)));
  const selectable = indices.every((index) => index >= 0);
  const medianIndex = trainingLevels.findIndex((trained) => sameLevel(trained, 0.5));
  const minTrained = trainingLevels[0]!;
  const maxTrained = trainingLevels[numTrained - 1]!;
  const clamped = levels.some((level) => level < minTrained || level > maxTrained);
  const augmented = new Float32Array(numTrained + 2);
  const quantiles: number[][][] = [];
  const mean: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const rows: number[][] = [];
    const means: number[] = [];
    for (let h = 0; h < steps; h++) {
      const at = (q: number): number => predictions[(b * numTrained + q) * steps + h]!;
      if (selectable) {
        rows.push(indices.map((index) => at(index)));
      } else {
        augmented[0] = at(0);
        for (let q = 0; q < numTrained; q++) augmented[q + 1] = at(q);
        augmented[numTrained + 1] = at(numTrained - 1);
        rows.push(Array.from(linearQuantiles(augmented, levels)));
      }
      if (medianIndex >= 0) {
        means.push(at(medianIndex));
      } else {
        for (let q = 0; q < numTrained; q++) augmented[q] = at(q);
        means.push(interpolateLevel(trainingLevels, augmented.subarray(0, numTrained), 0.5));
      }
    }
    quantiles.push(rows);
    mean.push(means);
  }
  return { quantiles, mean, clamped };
}

/** Piecewise-linear value at `level` over (trainingLevels, values); only for grids without 0.5. */
function interpolateLevel(trainingLevels: readonly number[], values: Float32Array, level: number): number {
  const sorted = Float32Array.from(values).sort();
  const upper = trainingLevels.findIndex((trained) => trained > level);
  if (upper <= 0) return upper === 0 ? sorted[0]! : sorted[sorted.length - 1]!;
  const low = trainingLevels[upper - 1]!;
  const weight = (level - low) / (trainingLevels[upper]! - low);
  return Math.fround(sorted[upper - 1]! + weight * (sorted[upper]! - sorted[upper - 1]!));
}
