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

/**
 * Conv1d(k=3, padding 1, circular, bias) along time: out[t] = W0 x[t-1] + W1 x[t] + W2 x[t+1] + b,
 * indices mod L. As one matmul over [x[t-1], x[t], x[t+1]] (im2col) rather than tf.conv1d, whose
 * filter gradient (Conv2DBackpropFilter) tfjs-backend-wasm 4.22 lacks.
 */
export function circularConv3(context: ForwardContext, x: Tensor, prefix: string): Tensor {
  const { tf } = context;
  const [batch, length, channels] = x.shape as [number, number, number];
  const previous = tf.concat([tf.slice(x, [0, length - 1, 0], [-1, 1, -1]), tf.slice(x, [0, 0, 0], [-1, length - 1, -1])], 1);
  const next = tf.concat([tf.slice(x, [0, 1, 0], [-1, length - 1, -1]), tf.slice(x, [0, 0, 0], [-1, 1, -1])], 1);
  const columns = tf.reshape(tf.concat([previous, x, next], 2), [batch * length, 3 * channels]);
  const weight = context.param(`${prefix}.weight`); // [out, in, 3]
  const outputs = weight.shape[0]!;
  const kernel = tf.reshape(tf.transpose(weight, [0, 2, 1]), [outputs, 3 * channels]);
  const y = tf.add(tf.matMul(columns, kernel, false, true), context.param(`${prefix}.bias`));
  return tf.reshape(y, [batch, length, outputs]);
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
