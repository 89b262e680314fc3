/**
 * AttentionLayer: q/k/v projections split into heads, the inner attention (ProbSparse or full),
 * the optional `mix` transpose (the decoder self-attention's head-major reinterpretation), and the
 * output projection.
 */
import { record, type ForwardContext } from './context';
import { fullAttention } from './full-attention';
import { linear } from './layers';
import { probAttention } from './prob-attention';
import type { Tensor } from './tf';

export interface AttentionSpec {
  kind: 'prob' | 'full';
  causal: boolean;
  mix: boolean;
  heads: number;
  factor: number;
}

export function attentionLayer(context: ForwardContext, prefix: string, queriesIn: Tensor, keysIn: Tensor, spec: AttentionSpec): Tensor {
  const { tf } = context;
  const [batch, queryLength, dModel] = queriesIn.shape as [number, number, number];
  const keyLength = keysIn.shape[1]!;
  const headSize = dModel / spec.heads;
  const q = tf.reshape(linear(context, queriesIn, `${prefix}.query_projection`), [batch, queryLength, spec.heads, headSize]);
  const k = tf.reshape(linear(context, keysIn, `${prefix}.key_projection`), [batch, keyLength, spec.heads, headSize]);
  const v = tf.reshape(linear(context, keysIn, `${prefix}.value_projection`), [batch, keyLength, spec.heads, headSize]);
  const inner = spec.kind === 'prob'
    ? probAttention(context, `${prefix}.inner_attention`, q, k, v, spec.causal, spec.factor)
    : fullAttention(context, q, k, v, spec.causal);
  record(context, `${prefix}.inner_attention`, inner);
  // mix: out.transpose(2,1).contiguous().view(B, L, -1) reads the [H, L, d_head] block row-major.
  const merged = spec.mix
    ? tf.reshape(tf.transpose(inner, [0, 2, 1, 3]), [batch, queryLength, dModel])
    : tf.reshape(inner, [batch, queryLength, dModel]);
  const out = linear(context, merged, `${prefix}.out_projection`);
  record(context, prefix, out);
  return out;
}
