/**
 * FullAttention: softmax(q k^T / sqrt(d_head)) v with an optional causal mask (positions s > l
 * masked) and dropout on the attention weights. Inputs and output are [B, L, H, d_head].
 */
import { dropout, type ForwardContext } from './context';
import type { Tensor } from './tf';

/** Large enough that exp(x - max) is exactly 0 in float32, finite so every backend agrees. */
export const MASKED = -1e30;

export function fullAttention(context: ForwardContext, queries: Tensor, keys: Tensor, values: Tensor, causal: boolean): Tensor {
  const { tf } = context;
  const headSize = queries.shape[3]!;
  const q = tf.transpose(queries, [0, 2, 1, 3]);
  const k = tf.transpose(keys, [0, 2, 1, 3]);
  const v = tf.transpose(values, [0, 2, 1, 3]);
  let scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headSize));
  if (causal) {
    const queryLength = q.shape[2]!;
    const keyLength = k.shape[2]!;
    const above = tf.greater(tf.reshape(tf.range(0, keyLength, 1, 'int32'), [1, keyLength]), tf.reshape(tf.range(0, queryLength, 1, 'int32'), [queryLength, 1]));
    scores = tf.where(tf.broadcastTo(above, scores.shape), tf.fill(scores.shape, MASKED), scores);
  }
  const weights = dropout(context, tf.softmax(scores, -1));
  return tf.transpose(tf.matMul(weights, v), [0, 2, 1, 3]);
}
