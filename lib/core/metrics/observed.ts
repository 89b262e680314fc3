import { LookaheadError } from '../errors';

/**
 * Which steps a metric scores. A missing actual is NaN (how gaps arrive from the loaders): that
 * step is skipped, in the numerator and in any denominator built from the actuals. Only actuals
 * are forgiven: a NaN prediction at an observed step is a model failure and makes the metric NaN,
 * so it cannot hide. A metric with no observed step at all is NaN (nothing to score).
 */
export function isMissing(value: number): boolean {
  return Number.isNaN(value);
}

/** Throws when two aligned arrays differ in length (a caller bug, never data to skip). */
export function requireSameLength(
  metric: string,
  leftName: string,
  left: ArrayLike<number>,
  rightName: string,
  right: ArrayLike<number>,
): void {
  if (left.length !== right.length) {
    throw new LookaheadError(
      'metrics',
      'bad_input',
      `${metric} needs ${leftName} and ${rightName} of equal length, got ${left.length} and ${right.length}`,
      { details: { metric, [leftName]: left.length, [rightName]: right.length } },
    );
  }
}

/** Mean of `term(actual, predicted)` over the observed steps; NaN when none is observed. */
export function meanOverObserved(
  metric: string,
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  term: (actualValue: number, predictedValue: number) => number,
): number {
  requireSameLength(metric, 'actual', actual, 'predicted', predicted);
  let sum = 0;
  let count = 0;
  for (let step = 0; step < actual.length; step++) {
    const actualValue = actual[step]!;
    if (isMissing(actualValue)) continue;
    sum += term(actualValue, predicted[step]!);
    count++;
  }
  return count === 0 ? Number.NaN : sum / count;
}
