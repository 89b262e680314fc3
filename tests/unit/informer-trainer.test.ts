/**
 * The Informer data pipeline against the goldens (scaler, splits, windows, time marks) and the
 * trainer's contract: learning, determinism, exact resume from a checkpoint, early stopping,
 * schedules, clipping, cancellation, no leaked tensors. tfjs cpu in Node.
 */
import { describe, expect, it } from 'vitest';
import { loadTf } from '@/lib/runtime/tfjs-node';
import { configFromPytorch, createTrainer, ettSplits, fitScaler, learningRateAt, makeBatch, sliceSplit, timeMarks, transform, type TrainingCheckpoint, type TrainingConfig, type TrainingProgress } from '@/lib/models/informer';
import { adamStep, createAdam, disposeAdam } from '@/lib/models/informer/adam';
import { decode } from '../support/informer-golden-check';
import { loadInformerGolden } from '../support/informer-golden';
import { loadEtt } from '../support/ett';
import { syntheticSplit, tinyConfig } from '../support/informer-tiny';
import data from '../fixtures/golden/informer/data_ETTh1.json';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('Informer data pipeline vs the goldens (ETTh1)', () => {
  const ett = loadEtt();
  it('splits are the paper 12/4/4 months', () => {
    const splits = ettSplits(96);
    expect([splits.train, splits.validation, splits.test].map((s) => s[0])).toEqual(data.borders.border1s);
    expect([splits.train, splits.validation, splits.test].map((s) => s[1])).toEqual(data.borders.border2s);
  });
  it('the scaler fitted on the train rows equals the reference (population std)', () => {
    const scaler = fitScaler(ett.values, 7, 0, 8640);
    expect(maxDiff(scaler.mean, data.scaler.M.mean)).toBeLessThan(1e-9);
    expect(maxDiff(scaler.std, data.scaler.M.std)).toBeLessThan(1e-9);
  });
  for (const name of ['M_prob_timeF_distil', 'M_prob_fixed_distil', 'S_prob_timeF_distil'] as const) {
    it(`${name}: windows 0, 500, 8000 reproduce the golden inputs and targets`, async () => {
      const tf = await loadTf('cpu');
      const { config: file, golden } = loadInformerGolden(name);
      const config = configFromPytorch(file.model_kwargs);
      const univariate = config.encoderInputs === 1;
      const columns = univariate ? [6] : [0, 1, 2, 3, 4, 5, 6];
      const raw = new Float64Array(ett.timestamps.length * columns.length);
      for (let r = 0; r < ett.timestamps.length; r++) columns.forEach((c, j) => { raw[r * columns.length + j] = ett.values[r * 7 + c]!; });
      const scaler = fitScaler(raw, columns.length, 0, 8640);
      const scaled = transform(scaler, raw, columns.length);
      const marks = timeMarks(ett.timestamps, config);
      const split = sliceSplit(scaled, marks, columns.length, 4, ettSplits(96).train);
      const batch = makeBatch(tf, split, config, [0, 500, 8000]);
      expect(maxDiff(await batch.inputs.encoderValues.data(), decode(golden.inputs.x_enc))).toBeLessThan(1e-6);
      expect(maxDiff(await batch.inputs.decoderValues.data(), decode(golden.inputs.x_dec))).toBeLessThan(1e-6);
      expect(maxDiff(await batch.inputs.encoderMarks.data(), decode(golden.inputs.x_mark_enc))).toBeLessThan(1e-6);
      expect(maxDiff(await batch.inputs.decoderMarks.data(), decode(golden.inputs.x_mark_dec))).toBeLessThan(1e-6);
      expect(maxDiff(await batch.target.data(), decode(golden.outputs.target))).toBeLessThan(1e-6);
      batch.dispose();
    });
  }
});

function request(overrides: Partial<TrainingConfig['training']> = {}, model = tinyConfig({ dropout: 0.1 })): TrainingConfig {
  return { model, training: { epochs: 3, batchSize: 8, learningRate: 3e-3, schedule: 'halve', patience: 3, clipNorm: 1, seed: 5, ...overrides } };
}
function dataFor(config = tinyConfig()) {
  return { train: syntheticSplit(200, config), validation: syntheticSplit(60, config, 200), test: syntheticSplit(60, config, 260) };
}

describe('Informer trainer', () => {
  it('learns: validation loss falls below the untrained model and the progress reports every step and epoch', async () => {
    const tf = await loadTf('cpu');
    const before = tf.memory().numTensors;
    const trainer = createTrainer(tf);
    const events: TrainingProgress[] = [];
    const result = await trainer.train(request({ epochs: 4, schedule: 'constant' }), dataFor(), { onProgress: (p) => { events.push(p); } });
    const steps = events.filter((e) => e.kind === 'step');
    const epochs = events.filter((e) => e.kind === 'epoch');
    expect(epochs.length).toBe(result.history.length);
    expect(steps.length).toBe(result.stepLosses.length);
    expect(steps.length).toBe(result.history.length * Math.ceil(181 / 8));
    expect(result.history.at(-1)!.validationLoss).toBeLessThan(result.history[0]!.validationLoss);
    // The synthetic series has unit-scale signal: a trained model beats predicting zero by far.
    expect(result.validation.mse).toBeLessThan(0.25);
    expect(result.test!.mse).toBeLessThan(0.25);
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);

  it('is deterministic in the seed (dropout, shuffling, key samples, init)', async () => {
    const tf = await loadTf('cpu');
    const trainer = createTrainer(tf);
    const a = await trainer.train(request({ epochs: 1, maxStepsPerEpoch: 6 }), dataFor());
    const b = await trainer.train(request({ epochs: 1, maxStepsPerEpoch: 6 }), dataFor());
    const c = await trainer.train(request({ epochs: 1, maxStepsPerEpoch: 6, seed: 6 }), dataFor());
    expect(b.stepLosses).toEqual(a.stepLosses);
    expect(c.stepLosses).not.toEqual(a.stepLosses);
  }, 300_000);

  it('resuming from an epoch checkpoint continues exactly like the uninterrupted run', async () => {
    const tf = await loadTf('cpu');
    const trainer = createTrainer(tf);
    const config = request({ epochs: 2, maxStepsPerEpoch: 5 });
    const checkpoints: TrainingCheckpoint[] = [];
    const straight = await trainer.train(config, dataFor(), { checkpoint: { save: (c) => { checkpoints.push(structuredClone(c)); } } });
    expect(checkpoints.map((c) => c.epoch)).toEqual([1, 2]);
    const resumed = await trainer.train(config, dataFor(), { checkpoint: { resume: checkpoints[0]! } });
    expect(resumed.stepLosses).toEqual(straight.stepLosses);
    expect(resumed.history).toHaveLength(2);
    expect(resumed.history.map((h) => h.validationLoss)).toEqual(straight.history.map((h) => h.validationLoss));
    const name = 'projection.weight';
    expect(Array.from(resumed.parameters.get(name)!.values)).toEqual(Array.from(straight.parameters.get(name)!.values));
  }, 300_000);

  it('stops early after `patience` epochs without a validation improvement and keeps the best epoch', async () => {
    const tf = await loadTf('cpu');
    const trainer = createTrainer(tf);
    // A learning rate far too high makes the validation loss jump around, so it stops improving.
    const result = await trainer.train(request({ epochs: 12, patience: 1, learningRate: 0.3, schedule: 'constant', clipNorm: undefined, maxStepsPerEpoch: 4 }), dataFor());
    expect(result.stoppedEarly).toBe(true);
    expect(result.history.length).toBeLessThan(12);
    const best = Math.min(...result.history.map((h) => h.validationLoss));
    expect(result.history[result.bestEpoch]!.validationLoss).toBe(best);
    expect(result.history.at(-1)!.validationLoss).toBeGreaterThanOrEqual(best);
    // The returned weights are the best epoch's: re-evaluating them gives its validation loss.
    expect(result.validation.mse).toBeCloseTo(best, 5);
  }, 300_000);

  it('cancels on the abort signal with a cancelled error and frees every tensor', async () => {
    const tf = await loadTf('cpu');
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const trainer = createTrainer(tf);
    const promise = trainer.train(request({ epochs: 5 }), dataFor(), { signal: controller.signal, onProgress: (p) => { if (p.kind === 'step' && p.step === 2) controller.abort(); } });
    await expect(promise).rejects.toMatchObject({ code: 'cancelled', message: 'informer: training was cancelled' });
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);

  it('rejects bad options and data with messages that name the field', async () => {
    const tf = await loadTf('cpu');
    const trainer = createTrainer(tf);
    await expect(trainer.train(request({ schedule: 'step' as never }), dataFor())).rejects.toThrow('training.schedule is "step"; valid: "halve", "cosine", "constant"');
    await expect(trainer.train(request({ patience: 0 }), dataFor())).rejects.toThrow('training.patience must be an integer >= 1, got 0');
    const tiny = dataFor();
    await expect(trainer.train(request(), { ...tiny, validation: syntheticSplit(10, tinyConfig()) })).rejects.toThrow('the validation split has 10 rows; it needs at least contextLength + horizon = 20');
    await expect(trainer.train(request({}, tinyConfig({ dModel: 9 })), dataFor())).rejects.toThrow('config.dModel (9) must be divisible by config.heads (2)');
  });

  it('learning-rate schedules: the paper halves each epoch, cosine, constant', () => {
    expect([0, 1, 2, 3].map((e) => learningRateAt('halve', 1e-4, e, 6))).toEqual([1e-4, 5e-5, 2.5e-5, 1.25e-5]);
    expect(learningRateAt('cosine', 1, 0, 4)).toBe(1);
    expect(learningRateAt('cosine', 1, 2, 4)).toBeCloseTo(0.5, 12);
    expect(learningRateAt('cosine', 1, 4, 4)).toBeCloseTo(0, 12);
    expect(learningRateAt('constant', 0.01, 7, 8)).toBe(0.01);
  });

  it('Adam matches torch.optim.Adam on a hand-computed step, and clipping scales the gradient to the max norm', async () => {
    const tf = await loadTf('cpu');
    const before = tf.memory().numTensors;
    const p = tf.tidy(() => tf.variable(tf.tensor1d([1, -2])));
    const params = new Map([['p', p]]);
    const state = createAdam(tf, params);
    const g = tf.tensor1d([3, 4]); // norm 5
    const norm = await adamStep(tf, state, params, { p: g }, 0.1, 1);
    expect(norm).toBeCloseTo(5, 5);
    // First step: m = 0.1 g', v = 0.001 g'^2, step = lr * m/(1-0.9) / (sqrt(v/(1-0.999)) + eps) = lr * sign(g').
    const values = await p.data();
    expect(values[0]).toBeCloseTo(0.9, 5);
    expect(values[1]).toBeCloseTo(-2.1, 5);
    // The stored first moment holds the clipped gradient g * 1/(5 + 1e-6).
    const m = await state.moments.get('p')!.m.data();
    expect(m[0]).toBeCloseTo(0.1 * 3 / 5, 6);
    expect(m[1]).toBeCloseTo(0.1 * 4 / 5, 6);
    disposeAdam(state);
    p.dispose();
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
