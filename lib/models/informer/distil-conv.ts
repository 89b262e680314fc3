/**
 * The distilling ConvLayer between encoder layers: circular Conv1d k=3, BatchNorm1d (running stats
 * in eval, batch stats over (B, L) in training), ELU, MaxPool1d(3, stride 2, padding 1) whose
 * padding acts as -inf. Halves the length: floor((L - 1) / 2) + 1.
 */
import { record, type ForwardContext } from './context';
import { MASKED } from './full-attention';
import { circularConv3 } from './layers';
import type { Tensor } from './tf';

export const BATCH_NORM_EPSILON = 1e-5;
export const BATCH_NORM_MOMENTUM = 0.1;

/** Batch statistics a training step produced, for the trainer to fold into the running stats. */
export interface BatchNormUpdate {
  prefix: string;
  mean: Tensor;
  /** Unbiased variance, as torch uses for running_var. */
  variance: Tensor;
}

export function distilConv(context: ForwardContext, x: Tensor, prefix: string, updates?: BatchNormUpdate[]): Tensor {
  const { tf } = context;
  const channelsFirst = (t: Tensor) => tf.transpose(t, [0, 2, 1]);
  const conv = circularConv3(context, x, `${prefix}.downConv`);
  record(context, `${prefix}.downConv`, channelsFirst(conv));
  let mean: Tensor;
  let variance: Tensor;
  if (context.training) {
    const moments = tf.moments(conv, [0, 1]);
    mean = moments.mean;
    variance = moments.variance;
    if (updates !== undefined) {
      const count = conv.shape[0]! * conv.shape[1]!;
      updates.push({ prefix: `${prefix}.norm`, mean: tf.keep(tf.clone(mean)), variance: tf.keep(tf.mul(variance, count / Math.max(1, count - 1))) });
    }
  } else {
    mean = context.param(`${prefix}.norm.running_mean`);
    variance = context.param(`${prefix}.norm.running_var`);
  }
  const normalised = tf.add(
    tf.mul(tf.mul(tf.sub(conv, mean), tf.rsqrt(tf.add(variance, BATCH_NORM_EPSILON))), context.param(`${prefix}.norm.weight`)),
    context.param(`${prefix}.norm.bias`),
  );
  record(context, `${prefix}.norm`, channelsFirst(normalised));
  const activated = tf.elu(normalised);
  record(context, `${prefix}.activation`, channelsFirst(activated));
  const [batch, , channels] = activated.shape as [number, number, number];
  const edge = tf.fill([batch, 1, channels], MASKED);
  const padded = tf.concat([edge, activated, edge], 1);
  const pooled = tf.squeeze(tf.maxPool(tf.expandDims(padded, 2) as never, [3, 1], [2, 1], 'valid'), [2]);
  record(context, `${prefix}.maxPool`, channelsFirst(pooled));
  record(context, prefix, pooled);
  return pooled;
}
