/**
 * Adam as torch.optim.Adam computes it (bias corrections folded into the step size, eps added to
 * the corrected sqrt(v)), with global gradient-norm clipping like clip_grad_norm_. The moments live
 * in tf variables so a checkpoint can read and restore them.
 */
import type { Tensor, Tf, Variable } from './tf';

export interface AdamState {
  step: number;
  /** Per parameter name: first and second moments. */
  moments: Map<string, { m: Variable; v: Variable }>;
}

export const ADAM_BETAS = [0.9, 0.999] as const;
export const ADAM_EPSILON = 1e-8;

export function createAdam(tf: Tf, parameters: Map<string, Variable>): AdamState {
  const moments = new Map<string, { m: Variable; v: Variable }>();
  for (const [name, parameter] of parameters) {
    moments.set(name, tf.tidy(() => ({ m: tf.variable(tf.zerosLike(parameter), false), v: tf.variable(tf.zerosLike(parameter), false) })));
  }
  return { step: 0, moments };
}

/** sqrt(sum of squares) over every gradient. */
export async function globalNorm(tf: Tf, gradients: Record<string, Tensor>): Promise<number> {
  const total = tf.tidy(() => tf.addN(Object.values(gradients).map((g) => tf.sum(tf.square(g)))));
  const value = (await total.data())[0]!;
  total.dispose();
  return Math.sqrt(value);
}

/** One update. Returns the gradient norm before clipping. */
export async function adamStep(tf: Tf, state: AdamState, parameters: Map<string, Variable>, gradients: Record<string, Tensor>, learningRate: number, clipNorm: number | undefined): Promise<number> {
  const norm = await globalNorm(tf, gradients);
  // clip_grad_norm_: scale by max_norm / (norm + 1e-6) when the norm exceeds max_norm.
  const clip = clipNorm !== undefined && norm > clipNorm ? clipNorm / (norm + 1e-6) : 1;
  state.step += 1;
  const [beta1, beta2] = ADAM_BETAS;
  const correction1 = 1 - beta1 ** state.step;
  const correction2 = 1 - beta2 ** state.step;
  const stepSize = learningRate / correction1;
  tf.tidy(() => {
    for (const [name, parameter] of parameters) {
      const gradient = gradients[name];
      if (gradient === undefined) continue;
      const g = clip === 1 ? gradient : tf.mul(gradient, clip);
      const moment = state.moments.get(name)!;
      moment.m.assign(tf.add(tf.mul(moment.m, beta1), tf.mul(g, 1 - beta1)));
      moment.v.assign(tf.add(tf.mul(moment.v, beta2), tf.mul(tf.square(g), 1 - beta2)));
      const denominator = tf.add(tf.div(tf.sqrt(moment.v), Math.sqrt(correction2)), ADAM_EPSILON);
      parameter.assign(tf.sub(parameter, tf.mul(tf.div(moment.m, denominator), stepSize)));
    }
  });
  return norm;
}

export function disposeAdam(state: AdamState): void {
  for (const { m, v } of state.moments.values()) {
    m.dispose();
    v.dispose();
  }
}
