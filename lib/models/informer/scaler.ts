/**
 * utils.tools.StandardScaler: mean and population std (ddof 0) per column in float64, fitted on the
 * train rows only; transform (x - mean) / std; inverse y * std + mean (last columns when the model
 * predicts fewer channels than it reads).
 */
import { LookaheadError } from '@/lib/core/errors';

export interface StandardScaler {
  mean: number[];
  std: number[];
}

/** rows: row-major [rowCount, columns]. Fits on rows [start, end). */
export function fitScaler(rows: ArrayLike<number>, columns: number, start: number, end: number): StandardScaler {
  const count = end - start;
  if (count < 1) throw new LookaheadError('informer', 'bad_input', `scaler: the fit range [${start}, ${end}) is empty`);
  const mean = new Array<number>(columns).fill(0);
  const squares = new Array<number>(columns).fill(0);
  for (let row = start; row < end; row++) for (let c = 0; c < columns; c++) mean[c]! += rows[row * columns + c]!;
  for (let c = 0; c < columns; c++) mean[c]! /= count;
  for (let row = start; row < end; row++) {
    for (let c = 0; c < columns; c++) {
      const d = rows[row * columns + c]! - mean[c]!;
      squares[c]! += d * d;
    }
  }
  const std = squares.map((s, c) => {
    const value = Math.sqrt(s / count);
    // A constant column would divide by zero; the reference does (and yields NaN). We keep it finite.
    if (!Number.isFinite(mean[c]!)) throw new LookaheadError('informer', 'bad_input', `scaler: column ${c} has non-finite values in the fit range`);
    return value > 0 ? value : 1;
  });
  return { mean, std };
}

export function transform(scaler: StandardScaler, rows: ArrayLike<number>, columns: number): Float32Array {
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const c = i % columns;
    out[i] = (rows[i]! - scaler.mean[c]!) / scaler.std[c]!;
  }
  return out;
}

/** y [.., outputs] -> original units; uses the scaler's last `outputs` columns. */
export function inverseTransform(scaler: StandardScaler, values: ArrayLike<number>, outputs: number): Float64Array {
  const offset = scaler.mean.length - outputs;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = offset + (i % outputs);
    out[i] = values[i]! * scaler.std[c]! + scaler.mean[c]!;
  }
  return out;
}
