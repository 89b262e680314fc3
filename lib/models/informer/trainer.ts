/**
 * The Informer trainer, one for every host (browser worker, Node job worker, bench): the host
 * injects the tf namespace (lib/runtime) and gets `train(config, data, hooks)`. MSE on the scaled
 * data, Adam, an epoch learning-rate schedule, early stopping on validation loss with patience,
 * global gradient-norm clipping, dropout, BatchNorm running statistics, and every random choice
 * (init, shuffling, dropout masks, ProbSparse key samples) derived from one seed, so a run resumed
 * from an epoch checkpoint continues exactly as the uninterrupted run would.
 */
import { LookaheadError } from '@/lib/core/errors';
import { adamStep, createAdam, disposeAdam, type AdamState } from './adam';
import { validateConfig, type InformerConfig } from './config';
import type { BatchNormUpdate } from './distil-conv';
import { BATCH_NORM_MOMENTUM } from './distil-conv';
import { InformerModel } from './model';
import { initialParameters, parameterSpecs } from './parameters';
import { seededKeySampler, seededRandom } from './sampler';
import { learningRateAt, type LearningRateSchedule } from './schedule';
import type { Tensor, Tf, Variable } from './tf';
import { makeBatch, windowCount, type SeriesSplit } from './windows';

export interface TrainingOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  schedule: LearningRateSchedule;
  /** Epochs without a validation improvement before stopping. */
  patience: number;
  /** Global gradient-norm clip; undefined: none. */
  clipNorm?: number;
  seed: number;
  /** Caps for quick runs (browser demos, benches); undefined: every window. */
  maxStepsPerEpoch?: number;
  maxValidationWindows?: number;
  /**
   * Wall-clock budget for the training loop (benches): once exceeded, the current epoch ends after
   * its step, is validated like any epoch, and training stops (`stoppedByBudget`).
   */
  maxSeconds?: number;
}

export interface TrainingConfig {
  model: InformerConfig;
  training: TrainingOptions;
}

export interface TrainingData {
  train: SeriesSplit;
  validation: SeriesSplit;
  test?: SeriesSplit;
}

export type NamedArrays = Record<string, { shape: number[]; values: Float32Array }>;

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
  learningRate: number;
  seconds: number;
}

export type TrainingProgress =
  | { kind: 'step'; epoch: number; step: number; stepsPerEpoch: number; loss: number; runningLoss: number; gradientNorm: number; stepsPerSecond: number; secondsLeft: number }
  | { kind: 'epoch'; record: EpochRecord; improved: boolean; best: number };

export interface TrainingCheckpoint {
  format: 'lookahead-informer-checkpoint-1';
  config: TrainingConfig;
  /** Epochs completed. */
  epoch: number;
  parameters: NamedArrays;
  adam: { step: number; m: NamedArrays; v: NamedArrays };
  history: EpochRecord[];
  stepLosses: number[];
  best: { validationLoss: number; epoch: number; parameters: NamedArrays };
  epochsWithoutImprovement: number;
}

export interface TrainingHooks {
  /** Awaited: a host pauses training by not resolving. */
  onProgress?(progress: TrainingProgress): void | Promise<void>;
  signal?: AbortSignal;
  checkpoint?: {
    /** Called after every epoch. */
    save?(checkpoint: TrainingCheckpoint): void | Promise<void>;
    /** Continue from here instead of a fresh start. */
    resume?: TrainingCheckpoint;
  };
}

export interface TrainingResult {
  /** The best epoch's weights (PyTorch names and layouts), running stats and fixed tables included. */
  parameters: Map<string, { shape: number[]; values: Float32Array }>;
  history: EpochRecord[];
  stepLosses: number[];
  bestEpoch: number;
  validation: { mse: number; mae: number };
  test?: { mse: number; mae: number };
  stoppedEarly: boolean;
  /** Stopped because `maxSeconds` ran out (the last epoch may be partial). */
  stoppedByBudget: boolean;
  seconds: number;
}

export interface Trainer {
  train(config: TrainingConfig, data: TrainingData, hooks?: TrainingHooks): Promise<TrainingResult>;
  evaluate(model: InformerModel, split: SeriesSplit, options?: { batchSize?: number; maxWindows?: number; seed?: number }): Promise<{ mse: number; mae: number; windows: number }>;
}

/** Mixes integers into one 31-bit seed (deterministic, well spread). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193);
    h ^= h >>> 13;
  }
  return (h >>> 0) % 2147483647;
}

function validateOptions(options: TrainingOptions): void {
  const positive = (key: keyof TrainingOptions) => {
    const value = options[key];
    if (typeof value !== 'number' || !(value > 0)) throw new LookaheadError('informer', 'bad_input', `training.${key} must be a positive number, got ${JSON.stringify(value)}`);
  };
  positive('epochs');
  positive('batchSize');
  positive('learningRate');
  if (!Number.isInteger(options.patience) || options.patience < 1) throw new LookaheadError('informer', 'bad_input', `training.patience must be an integer >= 1, got ${options.patience}`);
  if (!['halve', 'cosine', 'constant'].includes(options.schedule)) throw new LookaheadError('informer', 'bad_input', `training.schedule is ${JSON.stringify(options.schedule)}; valid: "halve", "cosine", "constant"`);
  if (options.clipNorm !== undefined && !(options.clipNorm > 0)) throw new LookaheadError('informer', 'bad_input', `training.clipNorm must be positive when set, got ${options.clipNorm}`);
}

function shuffled(count: number, random: () => number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

let runCounter = 0;

function cancelled(): LookaheadError {
  return new LookaheadError('informer', 'cancelled', 'training was cancelled');
}

async function readAll(parameters: Map<string, Tensor>): Promise<NamedArrays> {
  const out: NamedArrays = {};
  // Copied: some backends hand out their own buffer.
  for (const [name, tensor] of parameters) out[name] = { shape: [...tensor.shape], values: Float32Array.from((await tensor.data()) as Float32Array) };
  return out;
}

export function createTrainer(tf: Tf): Trainer {
  async function evaluate(model: InformerModel, split: SeriesSplit, options: { batchSize?: number; maxWindows?: number; seed?: number } = {}) {
    const total = windowCount(split, model.config);
    const count = Math.min(total, options.maxWindows ?? total);
    // Evenly spaced when capped, so a capped evaluation still spans the split.
    const starts = Array.from({ length: count }, (_, i) => (count === total ? i : Math.floor((i * total) / count)));
    const batchSize = options.batchSize ?? 32;
    let squared = 0;
    let absolute = 0;
    let n = 0;
    const sampler = seededKeySampler(options.seed ?? 0);
    for (let offset = 0; offset < starts.length; offset += batchSize) {
      const batch = makeBatch(tf, split, model.config, starts.slice(offset, offset + batchSize));
      const sums = tf.tidy(() => {
        const prediction = model.forward(batch.inputs, { sampler });
        const error = tf.sub(prediction, batch.target);
        return tf.stack([tf.sum(tf.square(error)), tf.sum(tf.abs(error))]);
      });
      const [sq, ab] = (await sums.data()) as Float32Array;
      sums.dispose();
      squared += sq!;
      absolute += ab!;
      n += batch.target.size;
      batch.dispose();
    }
    return { mse: n === 0 ? NaN : squared / n, mae: n === 0 ? NaN : absolute / n, windows: count };
  }

  async function train(config: TrainingConfig, data: TrainingData, hooks: TrainingHooks = {}): Promise<TrainingResult> {
    const modelConfig = validateConfig(config.model);
    const options = config.training;
    validateOptions(options);
    const trainWindows = windowCount(data.train, modelConfig);
    const validationWindows = windowCount(data.validation, modelConfig);
    if (trainWindows < 1) throw new LookaheadError('informer', 'bad_input', `the train split has ${data.train.rows} rows; it needs at least contextLength + horizon = ${modelConfig.contextLength + modelConfig.horizon}`);
    if (validationWindows < 1) throw new LookaheadError('informer', 'bad_input', `the validation split has ${data.validation.rows} rows; it needs at least contextLength + horizon = ${modelConfig.contextLength + modelConfig.horizon}`);

    const resume = hooks.checkpoint?.resume;
    const started = performance.now();
    const initial = resume ? new Map(Object.entries(resume.parameters)) : initialParameters(modelConfig, mixSeed(options.seed, 1));
    const roles = new Map(parameterSpecs(modelConfig).map((spec) => [spec.name, spec.role]));
    const run = ++runCounter;
    const variables = new Map<string, Variable>();
    const trainable = new Map<string, Variable>();
    for (const [name, { shape, values }] of initial) {
      const role = roles.get(name);
      if (role === undefined) throw new LookaheadError('informer', 'bad_input', `checkpoint parameter ${name} is not part of this config`);
      // Inside tidy: the initial tensor is freed, the variable (never tidied) stays.
      const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), role === 'trained', `informer-${run}/${name}`));
      variables.set(name, variable);
      if (role === 'trained') trainable.set(name, variable);
    }
    const model = new InformerModel(tf, modelConfig, variables as Map<string, Tensor>);
    const adam: AdamState = createAdam(tf, trainable);
    if (resume) {
      adam.step = resume.adam.step;
      for (const [name, moment] of adam.moments) {
        tf.tidy(() => {
          moment.m.assign(tf.tensor(resume.adam.m[name]!.values, resume.adam.m[name]!.shape));
          moment.v.assign(tf.tensor(resume.adam.v[name]!.values, resume.adam.v[name]!.shape));
        });
      }
    }
    const history: EpochRecord[] = resume ? [...resume.history] : [];
    const stepLosses: number[] = resume ? [...resume.stepLosses] : [];
    let best = resume ? { ...resume.best } : { validationLoss: Infinity, epoch: -1, parameters: await readAll(variables) };
    let epochsWithoutImprovement = resume?.epochsWithoutImprovement ?? 0;
    let stoppedEarly = false;
    let stoppedByBudget = false;
    const overBudget = () => options.maxSeconds !== undefined && (performance.now() - started) / 1000 >= options.maxSeconds;
    const stepsPerEpoch = Math.min(Math.ceil(trainWindows / options.batchSize), options.maxStepsPerEpoch ?? Infinity);
    const totalSteps = stepsPerEpoch * options.epochs;
    let stepsDone = 0;
    const stepClock = performance.now();

    try {
      for (let epoch = resume?.epoch ?? 0; epoch < options.epochs; epoch++) {
        const epochStarted = performance.now();
        const learningRate = learningRateAt(options.schedule, options.learningRate, epoch, options.epochs);
        const order = shuffled(trainWindows, seededRandom(mixSeed(options.seed, 2, epoch)));
        let lossSum = 0;
        let stepsRun = 0;
        for (let step = 0; step < stepsPerEpoch; step++) {
          if (step > 0 && overBudget()) {
            stoppedByBudget = true;
            break;
          }
          if (hooks.signal?.aborted) throw cancelled();
          const starts = order.slice(step * options.batchSize, (step + 1) * options.batchSize);
          const batch = makeBatch(tf, data.train, modelConfig, starts);
          const batchNormUpdates: BatchNormUpdate[] = [];
          const sampler = seededKeySampler(mixSeed(options.seed, 3, epoch, step));
          const dropoutSeed = mixSeed(options.seed, 4, epoch, step);
          const { value, grads } = tf.variableGrads(() => {
            const prediction = model.forward(batch.inputs, { training: true, sampler, dropoutSeed, batchNormUpdates });
            return tf.mean(tf.square(tf.sub(prediction, batch.target))) as never;
          }, [...trainable.values()]);
          const loss = (await value.data())[0]!;
          value.dispose();
          if (!Number.isFinite(loss)) {
            tf.dispose(grads);
            batch.dispose();
            throw new LookaheadError('informer', 'internal', `training diverged: loss ${loss} at epoch ${epoch + 1}, step ${step + 1} (learning rate ${learningRate}); lower the learning rate or set clipNorm`);
          }
          const byName: Record<string, Tensor> = {};
          for (const [name, variable] of trainable) byName[name] = grads[variable.name]!;
          const gradientNorm = await adamStep(tf, adam, trainable, byName, learningRate, options.clipNorm);
          tf.dispose(grads);
          for (const update of batchNormUpdates) {
            tf.tidy(() => {
              const mean = variables.get(`${update.prefix}.running_mean`)!;
              const variance = variables.get(`${update.prefix}.running_var`)!;
              mean.assign(tf.add(tf.mul(mean, 1 - BATCH_NORM_MOMENTUM), tf.mul(update.mean, BATCH_NORM_MOMENTUM)));
              variance.assign(tf.add(tf.mul(variance, 1 - BATCH_NORM_MOMENTUM), tf.mul(update.variance, BATCH_NORM_MOMENTUM)));
            });
            update.mean.dispose();
            update.variance.dispose();
          }
          batch.dispose();
          lossSum += loss;
          stepsRun++;
          stepLosses.push(loss);
          stepsDone++;
          const elapsed = (performance.now() - stepClock) / 1000;
          const stepsPerSecond = stepsDone / Math.max(elapsed, 1e-9);
          const remaining = totalSteps - (epoch * stepsPerEpoch + step + 1);
          await hooks.onProgress?.({ kind: 'step', epoch, step, stepsPerEpoch, loss, runningLoss: lossSum / (step + 1), gradientNorm, stepsPerSecond, secondsLeft: remaining / stepsPerSecond });
        }
        if (hooks.signal?.aborted) throw cancelled();
        const validation = await evaluate(model, data.validation, { batchSize: options.batchSize, maxWindows: options.maxValidationWindows, seed: options.seed });
        const record: EpochRecord = { epoch, trainLoss: lossSum / Math.max(1, stepsRun), validationLoss: validation.mse, learningRate, seconds: (performance.now() - epochStarted) / 1000 };
        history.push(record);
        const improved = validation.mse < best.validationLoss;
        if (improved) {
          best = { validationLoss: validation.mse, epoch, parameters: await readAll(variables) };
          epochsWithoutImprovement = 0;
        } else {
          epochsWithoutImprovement++;
        }
        await hooks.onProgress?.({ kind: 'epoch', record, improved, best: best.validationLoss });
        if (hooks.checkpoint?.save) {
          const m: NamedArrays = {};
          const v: NamedArrays = {};
          for (const [name, moment] of adam.moments) {
            m[name] = { shape: [...moment.m.shape], values: Float32Array.from((await moment.m.data()) as Float32Array) };
            v[name] = { shape: [...moment.v.shape], values: Float32Array.from((await moment.v.data()) as Float32Array) };
          }
          await hooks.checkpoint.save({
            format: 'lookahead-informer-checkpoint-1', config, epoch: epoch + 1, parameters: await readAll(variables),
            adam: { step: adam.step, m, v }, history: [...history], stepLosses: [...stepLosses], best, epochsWithoutImprovement,
          });
        }
        if (epochsWithoutImprovement >= options.patience) {
          stoppedEarly = true;
          break;
        }
        if (stoppedByBudget || overBudget()) {
          stoppedByBudget = true;
          break;
        }
      }
    } finally {
      disposeAdam(adam);
      model.dispose();
    }

    const bestParameters = new Map(Object.entries(best.parameters));
    const bestModel = InformerModel.fromWeights(tf, modelConfig, bestParameters);
    try {
      const validation = await evaluate(bestModel, data.validation, { batchSize: options.batchSize, maxWindows: options.maxValidationWindows, seed: options.seed });
      const test = data.test ? await evaluate(bestModel, data.test, { batchSize: options.batchSize, seed: options.seed }) : undefined;
      return {
        parameters: bestParameters, history, stepLosses, bestEpoch: best.epoch,
        validation: { mse: validation.mse, mae: validation.mae },
        ...(test ? { test: { mse: test.mse, mae: test.mae } } : {}),
        stoppedEarly, stoppedByBudget, seconds: (performance.now() - started) / 1000,
      };
    } finally {
      bestModel.dispose();
    }
  }

  return { train, evaluate };
}
