/**
 * Decoder: post-norm DecoderLayers (masked self-attention with the `mix` transpose, full
 * cross-attention on the encoder output, kernel-1 conv feed-forward), then a final LayerNorm.
 */
import type { InformerConfig } from './config';
import { dropout, record, type ForwardContext } from './context';
import { attentionLayer } from './attention-layer';
import { feedForward } from './encoder';
import { layerNorm } from './layers';
import type { Tensor } from './tf';

export function decoder(context: ForwardContext, config: InformerConfig, embedded: Tensor, memory: Tensor): Tensor {
  const { tf } = context;
  let x = embedded;
  for (let layer = 0; layer < config.decoderLayers; layer++) {
    const prefix = `decoder.layers.${layer}`;
    const self = attentionLayer(context, `${prefix}.self_attention`, x, x, {
      kind: config.attention, causal: true, mix: config.mix, heads: config.heads, factor: config.factor,
    });
    x = layerNorm(context, tf.add(x, dropout(context, self)), `${prefix}.norm1`);
    const cross = attentionLayer(context, `${prefix}.cross_attention`, x, memory, {
      kind: 'full', causal: false, mix: false, heads: config.heads, factor: config.factor,
    });
    x = layerNorm(context, tf.add(x, dropout(context, cross)), `${prefix}.norm2`);
    x = layerNorm(context, tf.add(x, feedForward(context, config, x, prefix)), `${prefix}.norm3`);
    record(context, prefix, x);
  }
  const out = layerNorm(context, x, 'decoder.norm');
  record(context, 'decoder.norm', out);
  return out;
}
