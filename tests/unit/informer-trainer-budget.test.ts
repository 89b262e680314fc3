/**
 * The trainer's wall-clock budget (`maxSeconds`, used by the ETTh1 bench): once spent, the epoch
 * ends after the running step, is validated like any epoch, and training stops with
 * `stoppedByBudget`; without a budget the same run trains every epoch.
 */
import { describe, expect, it } from 'vitest';
import { loadTf } from '@/lib/runtime/tfjs-node';
import { createTrainer } from '@/lib/models/informer';
import { syntheticSplit, tinyConfig } from '../support/informer-tiny';

const config = tinyConfig();
const data = { train: syntheticSplit(120, config), validation: syntheticSplit(60, config, 120) };
const training = { epochs: 3, batchSize: 8, learningRate: 3e-3, schedule: 'constant' as const, patience: 5, seed: 3, maxStepsPerEpoch: 3 };

describe('trainer time budget', () => {
  it('stops after the first step once the budget is spent, with that partial epoch validated', async () => {
    const tf = await loadTf('cpu');
    const result = await createTrainer(tf).train({ model: config, training: { ...training, maxSeconds: 1e-6 } }, data);
    expect(result.stoppedByBudget).toBe(true);
    expect(result.stepLosses).toHaveLength(1);
    expect(result.history).toHaveLength(1);
    expect(Number.isFinite(result.history[0]!.validationLoss)).toBe(true);
    expect(result.history[0]!.trainLoss).toBeCloseTo(result.stepLosses[0]!, 6);
  }, 120_000);

  it('trains every epoch without a budget', async () => {
    const tf = await loadTf('cpu');
    const result = await createTrainer(tf).train({ model: config, training }, data);
    expect(result.stoppedByBudget).toBe(false);
    expect(result.stepLosses).toHaveLength(9);
    expect(result.history).toHaveLength(3);
  }, 120_000);
});
