/**
 * Encoder: post-norm EncoderLayers (self-attention, then a kernel-1 conv feed-forward), with a
 * distilling ConvLayer after every layer but the last when distil is on, then a final LayerNorm.
 */
import type { InformerConfig } from './config';
import { dropout, record, type ForwardContext } from './context';
import { attentionLayer } from './attention-layer';
import { distilConv, type BatchNormUpdate } from './distil-conv';
import { activation, layerNorm, linear } from './layers';
import type { Tensor } from './tf';

export function feedForward(context: ForwardContext, config: InformerConfig, x: Tensor, prefix: string): Tensor {
  const hidden = dropout(context, activation(context, linear(context, x, `${prefix}.conv1`), config.activation));
  return dropout(context, linear(context, hidden, `${prefix}.conv2`));
}

function encoderLayer(context: ForwardContext, config: InformerConfig, x: Tensor, prefix: string): Tensor {
  const { tf } = context;
  const attended = attentionLayer(context, `${prefix}.attention`, x, x, {
    kind: config.attention, causal: false, mix: false, heads: config.heads, factor: config.factor,
  });
  const normed = layerNorm(context, tf.add(x, dropout(context, attended)), `${prefix}.norm1`);
  const out = layerNorm(context, tf.add(normed, feedForward(context, config, normed, prefix)), `${prefix}.norm2`);
  record(context, prefix, out);
  return out;
}

export function encoder(context: ForwardContext, config: InformerConfig, embedded: Tensor, batchNormUpdates?: BatchNormUpdate[]): Tensor {
  let x = embedded;
  for (let layer = 0; layer < config.encoderLayers; layer++) {
    x = encoderLayer(context, config, x, `encoder.attn_layers.${layer}`);
    if (config.distil && layer < config.encoderLayers - 1) x = distilConv(context, x, `encoder.conv_layers.${layer}`, batchNormUpdates);
  }
  const out = layerNorm(context, x, 'encoder.norm');
  record(context, 'encoder.norm', out);
  return out;
}
