/**
 * ProbSparse self-attention (ProbAttention in models/attn.py): sample U_part keys per query (one
 * draw per call, shared by batch and heads), measure each query's sparsity
 * M = max(QK_sample) - sum(QK_sample) / L_K, attend fully with the top-u queries only, and give
 * the other ("lazy") queries mean(V) in the encoder or cumsum(V) under the decoder's causal mask.
 * No dropout (the reference never applies it). Inputs and output are [B, L, H, d_head].
 */
import type { ForwardContext } from './context';
import { MASKED } from './full-attention';
import type { Tensor } from './tf';

/** c * ceil(ln length), capped at length. */
export function probSparseCount(factor: number, length: number): number {
  return Math.min(factor * Math.ceil(Math.log(length)), length);
}

export function probAttention(context: ForwardContext, module: string, queries: Tensor, keys: Tensor, values: Tensor, causal: boolean, factor: number): Tensor {
  const { tf } = context;
  const [batch, queryLength, heads, headSize] = queries.shape as [number, number, number, number];
  const keyLength = keys.shape[1]!;
  if (causal && queryLength !== keyLength) {
    throw new Error(`informer: masked ProbAttention needs L_Q == L_K, got ${queryLength} and ${keyLength}`);
  }
  const q = tf.transpose(queries, [0, 2, 1, 3]);
  const k = tf.transpose(keys, [0, 2, 1, 3]);
  const v = tf.transpose(values, [0, 2, 1, 3]);
  const samples = probSparseCount(factor, keyLength);
  const top = probSparseCount(factor, queryLength);

  const draw = context.sampler(queryLength, keyLength, samples);
  const sampleIndex = tf.tensor1d(draw, 'int32');
  // QK_sample[b,h,i,s] = q[b,h,i] . k[b,h,index[i,s]] (unscaled).
  const sampledKeys = tf.reshape(tf.gather(k, sampleIndex, 2), [batch, heads, queryLength, samples, headSize]);
  const sampledScores = tf.sum(tf.mul(tf.expandDims(q, 3), sampledKeys), -1);
  const measure = tf.sub(tf.max(sampledScores, -1), tf.div(tf.sum(sampledScores, -1), keyLength));

  // The selection is discrete: rebuilt from its values so the gradient tape does not reach topk.
  const chosen = tf.topk(measure, top, false).indices;
  let selected = tf.tensor(chosen.dataSync(), chosen.shape, 'int32');
  const forced = context.observers.selection?.({ module, queryLength, keyLength, samples, top, measure, selected });
  if (forced !== undefined) selected = forced;

  // Gather the chosen queries through flat [B*H*L_Q] row indices (differentiable everywhere).
  const rowOffsets = tf.tensor3d(Int32Array.from({ length: batch * heads }, (_, row) => row * queryLength), [batch, heads, 1], 'int32');
  const flatRows = tf.reshape(tf.add(selected, rowOffsets), [-1]);
  const reducedQueries = tf.reshape(tf.gather(tf.reshape(q, [batch * heads * queryLength, headSize]), flatRows), [batch, heads, top, headSize]);
  let scores = tf.mul(tf.matMul(reducedQueries, k, false, true), 1 / Math.sqrt(headSize));

  const initial = causal
    // Cumsum along the last axis: tfjs 4.22's Cumsum gradient mis-shapes other axes.
    ? tf.transpose(tf.cumsum(tf.transpose(v, [0, 1, 3, 2]), 3), [0, 1, 3, 2])
    : tf.broadcastTo(tf.mean(v, 2, true), [batch, heads, queryLength, headSize]);

  if (causal) {
    // ProbMask: the selected query at original position t sees keys 0..t.
    const keyPositions = tf.reshape(tf.range(0, keyLength, 1, 'int32'), [1, 1, 1, keyLength]);
    const masked = tf.greater(keyPositions, tf.expandDims(selected, 3));
    scores = tf.where(masked, tf.fill(scores.shape, MASKED), scores);
  }
  const weights = tf.softmax(scores, -1);
  const updates = tf.matMul(weights, v); // [B,H,u,D]

  // Scatter the updates into the lazy context with a one-hot [B,H,u,L_Q] matrix: the top-u indices
  // are distinct, so every product is by exactly 1 or 0 and the result equals a row assignment.
  const oneHot = tf.cast(tf.oneHot(selected, queryLength), 'float32');
  const keep = tf.sub(1, tf.sum(oneHot, 2)); // [B,H,L_Q]: 1 for lazy rows, 0 for updated ones
  const context_ = tf.add(tf.mul(initial, tf.expandDims(keep, 3)), tf.matMul(oneHot, updates, true, false));
  return tf.transpose(context_, [0, 2, 1, 3]);
}
