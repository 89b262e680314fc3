import { LookaheadError } from '../errors';

/**
 * Combining one metric over many series (or datasets) into a single number relative to a
 * baseline, as in the Chronos paper (Ansari et al. 2024, scripts/evaluation/agg-relative-score.py):
 * score_model / score_baseline per series (the baseline is seasonal naive there), then the
 * geometric mean of those ratios. Lower is better; 1 means "as good as the baseline".
 */

export interface RelativeScoreOptions {
  /**
   * Each ratio is clipped into [min, max] before averaging, as fev's `leaderboard` does (its
   * defaults: min 1e-3, max 5). This is what keeps one ratio of 0 or Infinity (see below) from
   * deciding the whole mean. Pass null for the Chronos paper's raw geometric mean.
   */
  clip?: { min: number; max: number } | null;
  /**
   * Relative score for a series where the model's score is NaN (the model failed there).
   * Undefined (default) drops those series, like fev's `remove_failures`.
   */
  failureScore?: number;
}

export const DEFAULT_RELATIVE_CLIP: Readonly<{ min: number; max: number }> = { min: 1e-3, max: 5 };

function badInput(message: string, details?: Record<string, unknown>): LookaheadError {
  return new LookaheadError('metrics', 'bad_input', message, { details });
}

/**
 * The ratio of two non-negative scores, ties first: 0/0 and Infinity/Infinity are 1 (both
 * models equally perfect, or equally unscaleable); x/0 is Infinity and 0/x is 0.
 */
function relativeScore(modelScore: number, baselineScore: number): number {
  if (modelScore === baselineScore) return 1;
  return modelScore / baselineScore;
}

/**
 * Geometric mean over series of modelScores[i] / baselineScores[i], computed as
 * exp(mean(log ratio)) so that many ratios neither overflow nor underflow.
 * - Scores are errors and must be >= 0 (or NaN for a model failure); a negative one throws.
 * - A NaN baseline score throws: the baseline must score every series (as fev requires).
 * - A NaN model score is a failure: dropped, or scored `failureScore` (options).
 * - Zeros and Infinity follow relativeScore, then clipping; without clipping one ratio of 0
 *   makes the mean 0, one of Infinity makes it Infinity, and both together make it NaN.
 * - NaN when no series is left to average.
 */
export function relativeGeometricMean(
  modelScores: readonly number[],
  baselineScores: readonly number[],
  options: RelativeScoreOptions = {},
): number {
  if (modelScores.length !== baselineScores.length) {
    throw badInput(
      `relativeGeometricMean needs one baseline score per model score, got ${modelScores.length} model and ${baselineScores.length} baseline scores`,
    );
  }
  const clip = options.clip === undefined ? DEFAULT_RELATIVE_CLIP : options.clip;
  if (clip !== null && !(clip.min > 0 && clip.max >= clip.min && Number.isFinite(clip.max))) {
    throw badInput(`relative score clip needs 0 < min <= max < Infinity, got min ${clip.min} and max ${clip.max}`);
  }
  const { failureScore } = options;
  if (failureScore !== undefined && !(failureScore > 0 && Number.isFinite(failureScore))) {
    throw badInput(`failureScore must be a finite number > 0, got ${failureScore}`);
  }

  let logSum = 0;
  let count = 0;
  for (let index = 0; index < modelScores.length; index++) {
    const modelScore = modelScores[index]!;
    const baselineScore = baselineScores[index]!;
    if (Number.isNaN(baselineScore) || baselineScore < 0) {
      throw badInput(`baseline score at index ${index} must be a number >= 0, got ${baselineScore}`, { index, baselineScore });
    }
    if (modelScore < 0) {
      throw badInput(`model score at index ${index} must be a number >= 0 or NaN, got ${modelScore}`, { index, modelScore });
    }
    let ratio: number;
    if (Number.isNaN(modelScore)) {
      if (failureScore === undefined) continue;
      ratio = failureScore;
    } else {
      ratio = relativeScore(modelScore, baselineScore);
      if (clip !== null) ratio = Math.min(clip.max, Math.max(clip.min, ratio));
    }
    logSum += Math.log(ratio);
    count++;
  }
  return count === 0 ? Number.NaN : Math.exp(logSum / count);
}
