/**
 * Learning-rate schedules, applied per epoch (epoch counts from 0):
 * - halve: the paper's utils/tools.adjust_learning_rate 'type1', lr * 0.5^epoch;
 * - cosine: lr * (1 + cos(pi * epoch / epochs)) / 2;
 * - constant.
 */
export type LearningRateSchedule = 'halve' | 'cosine' | 'constant';

export function learningRateAt(schedule: LearningRateSchedule, base: number, epoch: number, epochs: number): number {
  if (schedule === 'halve') return base * 0.5 ** epoch;
  if (schedule === 'cosine') return (base * (1 + Math.cos((Math.PI * epoch) / Math.max(1, epochs)))) / 2;
  return base;
}
