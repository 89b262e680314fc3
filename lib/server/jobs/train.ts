import 'server-only';
import { z } from 'zod';
import { LookaheadError } from '@/lib/core/errors';
import {
  calibrateResiduals, createTrainer, INFORMER_NETWORK_BOUNDS, dataWindowRanges, decodeCheckpoint, encodeCheckpoint, encodeSafetensors, InformerModel, prepareSeries,
  trainingSetup as sharedTrainingSetup, type EpochRecord, type InformerConfig, type TrainingOptions, type TrainingProgress,
} from '@/lib/models/informer';
import { loadTf } from '@/lib/runtime/tfjs-node';
import { storeTrainedModel, TRAINED_ID_PATTERN, type TrainedConfig } from '@/lib/server/models/trained';
import {
  deleteTrainingCheckpoint, getTrainingCheckpoint, getTrainingProgress, insertTrainingMetrics, listResults, saveTrainingCheckpoint, setTrainingProgress, upsertTrainingRun,
  type DatabaseHandle, type TrainingMetricRow,
} from '@/db';
import type { ChunkFailure, JobKind } from './kinds';
import { listSeriesIds, openSeriesSource, readSeries } from './series-reader';

/**
 * train: fits an Informer (a seed-000 preset and size, optional overrides) to one series of a
 * source with the same trainer the browser uses (tfjs WASM in the worker process). The job has one
 * item, the series; its run id is `train-<job id>`, so a retried chunk (a lost worker) resumes from
 * the newest epoch checkpoint in `training_checkpoints`. Each step and epoch goes to
 * `training_metrics` (batched per epoch and every few seconds), the live progress to
 * `training_progress` (the job's event stream shows it), the run to `training_runs`; the best
 * epoch's weights, with intervals calibrated on the validation split, are stored as a new revision
 * of the trained model (current), listed by GET /api/models.
 */

export const TRAIN_LIMITS = { maxPoints: 200_000, defaultPoints: 20_000, maxEpochs: 100 } as const;

const overrideSchema = z
  .object({
    ...INFORMER_NETWORK_BOUNDS,
    dropout: z.number().min(0).lt(1),
    factor: z.number().int().min(1).max(20),
    attention: z.enum(['prob', 'full']),
    timeEmbedding: z.enum(['timeF', 'fixed', 'learned']),
    distil: z.boolean(),
  })
  .partial()
  .strict();

export const trainSchema = z
  .object({
    source: z.string().min(1, 'name a source id (GET /api/sources lists them)').max(200),
    window: z.record(z.string().max(100), z.string().max(2000)).default({}),
    /** The series to train on; omitted: the window's only series. */
    series: z.string().max(1000).optional(),
    task: z.string().min(1).max(40).default('energy'),
    size: z.string().min(1).max(40).default('small'),
    overrides: overrideSchema.optional(),
    epochs: z.number().int().min(1).max(TRAIN_LIMITS.maxEpochs, `epochs must be at most ${TRAIN_LIMITS.maxEpochs}`).optional(),
    batchSize: z.number().int().min(1).max(1024).optional(),
    learningRate: z.number().positive().max(1).optional(),
    schedule: z.enum(['halve', 'cosine', 'constant'], { error: 'schedule must be "halve", "cosine" or "constant"' }).optional(),
    patience: z.number().int().min(1).max(100).optional(),
    clipNorm: z.number().positive().optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    maxStepsPerEpoch: z.number().int().min(1).optional(),
    maxValidationWindows: z.number().int().min(1).optional(),
    /** Newest points of the series read (train/validation/test are 70/10/20 of them). */
    points: z.number().int().min(10).max(TRAIN_LIMITS.maxPoints, `points must be at most ${TRAIN_LIMITS.maxPoints}`).default(TRAIN_LIMITS.defaultPoints),
    /** The trained model's id (new revisions of an existing id become current). */
    modelId: z.string().regex(TRAINED_ID_PATTERN, `modelId must start with "informer-" and use lower-case letters, digits and "-" (at most 72 characters)`).optional(),
    label: z.string().min(1).max(200).optional(),
  })
  .strict();

export type TrainParams = z.infer<typeof trainSchema>;

export interface TrainPayload {
  model: string;
  revision: string;
  sha256: string;
  metrics: Record<string, unknown>;
  epochs: number;
  bestEpoch: number;
  stoppedEarly: boolean;
  seconds: number;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'series';
}

export function trainedModelId(params: TrainParams, seriesId: string): string {
  return params.modelId ?? `informer-${slug(params.task)}-${slug(params.size)}-${slug(`${params.source}-${seriesId}`)}`.slice(0, 72).replace(/-+$/, '');
}

/** The network config and training options a request asks for (validated: 4xx naming the field); the browser trainer uses the same function. */
export function trainingSetup(params: TrainParams): { config: InformerConfig; training: TrainingOptions; label: string } {
  return sharedTrainingSetup({ ...params, ...(params.overrides ? { overrides: params.overrides as Partial<InformerConfig> } : {}) } as never);
}

export function trainRunId(jobId: string): string {
  return `train-${jobId}`;
}

async function seriesToTrain(params: TrainParams, handle: DatabaseHandle): Promise<string> {
  const source = await openSeriesSource({ sourceId: params.source, window: params.window, handle });
  if (params.series !== undefined) return params.series;
  const { ids } = await listSeriesIds(source, 10_000);
  if (ids.length === 1) return ids[0]!;
  if (ids.length === 0) throw new LookaheadError('jobs', 'bad_input', `source "${params.source}" has no series in this window; check window.table, window.start and window.end`);
  throw new LookaheadError('jobs', 'bad_input', `source "${params.source}" has ${ids.length} series in this window (e.g. "${ids[0]!.slice(0, 60)}"); name the one to train on in "series"`);
}

export const trainKind: JobKind<TrainParams> = {
  kind: 'train',
  label: 'Train Informer',
  schema: trainSchema,
  async plan(params, context) {
    const { config, label } = trainingSetup(params);
    const series = await seriesToTrain(params, context.handle);
    return { series: [series], title: `train Informer ${label} (${config.contextLength} -> ${config.horizon}) on ${params.source}${series ? ` "${series.slice(0, 60)}"` : ''} as ${trainedModelId(params, series)}` };
  },
  async runChunk(params, context) {
    const { handle, items, signal, jobId } = context;
    const failures: ChunkFailure[] = [];
    for (const item of items) {
      const runId = trainRunId(jobId);
      const modelId = trainedModelId(params, item.id);
      const { config, training, label } = trainingSetup(params);
      const run = { id: runId, model: modelId, origin: 'job' as const, device: 'tfjs-wasm', jobId, parameters: { ...params, config, training } };
      await upsertTrainingRun(handle, { ...run, status: 'running' });
      try {
        const source = await openSeriesSource({ sourceId: params.source, window: params.window, handle: context.readHandle });
        const series = await readSeries(source, item.id, params.points, signal, context.settings.readTimeoutSeconds);
        const { data, scaler, splits, filled } = prepareSeries(series, config, { subsystem: 'jobs', name: `series "${item.id}"` });
        const tf = await loadTf('wasm');
        const trainer = createTrainer(tf);
        const stored = await getTrainingCheckpoint(handle, { runId });
        const resume = stored ? decodeCheckpoint(stored.checkpoint) : undefined;
        const reporter = progressReporter(handle, runId, modelId, resume?.history ?? []);
        const result = await trainer.train({ model: config, training }, data, {
          signal,
          onProgress: (progress) => reporter.report(progress, training),
          checkpoint: {
            save: async (checkpoint) => saveTrainingCheckpoint(handle, { runId, epoch: checkpoint.epoch, checkpoint: encodeCheckpoint(checkpoint) }),
            ...(resume ? { resume } : {}),
          },
        });
        await reporter.flush();
        const best = InformerModel.fromWeights(tf, config, result.parameters);
        let calibration;
        try {
          calibration = await calibrateResiduals(tf, best, data.validation, { seed: training.seed });
        } finally {
          best.dispose();
        }
        const metrics = { validation: result.validation, ...(result.test ? { test: result.test } : {}), units: 'scaled (the StandardScaler fitted on the train split)', bestEpoch: result.bestEpoch, stoppedEarly: result.stoppedEarly, seconds: result.seconds, resumedFromEpoch: resume?.epoch ?? null };
        const trainedConfig: TrainedConfig = { preset: { task: params.task, size: params.size }, model: config, training: { ...training }, scaler, frequency: series.frequency?.label ?? null };
        const ranges = dataWindowRanges(series.timestampsMs, splits);
        const saved = await storeTrainedModel(handle, {
          id: modelId,
          label: params.label ?? `Informer ${label}: ${params.source}${item.id ? ` ${item.id}` : ''}`,
          weights: encodeSafetensors(result.parameters),
          config: trainedConfig,
          dataWindow: {
            source: params.source, table: params.window.table ?? null, window: params.window, series: item.id, frequency: series.frequency?.label ?? null,
            range: ranges.range, filledValues: filled,
            splits: ranges.splits,
          },
          metrics,
          history: { epochs: result.history, stepLosses: result.stepLosses },
          calibration,
          jobId,
          trainingRunId: runId,
        });
        const payload: TrainPayload = { model: saved.id, revision: saved.revision, sha256: saved.sha256, metrics, epochs: result.history.length, bestEpoch: result.bestEpoch, stoppedEarly: result.stoppedEarly, seconds: result.seconds };
        await context.write([{ seriesId: item.id, position: item.position, status: 'ok', payload: payload as unknown as Record<string, unknown>, error: null }]);
        await deleteTrainingCheckpoint(handle, { runId });
        await upsertTrainingRun(handle, { ...run, revision: saved.revision, status: 'succeeded', finishedAt: new Date().toISOString() });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await upsertTrainingRun(handle, { ...run, status: signal.aborted ? 'cancelled' : 'failed', error: message.slice(0, 2000), finishedAt: new Date().toISOString() }).catch(() => undefined);
        if (signal.aborted) throw error;
        failures.push({ id: item.id, position: item.position, error: message });
      }
    }
    return failures;
  },
  async summarize(_params, { handle, jobId }) {
    const [result] = await listResults({ handle, jobId, status: 'ok', limit: 1 });
    const progress = await getTrainingProgress(handle, { runId: trainRunId(jobId) });
    return { ...(result?.payload ? { trained: result.payload } : {}), ...(progress ? { progress } : {}) };
  },
  async progress(_params, { handle, jobId }) {
    return getTrainingProgress(handle, { runId: trainRunId(jobId) });
  },
  exportRows(_params, payload) {
    const result = payload as unknown as TrainPayload;
    return [{ model: result.model, revision: result.revision, sha256: result.sha256, epochs: result.epochs, bestEpoch: result.bestEpoch, seconds: result.seconds }];
  },
};

/**
 * Step and epoch metrics into training_metrics (written per epoch and at most every 2 s), and the
 * latest progress into training_progress for the event stream.
 */
function progressReporter(handle: DatabaseHandle, runId: string, model: string, resumedHistory: readonly EpochRecord[]) {
  let pending: TrainingMetricRow[] = [];
  let lastWrite = 0;
  let lastStep = performance.now();
  // A resumed run's chart keeps the epochs the lost worker finished.
  let latest: Record<string, unknown> = { history: resumedHistory.map((record) => ({ epoch: record.epoch + 1, trainLoss: record.trainLoss, validationLoss: record.validationLoss, learningRate: record.learningRate, seconds: record.seconds })) };
  const flush = async () => {
    const rows = pending;
    pending = [];
    lastWrite = performance.now();
    await insertTrainingMetrics(handle, rows);
    await setTrainingProgress(handle, { runId, progress: latest });
  };
  return {
    flush,
    async report(progress: TrainingProgress, training: TrainingOptions) {
      const now = performance.now();
      const time = new Date().toISOString();
      const base = { time, runId, model, device: 'tfjs-wasm' };
      if (progress.kind === 'step') {
        const globalStep = progress.epoch * progress.stepsPerEpoch + progress.step;
        pending.push({ ...base, epoch: progress.epoch, step: globalStep, trainLoss: progress.loss, valLoss: null, learningRate: null, gradNorm: progress.gradientNorm, stepMs: now - lastStep });
        lastStep = now;
        latest = { kind: 'step', epoch: progress.epoch + 1, epochs: training.epochs, step: progress.step + 1, stepsPerEpoch: progress.stepsPerEpoch, loss: progress.loss, runningLoss: progress.runningLoss, stepsPerSecond: progress.stepsPerSecond, secondsLeft: progress.secondsLeft, history: (latest.history as unknown[]) ?? [] };
        if (now - lastWrite > 2000) await flush();
      } else {
        const { record } = progress;
        pending.push({ ...base, epoch: record.epoch, step: null, trainLoss: record.trainLoss, valLoss: record.validationLoss, learningRate: record.learningRate, gradNorm: null, stepMs: null });
        const history = [...((latest.history as unknown[]) ?? []), { epoch: record.epoch + 1, trainLoss: record.trainLoss, validationLoss: record.validationLoss, learningRate: record.learningRate, seconds: record.seconds }];
        latest = { ...latest, kind: 'epoch', epoch: record.epoch + 1, epochs: training.epochs, bestValidationLoss: progress.best, improved: progress.improved, history };
        await flush();
      }
    },
  };
}
