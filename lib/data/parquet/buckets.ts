import type { Frequency } from '@/lib/core/frequency';
import type { Aggregation } from '@/lib/data/window-request';

/**
 * Downsampling rows into fixed-duration buckets, the way the SQL path does it: bucket starts are
 * counted from Monday 2000-01-03 UTC (date_bin's and time_bucket's origin), a bucket's value is
 * the avg, min, max or last (newest) non-null value of its rows, NaN when it has none.
 */

export const BUCKET_ORIGIN_MS = Date.UTC(2000, 0, 3);

const UNIT_MS: Partial<Record<Frequency['unit'], number>> = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 };

export function bucketMilliseconds(frequency: Frequency): number {
  const unit = UNIT_MS[frequency.unit];
  if (unit === undefined) throw new RangeError(`bucket ${frequency.label} is a calendar step, not a fixed duration`);
  return frequency.step * unit;
}

export function bucketStart(timestampMs: number, bucketMs: number): number {
  return BUCKET_ORIGIN_MS + Math.floor((timestampMs - BUCKET_ORIGIN_MS) / bucketMs) * bucketMs;
}

interface BucketState {
  sum: Float64Array;
  count: Float64Array;
  min: Float64Array;
  max: Float64Array;
  lastTs: Float64Array;
  last: Float64Array;
}

/** Buckets filled row by row, in any order of rows. */
export class BucketAccumulator {
  private readonly buckets = new Map<number, BucketState>();

  constructor(
    private readonly bucketMs: number,
    private readonly valueColumns: number,
  ) {}

  get size(): number {
    return this.buckets.size;
  }

  add(timestampsMs: Float64Array, values: readonly Float64Array[]): void {
    for (let row = 0; row < timestampsMs.length; row++) {
      const ts = timestampsMs[row]!;
      const key = bucketStart(ts, this.bucketMs);
      let state = this.buckets.get(key);
      if (!state) {
        state = {
          sum: new Float64Array(this.valueColumns),
          count: new Float64Array(this.valueColumns),
          min: new Float64Array(this.valueColumns).fill(Number.POSITIVE_INFINITY),
          max: new Float64Array(this.valueColumns).fill(Number.NEGATIVE_INFINITY),
          lastTs: new Float64Array(this.valueColumns).fill(Number.NEGATIVE_INFINITY),
          last: new Float64Array(this.valueColumns).fill(Number.NaN),
        };
        this.buckets.set(key, state);
      }
      for (let column = 0; column < this.valueColumns; column++) {
        const value = values[column]![row]!;
        if (Number.isNaN(value)) continue;
        state.sum[column]! += value;
        state.count[column]! += 1;
        if (value < state.min[column]!) state.min[column] = value;
        if (value > state.max[column]!) state.max[column] = value;
        if (ts >= state.lastTs[column]!) {
          state.lastTs[column] = ts;
          state.last[column] = value;
        }
      }
    }
  }

  /** The start of the `limit`-th newest bucket (-Infinity while there are fewer). */
  newestStart(limit: number): number {
    const keys = [...this.buckets.keys()].sort((a, b) => b - a);
    return keys[limit - 1] ?? Number.NEGATIVE_INFINITY;
  }

  /** The newest `limit` buckets, oldest first. */
  window(limit: number, agg: Aggregation): { timestampsMs: Float64Array; values: Float64Array[] } {
    const keys = [...this.buckets.keys()].sort((a, b) => a - b).slice(-limit);
    const values = Array.from({ length: this.valueColumns }, () => new Float64Array(keys.length));
    keys.forEach((key, row) => {
      const state = this.buckets.get(key)!;
      for (let column = 0; column < this.valueColumns; column++) {
        const count = state.count[column]!;
        values[column]![row] =
          count === 0
            ? Number.NaN
            : agg === 'avg'
              ? state.sum[column]! / count
              : agg === 'min'
                ? state.min[column]!
                : agg === 'max'
                  ? state.max[column]!
                  : state.last[column]!;
      }
    });
    return { timestampsMs: Float64Array.from(keys), values };
  }
}
