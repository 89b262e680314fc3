import 'server-only';
import { insertDriftCheck, latestModelDriftChecks, listTrainedModels, type DatabaseHandle, type DriftCheckRow, type TrainedModelRow } from '@/db';
import { driftSummary, type DriftSummary } from '@/lib/core/drift';
import { LookaheadError } from '@/lib/core/errors';
import { openSeriesSource, readSeries } from '../jobs/series-reader';
import { foldErrors, type RollingError } from './drift';

/**
 * Drift of a trained model (a server `train` job's Informer, migration 0012): its training window
 * (the train split its scaler was fitted on, as `data_window` records it: source, window query,
 * series, time range) against the newest data after that split, read through the same window
 * query the job trained from (so gaps, frequency and columns are what the model saw). Both windows
 * are scaled with the model's own StandardScaler before PSI and Kolmogorov-Smirnov (both depend on
 * order only, so scaling changes neither; the mean shift is in training standard deviations), and
 * the model's rolling error (its own forecasts, `folds` folds of its horizon) at the end of the
 * recent window is set against the same at the end of the training window.
 *
 * The recent window is the newest `recentPoints` points after the train split (default: as many
 * as the test split held). Until new data arrives those are the validation and test splits (held
 * out from training, never fitted on); `newPoints` counts the points newer than the whole training
 * data window, so the page says which it is.
 */

export interface TrainedWindowInfo {
  source: string;
  series: string;
  window: Record<string, string>;
  column: string;
  /** The train split: the reference. */
  train: { from: Date; to: Date; rows: number };
  /** The end of everything the job read (train + validation + test). */
  dataEnd: Date;
  testRows: number;
  horizon: number;
  contextLength: number;
  scaler: { mean: number; std: number } | null;
}

export interface TrainedDriftReport extends DriftSummary {
  model: string;
  revision: string;
  source: string;
  series: string;
  reference: { from: Date; to: Date };
  recent: { from: Date; to: Date };
  newPoints: number;
  rollingError: (RollingError & { revision: string; newPoints: number; scaled: boolean }) | null;
}

const asRecord = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' ? (value as Record<string, unknown>) : {});

/** What a stored revision says about its training data; a 4xx-style error when it says too little. */
export function trainedWindow(model: Pick<TrainedModelRow, 'id' | 'revision' | 'config' | 'dataWindow'>): TrainedWindowInfo {
  const data = asRecord(model.dataWindow);
  const splits = asRecord(data.splits);
  const train = asRecord(splits.train);
  const test = asRecord(splits.test);
  const range = asRecord(data.range);
  if (typeof data.source !== 'string' || typeof train.from !== 'string' || typeof train.to !== 'string' || typeof range.to !== 'string') {
    throw new LookaheadError('drift', 'bad_input', `trained model ${model.id}@${model.revision} records no training window (data_window.source and splits.train); retrain it with a train job`);
  }
  const window = Object.fromEntries(Object.entries(asRecord(data.window)).filter(([, value]) => typeof value === 'string')) as Record<string, string>;
  const config = asRecord(model.config);
  const network = asRecord(config.model);
  const scaler = asRecord(config.scaler);
  const mean = Array.isArray(scaler.mean) ? Number(scaler.mean[0]) : Number.NaN;
  const std = Array.isArray(scaler.std) ? Number(scaler.std[0]) : Number.NaN;
  return {
    source: data.source,
    series: typeof data.series === 'string' ? data.series : '',
    window,
    column: (window.columns ?? '').split(',')[0]!.trim() || 'value',
    train: { from: new Date(train.from), to: new Date(train.to), rows: Number(train.rows) || 0 },
    dataEnd: new Date(range.to),
    testRows: Number(test.rows) || 0,
    horizon: Number(network.horizon) || 24,
    contextLength: Number(network.contextLength) || 0,
    scaler: Number.isFinite(mean) && Number.isFinite(std) && std > 0 ? { mean, std } : null,
  };
}

/** PSI, KS and the rolling error of one trained revision: training window vs the newest data after it. */
export async function checkTrainedModelDrift({
  handle,
  model,
  recentPoints,
  recent: fixedRecent,
  bins = 10,
  folds = 3,
}: {
  handle: DatabaseHandle;
  model: Pick<TrainedModelRow, 'id' | 'revision' | 'config' | 'dataWindow'>;
  recentPoints?: number;
  /** A fixed recent window instead of the newest points after the train split. */
  recent?: { from: Date; to: Date };
  bins?: number;
  folds?: number;
}): Promise<TrainedDriftReport> {
  const info = trainedWindow(model);
  const { start: _start, end: _end, ...window } = info.window;
  const read = async (range: Record<string, string>, points: number) => {
    const source = await openSeriesSource({ sourceId: info.source, window: { ...window, ...range }, handle });
    try {
      return await readSeries(source, info.series, points);
    } catch (error) {
      if (error instanceof LookaheadError && error.code === 'not_found') return { values: new Float64Array(0), timestampsMs: new Float64Array(0) };
      throw error;
    }
  };
  const reference = await read({ start: info.train.from.toISOString(), end: info.train.to.toISOString() }, Math.max(info.train.rows, 10) * 2);
  // Window reads' end is inclusive; the recent window starts one millisecond after the train split.
  const afterTrain = new Date(info.train.to.getTime() + 1);
  const count = recentPoints ?? Math.max(info.testRows, bins, info.contextLength + 2 * info.horizon);
  const recentData = fixedRecent
    ? await read({ start: fixedRecent.from.toISOString(), end: new Date(fixedRecent.to.getTime() - 1).toISOString() }, 1_000_000)
    : await read({ start: afterTrain.toISOString() }, count);
  const scale = (values: Float64Array) => (info.scaler ? Array.from(values, (value) => (value - info.scaler!.mean) / info.scaler!.std) : Array.from(values));
  const finite = (values: ArrayLike<number>) => Array.from(values).filter(Number.isFinite).length;
  if (finite(reference.values) < bins || finite(recentData.values) < 1) {
    throw new LookaheadError(
      'drift',
      'bad_input',
      `trained model ${model.id}@${model.revision}: the training window of ${info.source}/${info.series || info.column} has ${finite(reference.values)} values (needs ${bins}) and the data after it ${finite(recentData.values)} (needs 1)`,
    );
  }
  const summary = driftSummary(scale(reference.values), scale(recentData.values), { bins });
  const timesOf = (series: { timestampsMs: Float64Array }) => Array.from(series.timestampsMs);
  const recentTimes = timesOf(recentData);
  const newPoints = recentTimes.filter((time) => time > info.dataEnd.getTime()).length;
  const errors: TrainedDriftReport['rollingError'] = { model: model.id, revision: model.revision, horizon: info.horizon, folds, recent: null, reference: null, maeRatio: null, newPoints, scaled: info.scaler !== null };
  try {
    const options = { model: model.id, horizon: info.horizon, folds, minHistory: Math.max(info.contextLength, 2 * info.horizon) };
    // The recent folds forecast from the history before them (the end of training data included), as the model would in use.
    const history = await read({ start: info.train.from.toISOString(), end: new Date((recentTimes.at(-1) ?? afterTrain.getTime())).toISOString() }, info.train.rows * 4 + recentData.values.length + 10);
    errors.recent = await foldErrors(Array.from(history.values), timesOf(history), options);
    errors.reference = await foldErrors(Array.from(reference.values), timesOf(reference), options);
    errors.maeRatio = errors.recent && errors.reference && errors.reference.mae > 0 ? errors.recent.mae / errors.reference.mae : null;
    if (!errors.recent) errors.error = `too few points for a fold of ${info.horizon} after ${options.minHistory} of history`;
  } catch (error) {
    errors.error = (error as Error).message.slice(0, 500);
  }
  return {
    ...summary,
    model: model.id,
    revision: model.revision,
    source: info.source,
    series: info.series,
    reference: { from: info.train.from, to: new Date(info.train.to.getTime() + 1) },
    recent: fixedRecent ?? { from: new Date(recentTimes[0] ?? afterTrain.getTime()), to: new Date((recentTimes.at(-1) ?? afterTrain.getTime()) + 1) },
    newPoints,
    rollingError: errors,
  };
}

/** The drift_checks row of a trained model's check (rule null for the schedule's own checks). */
export function trainedDriftRow(report: TrainedDriftReport, { now, ruleId = null, psiThreshold = null, ksThreshold = null, fired = false }: { now: Date; ruleId?: string | null; psiThreshold?: number | null; ksThreshold?: number | null; fired?: boolean }): DriftCheckRow {
  return {
    time: now.toISOString(), ruleId, source: report.source, series: report.series, model: report.model,
    referenceFrom: report.reference.from.toISOString(), referenceTo: report.reference.to.toISOString(), recentFrom: report.recent.from.toISOString(), recentTo: report.recent.to.toISOString(),
    referenceCount: report.referenceCount, recentCount: report.recentCount, psi: report.psi, ksStatistic: report.ksStatistic, ksPValue: report.ksPValue,
    rollingError: { ...(report.rollingError as unknown as Record<string, unknown>), meanShift: report.meanShift }, psiThreshold, ksThreshold, fired, error: null,
  };
}

export interface ModelDriftRound {
  checked: string[];
  skipped: number;
  failed: { model: string; error: string }[];
}

/**
 * The schedule's task: every current trained revision whose newest check is older than
 * `everyMinutes` (or that has none) is checked and recorded in drift_checks (rule null). A check
 * that fails is recorded with its error, so the page says why there are no numbers.
 */
export async function checkTrainedModelsDrift({ handle, now = new Date(), everyMinutes = 60 }: { handle: DatabaseHandle; now?: Date; everyMinutes?: number }): Promise<ModelDriftRound> {
  const models = (await listTrainedModels(handle)).filter((row) => row.current);
  const latest = await latestModelDriftChecks(handle, { models: models.map((row) => row.id) });
  const round: ModelDriftRound = { checked: [], skipped: 0, failed: [] };
  for (const model of models) {
    const previous = latest.find((check) => check.model === model.id && check.ruleId === null && (check.rollingError as { revision?: string } | null)?.revision === model.revision);
    if (previous && now.getTime() - Date.parse(previous.time) < everyMinutes * 60_000) {
      round.skipped += 1;
      continue;
    }
    try {
      const report = await checkTrainedModelDrift({ handle, model });
      await insertDriftCheck(handle, trainedDriftRow(report, { now }));
      round.checked.push(`${model.id}@${model.revision}`);
    } catch (error) {
      const message = (error as Error).message.slice(0, 500);
      let info: TrainedWindowInfo | null = null;
      try {
        info = trainedWindow(model);
      } catch {
        info = null;
      }
      const at = now.toISOString();
      await insertDriftCheck(handle, {
        time: at, ruleId: null, source: info?.source ?? '', series: info?.series ?? '', model: model.id,
        referenceFrom: info?.train.from.toISOString() ?? at, referenceTo: info?.train.to.toISOString() ?? at, recentFrom: at, recentTo: at,
        referenceCount: 0, recentCount: 0, psi: null, ksStatistic: null, ksPValue: null, rollingError: { model: model.id, revision: model.revision }, psiThreshold: null, ksThreshold: null, fired: false, error: message,
      });
      round.failed.push({ model: `${model.id}@${model.revision}`, error: message });
    }
  }
  return round;
}
