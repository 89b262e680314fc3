/**
 * Sliding windows over a scaled series (Dataset.__getitem__ plus _process_one_batch): window i
 * reads contextLength rows from i, the decoder gets the last labelLength of them plus horizon
 * zeros, with the real time marks of all those steps, and the target is the next horizon rows.
 */
import { LookaheadError } from '@/lib/core/errors';
import type { InformerConfig } from './config';
import { markColumns } from './config';
import type { InformerInputs } from './model';
import type { Tensor, Tf } from './tf';

export interface SeriesSplit {
  /** Scaled values, row-major [rows, channels]. */
  values: Float32Array;
  /** Time marks, row-major [rows, markColumns]. */
  marks: Float32Array;
  channels: number;
  rows: number;
}

export function sliceSplit(values: Float32Array, marks: Float32Array, channels: number, markCount: number, [start, end]: [number, number]): SeriesSplit {
  return { values: values.subarray(start * channels, end * channels), marks: marks.subarray(start * markCount, end * markCount), channels, rows: end - start };
}

export function windowCount(split: SeriesSplit, config: InformerConfig): number {
  return Math.max(0, split.rows - config.contextLength - config.horizon + 1);
}

export interface Batch {
  inputs: InformerInputs;
  /** [B, horizon, outputs] scaled targets. */
  target: Tensor;
  dispose(): void;
}

/** Builds one batch from window starts. The last `outputs` channels are the targets. */
export function makeBatch(tf: Tf, split: SeriesSplit, config: InformerConfig, starts: readonly number[]): Batch {
  const { contextLength: L, labelLength, horizon } = config;
  const C = split.channels;
  const M = markColumns(config.frequency);
  const decoderLength = labelLength + horizon;
  if (config.encoderInputs !== C || config.decoderInputs !== C) {
    throw new LookaheadError('informer', 'bad_input', `the data has ${C} channels, the model reads ${config.encoderInputs}`);
  }
  const B = starts.length;
  const encoderValues = new Float32Array(B * L * C);
  const encoderMarks = new Float32Array(B * L * M);
  const decoderValues = new Float32Array(B * decoderLength * C);
  const decoderMarks = new Float32Array(B * decoderLength * M);
  const target = new Float32Array(B * horizon * config.outputs);
  starts.forEach((start, b) => {
    if (start < 0 || start + L + horizon > split.rows) throw new LookaheadError('informer', 'bad_input', `window start ${start} is outside [0, ${split.rows - L - horizon}]`);
    encoderValues.set(split.values.subarray(start * C, (start + L) * C), b * L * C);
    encoderMarks.set(split.marks.subarray(start * M, (start + L) * M), b * L * M);
    const decoderStart = start + L - labelLength;
    decoderValues.set(split.values.subarray(decoderStart * C, (start + L) * C), b * decoderLength * C);
    decoderMarks.set(split.marks.subarray(decoderStart * M, (decoderStart + decoderLength) * M), b * decoderLength * M);
    for (let t = 0; t < horizon; t++) {
      for (let o = 0; o < config.outputs; o++) target[(b * horizon + t) * config.outputs + o] = split.values[(start + L + t) * C + C - config.outputs + o]!;
    }
  });
  const tensors = {
    encoderValues: tf.tensor3d(encoderValues, [B, L, C]),
    encoderMarks: tf.tensor3d(encoderMarks, [B, L, M]),
    decoderValues: tf.tensor3d(decoderValues, [B, decoderLength, C]),
    decoderMarks: tf.tensor3d(decoderMarks, [B, decoderLength, M]),
  };
  const targetTensor = tf.tensor3d(target, [B, horizon, config.outputs]);
  return { inputs: tensors, target: targetTensor, dispose: () => { for (const t of [...Object.values(tensors), targetTensor]) t.dispose(); } };
}
