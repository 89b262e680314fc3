import { LookaheadError } from '@/lib/core/errors';

/**
 * Chronos-Bolt's input side, in float32 as the reference computes it: left NaN padding of a batch
 * to one length, truncation to the context length, NaN-aware instance normalisation, and patching
 * into [values, observed mask] features.
 */

/** A batch of contexts, row-major [batch, length]; NaN marks a missing value. */
export interface ContextBatch {
  values: Float32Array;
  batch: number;
  length: number;
}

/** Per-row normalisation: normalised = (x - loc) / scale. */
export interface InstanceNorm {
  normalized: Float32Array;
  loc: Float32Array;
  scale: Float32Array;
}

/** The model's input: features [batch, numPatches, 2 * patchSize] and patch mask [batch, numPatches]. */
export interface PatchedBatch {
  patches: Float32Array;
  patchMask: Float32Array;
  batch: number;
  numPatches: number;
}

/** The reference's scale floor when a series is constant (chronos-forecasting >= 1.5.1). */
export const MIN_SCALE = Math.fround(1e-5);

/**
 * Stacks series into [batch, length]: shorter series are NaN-padded on the left to the longest
 * length (like the reference's left_pad_and_stack_1D), then every row keeps its last
 * `contextLength` values. Values are rounded to float32.
 */
export function stackContexts(series: readonly ArrayLike<number>[], contextLength: number): ContextBatch {
  if (series.length === 0) throw new LookaheadError('chronos-bolt', 'bad_input', 'no series given; pass at least one series');
  const longest = series.reduce((most, row) => Math.max(most, row.length), 0);
  if (longest === 0) throw new LookaheadError('chronos-bolt', 'bad_input', `all ${series.length} series are empty; each needs at least one value`);
  const length = Math.min(longest, contextLength);
  const values = new Float32Array(series.length * length);
  series.forEach((row, b) => {
    const padded = longest - row.length;
    for (let t = 0; t < length; t++) {
      const source = longest - length + t - padded;
      values[b * length + t] = source >= 0 ? row[source]! : NaN;
    }
  });
  return { values, batch: series.length, length };
}

/**
 * InstanceNorm of chronos_bolt.py in float32: loc = nanmean (0 when all NaN), scale = population
 * std over observed values (1 when all NaN, MIN_SCALE when 0). NaN stays NaN.
 */
export function instanceNorm(context: ContextBatch): InstanceNorm {
  const { values, batch, length } = context;
  const f = Math.fround;
  const normalized = new Float32Array(values.length);
  const loc = new Float32Array(batch);
  const scale = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    const row = values.subarray(b * length, (b + 1) * length);
    // Sums are accumulated in float64 and rounded once: torch's cascade float32 sum is within an ulp of that.
    let sum = 0;
    let count = 0;
    for (const value of row) {
      if (!Number.isNaN(value)) {
        sum += value;
        count++;
      }
    }
    const mean = count > 0 ? f(f(sum) / count) : 0;
    let squares = 0;
    for (const value of row) {
      if (!Number.isNaN(value)) {
        const deviation = f(value - mean);
        squares += f(deviation * deviation);
      }
    }
    let std = count > 0 ? f(Math.sqrt(f(f(squares) / count))) : 1;
    if (std === 0) std = MIN_SCALE;
    loc[b] = mean;
    scale[b] = std;
    for (let t = 0; t < length; t++) normalized[b * length + t] = f(row[t]! - mean) / std;
  }
  return { normalized, loc, scale };
}

/**
 * Left-pads each row with NaN to a multiple of `patchSize`, splits it into patches and builds
 * [values (NaN -> 0), observed mask] features; a patch is attended when any value is observed.
 */
export function patchContext(normalized: Float32Array, batch: number, length: number, patchSize: number): PatchedBatch {
  const numPatches = Math.ceil(length / patchSize);
  const padding = numPatches * patchSize - length;
  const features = 2 * patchSize;
  const patches = new Float32Array(batch * numPatches * features);
  const patchMask = new Float32Array(batch * numPatches);
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < numPatches; p++) {
      const base = (b * numPatches + p) * features;
      let observed = 0;
      for (let k = 0; k < patchSize; k++) {
        const t = p * patchSize + k - padding;
        const value = t >= 0 ? normalized[b * length + t]! : NaN;
        if (!Number.isNaN(value)) {
          patches[base + k] = value;
          patches[base + patchSize + k] = 1;
          observed = 1;
        }
      }
      patchMask[b * numPatches + p] = observed;
    }
  }
  return { patches, patchMask, batch, numPatches };
}
