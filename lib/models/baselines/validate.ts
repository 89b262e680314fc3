import { LookaheadError } from '@/lib/core/errors';

export const MAX_HORIZON = 10_000;

export function validateHorizon(horizon: number): void {
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > MAX_HORIZON) {
    throw new LookaheadError('model', 'bad_input', `horizon must be an integer from 1 to ${MAX_HORIZON}, got ${horizon}`);
  }
}

/** Sorted, de-duplicated levels, each strictly between 0 and 1. */
export function validateLevels(levels: readonly number[]): number[] {
  if (levels.length === 0) throw new LookaheadError('model', 'bad_input', 'quantile levels must not be empty; use e.g. 0.1,0.5,0.9');
  for (const level of levels) {
    if (!(level > 0 && level < 1)) {
      throw new LookaheadError('model', 'bad_input', `quantile level ${level} is outside (0, 1); use levels such as 0.1,0.5,0.9`);
    }
  }
  return [...new Set(levels)].sort((a, b) => a - b);
}
