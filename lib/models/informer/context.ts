/**
 * What every layer's forward function receives: the injected tf namespace, the parameters by their
 * PyTorch state_dict names, train/eval mode with seeded dropout, the ProbSparse key sampler, and
 * optional observers the golden tests use to read intermediates and the top-u selection.
 */
import type { KeySampler } from './sampler';
import type { Tensor, Tf } from './tf';

export interface ProbSelection {
  /** Module path, e.g. "encoder.attn_layers.0.attention.inner_attention". */
  module: string;
  queryLength: number;
  keyLength: number;
  samples: number;
  top: number;
  /** Sparsity measure [B,H,L_Q] and the chosen queries [B,H,u] (int32). Owned by the callee: clone to keep. */
  measure: Tensor;
  selected: Tensor;
}

export interface ForwardObservers {
  /** Called with each named intermediate (PyTorch module path); clone to keep it past the forward pass. */
  record?(name: string, value: Tensor): void;
  /** Called after each ProbAttention selection. May return indices [B,H,u] to use instead (forcing a recorded selection). */
  selection?(selection: ProbSelection): Tensor | undefined;
}

export interface ForwardContext {
  tf: Tf;
  param(name: string): Tensor;
  training: boolean;
  /** Dropout rate for the model's dropout layers (only applied when training). */
  dropoutRate: number;
  /** Next dropout seed (deterministic per run when the trainer seeds it). */
  nextSeed(): number;
  sampler: KeySampler;
  observers: ForwardObservers;
}

export function dropout(context: ForwardContext, x: Tensor): Tensor {
  if (!context.training || context.dropoutRate === 0) return x;
  return context.tf.dropout(x, context.dropoutRate, undefined, context.nextSeed());
}

export function record(context: ForwardContext, name: string, value: Tensor): void {
  context.observers.record?.(name, value);
}
