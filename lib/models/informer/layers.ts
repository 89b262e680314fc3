/**
 * The small building blocks every Informer module uses, on PyTorch layouts: Linear ([out, in]),
 * kernel-1 and circular kernel-3 Conv1d ([out, in, k]), LayerNorm (eps 1e-5, biased variance) and
 * the exact erf GELU. Tensors are channels-last [B, L, C].
 */
import type { ForwardContext } from './context';
import type { Tensor } from './tf';

/** y = x W^T + b over the last axis, for x of any rank. */
export function linear(context: ForwardContext, x: Tensor, prefix: string): Tensor {
  const { tf } = context;
  const weight = context.param(`${prefix}.weight`);
  const outputs = weight.shape[0]!;
  const inputs = weight.shape[weight.shape.length === 3 ? 1 : 1]!;
  const kernel = weight.rank === 3 ? tf.reshape(weight, [outputs, inputs]) : weight;
  const flat = tf.reshape(x, [-1, inputs]);
  const y = tf.add(tf.matMul(flat, kernel, false, true), context.param(`${prefix}.bias`));
  return tf.reshape(y, [...x.shape.slice(0, -1), outputs]);
}

/** Conv1d(k=3, padding 1, circular, bias) along time: out[t] = W0 x[t-1] + W1 x[t] + W2 x[t+1] + b, indices mod L. */
export function circularConv3(context: ForwardContext, x: Tensor, prefix: string): Tensor {
  const { tf } = context;
  const length = x.shape[1]!;
  const padded = tf.concat([tf.slice(x, [0, length - 1, 0], [-1, 1, -1]), x, tf.slice(x, [0, 0, 0], [-1, 1, -1])], 1);
  // PyTorch [out, in, k] -> tf.conv1d filter [k, in, out].
  const filter = tf.transpose(context.param(`${prefix}.weight`), [2, 1, 0]);
  return tf.add(tf.conv1d(padded as never, filter as never, 1, 'valid'), context.param(`${prefix}.bias`));
}

export function layerNorm(context: ForwardContext, x: Tensor, prefix: string): Tensor {
  const { tf } = context;
  const axis = x.rank - 1;
  const { mean, variance } = tf.moments(x, axis, true);
  const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5)));
  return tf.add(tf.mul(normalised, context.param(`${prefix}.weight`)), context.param(`${prefix}.bias`));
}

/** F.gelu (exact): 0.5 x (1 + erf(x / sqrt 2)); or ReLU. */
export function activation(context: ForwardContext, x: Tensor, kind: 'gelu' | 'relu'): Tensor {
  const { tf } = context;
  if (kind === 'relu') return tf.relu(x);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}
