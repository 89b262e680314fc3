/**
 * Informer gradients (tf.grads through the whole model, in training mode: BatchNorm batch
 * statistics) against central finite differences, for every trained parameter tensor of tiny
 * configs, including through the ProbSparse selection.
 *
 * Method: per tensor, a random unit direction d; the analytic directional derivative g.d against
 * (L(theta + h d) - L(theta - h d)) / 2h with h = 1e-2 (3e-3, 1e-3 when needed). The top-u
 * selection is piecewise constant in theta, so h is only accepted when the selected query sets at
 * +h and -h equal those at theta: then the loss is smooth along the segment and FD is valid.
 *
 * Tolerance, float32: the loss (~1) carries a rounding error of a few ulps times the number of
 * accumulations, about 1e-6, which h = 1e-2 turns into ~1e-4 absolute error in the FD quotient;
 * the truncation error is h^2/6 |L'''| ~ 1e-5 for these O(1) curvatures. So we allow
 * |fd - g.d| <= 3e-3 * max(|g.d|, |fd|) + 3e-4, a bound those two errors cannot reach together
 * by a margin of ~3x while any wrong gradient (a sign, a missing term, a dropped path) misses it
 * by orders of magnitude.
 */
import { describe, expect, it } from 'vitest';
import { loadTf } from '@/lib/runtime/tfjs-node';
import { InformerModel, initialParameters, makeBatch, parameterSpecs, seededKeySampler, seededRandom, type InformerConfig } from '@/lib/models/informer';
import type { Tensor } from '@/lib/models/informer/tf';
import { syntheticSplit, tinyConfig } from '../support/informer-tiny';

// Tried in order until the selection is unchanged at +h and -h; the absolute allowance grows as
// 1/h because the rounding error of the loss (~1e-6) is divided by 2h.
const STEPS = [1e-2, 3e-3, 1e-3];
const RELATIVE = 3e-3;
const absoluteAllowance = (h: number) => 3e-6 / h;

/** The top-u indices as sets: each row of u sorted (topk's order is unspecified). */
function sortedRows(values: ArrayLike<number>, u: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i += u) out.push(...Array.from(values).slice(i, i + u).sort((a, b) => a - b));
  return out;
}

async function check(config: InformerConfig) {
  const tf = await loadTf('cpu');
  const before = tf.memory().numTensors;
  const specs = parameterSpecs(config);
  const values = initialParameters(config, 7);
  const split = syntheticSplit(80, config);
  const batch = makeBatch(tf, split, config, [0, 9, 21, 40]);
  const trained = specs.filter((s) => s.role === 'trained').map((s) => s.name);
  const base = new Map<string, Tensor>();
  for (const [name, { shape, values: v }] of values) base.set(name, tf.tensor(v, shape));

  const lossWith = (parameters: Map<string, Tensor>, selections?: number[][]) => {
    const model = new InformerModel(tf, config, parameters);
    const prediction = model.forward(batch.inputs, {
      training: true,
      // The same draws for every evaluation: a fresh sampler with the same seed.
      sampler: seededKeySampler(99),
      observers: selections ? { selection: (s) => { selections.push(sortedRows(s.selected.dataSync(), s.top)); return undefined; } } : {},
    });
    return tf.mean(tf.square(tf.sub(prediction, batch.target)));
  };

  const gradients = tf.grads((...xs: Tensor[]) => {
    const parameters = new Map(base);
    trained.forEach((name, i) => parameters.set(name, xs[i]!));
    return lossWith(parameters) as never;
  })(trained.map((name) => base.get(name)!));

  const reference: number[][] = [];
  tf.tidy(() => { lossWith(base, reference); });
  expect(reference.length).toBe(config.attention === 'prob' ? 3 : 0);

  const random = seededRandom(3);
  const results: { name: string; analytic: number; numeric: number; ok: boolean }[] = [];
  for (const [index, name] of trained.entries()) {
    const parameter = base.get(name)!;
    const direction = Float32Array.from({ length: parameter.size }, () => random() - 0.5);
    const norm = Math.hypot(...direction);
    direction.forEach((_, i) => { direction[i]! /= norm; });
    const d = tf.tensor(direction, parameter.shape);
    const analytic = tf.tidy(() => tf.sum(tf.mul(gradients[index]!, d)).dataSync()[0]!);
    const at = (offset: number) => {
      const selections: number[][] = [];
      const value = tf.tidy(() => {
        const parameters = new Map(base);
        parameters.set(name, tf.add(parameter, tf.mul(d, offset)));
        return lossWith(parameters, selections).dataSync()[0]!;
      });
      return { value, same: JSON.stringify(selections) === JSON.stringify(reference) };
    };
    let numeric = NaN;
    let step = NaN;
    for (const h of STEPS) {
      const plus = at(h);
      const minus = at(-h);
      if (plus.same && minus.same) {
        numeric = (plus.value - minus.value) / (2 * h);
        step = h;
        break;
      }
    }
    d.dispose();
    expect(Number.isNaN(step), `${name}: the top-u selection changed even within h = ${STEPS.at(-1)}`).toBe(false);
    results.push({ name, analytic, numeric, ok: Math.abs(numeric - analytic) <= RELATIVE * Math.max(Math.abs(analytic), Math.abs(numeric)) + absoluteAllowance(step) });
  }
  tf.dispose(gradients);
  for (const t of base.values()) t.dispose();
  batch.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return results;
}

describe('Informer gradients vs central finite differences (float32, tfjs cpu)', () => {
  for (const [label, overrides] of [
    ['ProbSparse, timeF, distil, gelu', {}],
    ['ProbSparse, learned time tables, no distil, relu', { timeEmbedding: 'learned', distil: false, activation: 'relu' }],
    ['full attention, fixed sinusoid tables, distil', { attention: 'full', timeEmbedding: 'fixed' }],
  ] as const) {
    it(label, async () => {
      const config = tinyConfig(overrides as Partial<InformerConfig>);
      const results = await check(config);
      const trainedCount = parameterSpecs(config).filter((s) => s.role === 'trained').length;
      expect(results.length).toBe(trainedCount);
      const bad = results.filter((r) => !r.ok).map((r) => `${r.name}: analytic ${r.analytic} vs numeric ${r.numeric}`);
      expect(bad).toEqual([]);
      // The check is not vacuous: many directional derivatives are far from zero.
      expect(results.filter((r) => Math.abs(r.analytic) > 3e-3).length).toBeGreaterThan(trainedCount / 3);
    }, 300_000);
  }
});
