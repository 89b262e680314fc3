/**
 * What both training hosts (the server `train` job and the browser training worker) do before and
 * around the trainer, so the two stay one: the network config and training options a request asks
 * for (a preset, a size, overrides, option overrides), and one series turned into scaled train,
 * validation and test splits (gaps interpolated, 70/10/20 ratio splits, StandardScaler fitted on
 * train, time marks from the timestamps).
 */
import { LookaheadError } from '@/lib/core/errors';
import { markColumns, type InformerConfig } from './config';
import { ratioSplits, type SplitBorders } from './ett';
import { interpolateGaps } from './forecaster';
import { informerPreset } from './presets';
import { fitScaler, transform, type StandardScaler } from './scaler';
import { timeMarks } from './time-features';
import type { TrainingData, TrainingOptions } from './trainer';
import { sliceSplit } from './windows';

export const TRAINING_OPTION_KEYS = ['epochs', 'batchSize', 'learningRate', 'schedule', 'patience', 'clipNorm', 'seed', 'maxStepsPerEpoch', 'maxValidationWindows'] as const;

export interface TrainingRequest extends Partial<TrainingOptions> {
  task: string;
  size: string;
  overrides?: Partial<InformerConfig>;
}

/** The network config and training options a request asks for (throws a LookaheadError naming a bad field). */
export function trainingSetup(request: TrainingRequest): { config: InformerConfig; training: TrainingOptions; label: string } {
  const preset = informerPreset({ task: request.task, size: request.size, channels: 1, ...(request.overrides ? { overrides: request.overrides } : {}) });
  const training: TrainingOptions = { ...preset.training };
  for (const key of TRAINING_OPTION_KEYS) {
    if (request[key] !== undefined) (training as unknown as Record<string, unknown>)[key] = request[key];
  }
  return { config: preset.config, training, label: preset.label };
}

export interface PreparedSeries {
  data: Required<TrainingData>;
  scaler: StandardScaler;
  splits: SplitBorders;
  rows: number;
  /** Missing values filled by interpolation. */
  filled: number;
}

/**
 * One series (NaN = missing; timestamps in ms) as the trainer's splits. `subsystem` and `name`
 * only shape the error a too-short or empty series gets.
 */
export function prepareSeries(
  series: { values: ArrayLike<number>; timestampsMs: ArrayLike<number> },
  config: InformerConfig,
  { subsystem = 'informer', name = 'the series' }: { subsystem?: string; name?: string } = {},
): PreparedSeries {
  const values = Float64Array.from(series.values);
  const filled = interpolateGaps(values);
  if (filled === values.length) throw new LookaheadError(subsystem, 'bad_input', `${name} has no observed values`);
  const rows = values.length;
  const splits = ratioSplits(rows, config.contextLength);
  const needed = config.contextLength + config.horizon;
  if (splits.train[1] < needed || splits.validation[1] - splits.validation[0] < needed || splits.test[1] - splits.test[0] < needed) {
    throw new LookaheadError(
      subsystem,
      'bad_input',
      `${name} has ${rows} points; the 70/10/20 splits each need contextLength + horizon = ${needed} (about ${Math.ceil((needed - config.contextLength) / 0.1 + config.contextLength)} points in all): read more points, or choose a shorter context or horizon`,
    );
  }
  const scaler = fitScaler(values, 1, splits.train[0], splits.train[1]);
  const scaled = transform(scaler, values, 1);
  const marks = timeMarks(series.timestampsMs, config);
  const M = markColumns(config.frequency);
  return {
    data: {
      train: sliceSplit(scaled, marks, 1, M, splits.train),
      validation: sliceSplit(scaled, marks, 1, M, splits.validation),
      test: sliceSplit(scaled, marks, 1, M, splits.test),
    },
    scaler,
    splits,
    rows,
    filled,
  };
}

/** The training data window as stored with a trained model: the whole range and each split's. */
export function dataWindowRanges(timestampsMs: ArrayLike<number>, splits: SplitBorders) {
  const iso = (ms: number) => new Date(ms).toISOString();
  const rows = timestampsMs.length;
  const range = (border: [number, number]) => ({ from: iso(timestampsMs[border[0]]!), to: iso(timestampsMs[border[1] - 1]!), rows: border[1] - border[0] });
  return {
    range: { from: iso(timestampsMs[0]!), to: iso(timestampsMs[rows - 1]!), rows },
    splits: { train: range(splits.train), validation: range(splits.validation), test: range(splits.test) },
  };
}
