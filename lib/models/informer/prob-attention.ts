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

/**
 * One-hot [B,H,u,L_Q] of each row's u largest entries, ordered by position. Built from topk's
 * values (the u-th largest as a threshold), not its indices: tfjs-webgpu 4.22 hands topk's index
 * buffer to the next GPU op with wrong contents (its read-back is right), seen on SwiftShader.
 * A tie at the threshold would select extra queries; only the first u by position are used.
 */
function topOneHot(context: ForwardContext, measure: Tensor, top: number): Tensor {
  const { tf } = context;
  const threshold = tf.min(tf.topk(measure, top, false).values, -1, true);
  const mask = tf.cast(tf.greaterEqual(measure, threshold), 'float32'); // [B,H,L_Q]
  const rank = tf.sub(tf.cumsum(mask, 2), 1); // position among the selected, exact in float32
  const slots = tf.reshape(tf.range(0, top, 1, 'float32'), [1, 1, top, 1]);
  return tf.mul(tf.cast(tf.equal(tf.expandDims(rank, 2), slots), 'float32'), tf.expandDims(mask, 2));
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
  // The measure M only decides the (discrete) top-u choice, so its gradient is zero: it is computed
  // inside a custom-gradient op whose forward is not taped, returning the choice as a one-hot
  // matrix [B,H,u,L_Q]. (No gather on the tape either: its gradient kernel is missing on wasm.)
  const pick = tf.customGrad(((queriesIn: Tensor, keysIn: Tensor) => {
    const sampleIndex = tf.tensor1d(draw, 'int32');
    // QK_sample[b,h,i,s] = q[b,h,i] . k[b,h,index[i,s]] (unscaled).
    const sampledKeys = tf.reshape(tf.gather(keysIn, sampleIndex, 2), [batch, heads, queryLength, samples, headSize]);
    const sampledScores = tf.sum(tf.mul(tf.expandDims(queriesIn, 3), sampledKeys), -1);
    const measure = tf.sub(tf.max(sampledScores, -1), tf.div(tf.sum(sampledScores, -1), keyLength));
    const topIndices = tf.topk(measure, top, false).indices;
    const forced = context.observers.selection?.({ module, queryLength, keyLength, samples, top, measure, selected: topIndices });
    return {
      value: forced !== undefined ? tf.cast(tf.oneHot(forced, queryLength), 'float32') : topOneHot(context, measure, top),
      gradFunc: () => [tf.zerosLike(queriesIn), tf.zerosLike(keysIn)],
    };
  }) as never) as (queriesIn: Tensor, keysIn: Tensor) => Tensor;
  const selection = pick(q, k); // [B,H,u,L_Q]

  const reducedQueries = tf.matMul(selection, q); // [B,H,u,D]
  let scores = tf.mul(tf.matMul(reducedQueries, k, false, true), 1 / Math.sqrt(headSize));

  const initial = causal
    // Cumsum along the last axis: tfjs 4.22's Cumsum gradient mis-shapes other axes.
    ? tf.transpose(tf.cumsum(tf.transpose(v, [0, 1, 3, 2]), 3), [0, 1, 3, 2])
    : tf.broadcastTo(tf.mean(v, 2, true), [batch, heads, queryLength, headSize]);

  if (causal) {
    // ProbMask: the selected query at original position t sees keys 0..t. allowed = selection @ A
    // with A[l, k] = [k <= l]; masked scores become MASKED exactly (s * 0 + 1 * MASKED).
    const lower = tf.linalg.bandPart(tf.ones([queryLength, keyLength]), -1, 0);
    const allowed = tf.matMul(selection, lower);
    scores = tf.add(tf.mul(scores, allowed), tf.mul(tf.sub(1, allowed), MASKED));
  }
  const weights = tf.softmax(scores, -1);
  const updates = tf.matMul(weights, v); // [B,H,u,D]

  // Scatter the updates into the lazy context: the top-u indices are distinct, so each row gets
  // exactly one update or keeps its initial value.
  const keep = tf.sub(1, tf.sum(selection, 2)); // [B,H,L_Q]
  const context_ = tf.add(tf.mul(initial, tf.expandDims(keep, 3)), tf.matMul(selection, updates, true, false));
  return tf.transpose(context_, [0, 2, 1, 3]);
}
