/// <reference lib="webworker" />
import { LookaheadError, toErrorPayload } from '@/lib/core/errors';
import {
  calibrateResiduals, createTrainer, dataWindowRanges, decodeCheckpoint, encodeCheckpoint, encodeSafetensors, InformerModel, prepareSeries, trainingSetup, windowCount,
  type TrainingCheckpoint, type TrainingProgress,
} from '@/lib/models/informer';
import { chooseDevice, detectDevices, type DeviceChoice, type DevicePreference } from '@/lib/runtime/device';
import { readSeriesWindow } from '@/lib/client/read-series';
import { loadTrainingRun, saveTrainingRun, type SavedTrainingRun } from '@/lib/client/training-store';
import type { BrowserTrainingJob, TrainedModelRecord, TrainingWorkerRequest, TrainingWorkerResponse } from '@/lib/client/training-protocol';

/**
 * The browser training worker: reads the series, fits an Informer with the trainer the server's
 * `train` job uses (lib/models/informer createTrainer), on TensorFlow.js WebGPU when the device
 * rules choose it (a software SwiftShader adapter is passed over for WASM unless chosen) and WASM
 * otherwise, saves a checkpoint to IndexedDB after every epoch, and posts the best weights with
 * their record for the page to store on the server. Pause holds the trainer at its next step
 * (it awaits the progress hook); cancel aborts between steps.
 */
declare const self: DedicatedWorkerGlobalScope;

function post(message: TrainingWorkerResponse, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

interface ActiveRun {
  id: string;
  controller: AbortController;
  paused: { promise: Promise<void>; resolve: () => void } | null;
}
let active: ActiveRun | null = null;

/** The tf namespace on the chosen device; WebGPU that fails to start falls back to WASM, saying why. */
async function startTf(preference: DevicePreference | undefined): Promise<{ tf: Awaited<ReturnType<typeof import('@/lib/runtime/tfjs-browser').loadTf>>; device: DeviceChoice }> {
  const report = await detectDevices(self as never);
  // One WASM thread: tfjs 4.22's threaded build crashes under COOP/COEP (lib/runtime/tfjs.ts).
  const choice = chooseDevice({ ...report, wasm: { ...report.wasm, threads: 1 } }, preference ?? 'auto');
  const { loadTf } = await import('@/lib/runtime/tfjs-browser');
  if (choice.device === 'webgpu') {
    try {
      return { tf: await loadTf('webgpu'), device: { ...choice, label: `TensorFlow.js ${choice.label}` } };
    } catch (error) {
      const tf = await loadTf('wasm', { wasmPaths: new URL('/wasm/tfjs/', self.location.origin).href });
      return { tf, device: { device: 'wasm', label: 'TensorFlow.js WASM, 1 thread', reason: `TensorFlow.js WebGPU failed (${(error as Error).message}); using WASM` } };
    }
  }
  const tf = await loadTf('wasm', { wasmPaths: new URL('/wasm/tfjs/', self.location.origin).href });
  return { tf, device: { ...choice, label: `TensorFlow.js ${choice.label}` } };
}

/** Reads the job's series once (a resumed run reuses the copy kept in IndexedDB). */
async function readJobSeries(id: string, job: BrowserTrainingJob, signal: AbortSignal): Promise<SavedTrainingRun['series']> {
  post({ kind: 'status', id, message: 'reading the series' });
  const series = await readSeriesWindow(job.source, { origin: self.location.origin, signal, onProgress: (message) => post({ kind: 'status', id, message }) });
  if (!series.timestampsMs) throw new LookaheadError('training', 'bad_input', 'Informer needs timestamps (its time features are an input); this series has none');
  return { timestampsMs: series.timestampsMs, values: series.values, frequency: series.frequency?.label ?? null };
}

async function train(run: ActiveRun, saved: SavedTrainingRun, device: DevicePreference | undefined): Promise<void> {
  const { id, controller } = run;
  const { job } = saved;
  const { config, training, label } = trainingSetup(job.request);
  const prepared = prepareSeries(saved.series, config, { subsystem: 'training', name: `the series (${job.dataWindow.column})` });
  const resume: TrainingCheckpoint | undefined = saved.checkpoint ? decodeCheckpoint(saved.checkpoint) : undefined;
  post({ kind: 'status', id, message: 'starting TensorFlow.js' });
  const { tf, device: chosen } = await startTf(device);
  const trainWindows = windowCount(prepared.data.train, config);
  const stepsPerEpoch = Math.min(Math.ceil(trainWindows / training.batchSize), training.maxStepsPerEpoch ?? Infinity);
  post({
    kind: 'started', id, runId: job.runId, job, device: chosen, resumedFromEpoch: resume?.epoch ?? 0, epochs: training.epochs, stepsPerEpoch,
    history: resume?.history ?? [], stepLosses: resume?.stepLosses ?? [], rows: prepared.rows,
  });
  const trainer = createTrainer(tf);
  const result = await trainer.train({ model: config, training }, prepared.data, {
    signal: controller.signal,
    onProgress: async (progress: TrainingProgress) => {
      post({ kind: 'progress', id, progress });
      // tfjs's cpu/wasm reads resolve as microtasks, so without a macrotask turn here the worker
      // would never see a pause or cancel message until training ended.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (run.paused) await run.paused.promise;
    },
    checkpoint: {
      save: async (checkpoint) => {
        const bytes = encodeCheckpoint(checkpoint);
        await saveTrainingRun({ ...saved, epoch: checkpoint.epoch, checkpoint: bytes, history: checkpoint.history, updatedAt: new Date().toISOString() });
        post({ kind: 'checkpoint', id, epoch: checkpoint.epoch, bytes: bytes.byteLength });
      },
      ...(resume ? { resume } : {}),
    },
  });
  post({ kind: 'status', id, message: 'calibrating intervals on the validation split' });
  const best = InformerModel.fromWeights(tf, config, result.parameters);
  let calibration;
  try {
    calibration = await calibrateResiduals(tf, best, prepared.data.validation, { seed: training.seed });
  } finally {
    best.dispose();
  }
  const ranges = dataWindowRanges(saved.series.timestampsMs, prepared.splits);
  const record: TrainedModelRecord = {
    id: job.modelId,
    label: job.label || `Informer ${label}: ${job.dataWindow.source} ${job.dataWindow.column}`,
    config: { preset: { task: job.request.task, size: job.request.size }, model: { ...config }, training: { ...training }, scaler: prepared.scaler, frequency: saved.series.frequency },
    dataWindow: { ...job.dataWindow, frequency: saved.series.frequency, range: ranges.range, filledValues: prepared.filled, splits: ranges.splits },
    metrics: {
      validation: result.validation, ...(result.test ? { test: result.test } : {}), units: 'scaled (the StandardScaler fitted on the train split)',
      bestEpoch: result.bestEpoch, stoppedEarly: result.stoppedEarly, seconds: result.seconds, resumedFromEpoch: resume?.epoch ?? null, device: chosen.label,
    },
    history: { epochs: result.history, stepLosses: result.stepLosses },
    calibration,
    trainingRunId: job.runId,
  };
  const weights = encodeSafetensors(result.parameters);
  post({ kind: 'trained', id, record, weights, seconds: result.seconds }, [weights.buffer as ArrayBuffer]);
}

async function start(id: string, work: (run: ActiveRun) => Promise<void>): Promise<void> {
  if (active) throw new LookaheadError('training', 'bad_input', 'a training run is already going in this tab; cancel it first');
  const run: ActiveRun = { id, controller: new AbortController(), paused: null };
  active = run;
  try {
    await work(run);
  } finally {
    run.paused?.resolve();
    active = null;
  }
}

self.onmessage = async (event: MessageEvent<TrainingWorkerRequest>) => {
  const request = event.data;
  try {
    switch (request.kind) {
      case 'train':
        await start(request.id, async (run) => {
          const series = await readJobSeries(request.id, request.job, run.controller.signal);
          const now = new Date().toISOString();
          const epochs = trainingSetup(request.job.request).training.epochs;
          const saved: SavedTrainingRun = { runId: request.job.runId, job: request.job, series, epoch: 0, epochs, checkpoint: null, history: [], createdAt: now, updatedAt: now };
          // Saved before the first epoch, so a reload at any point finds the run (and its data window).
          await saveTrainingRun(saved);
          await train(run, saved, request.job.device);
        });
        return;
      case 'resume':
        await start(request.id, async (run) => {
          const saved = await loadTrainingRun(request.runId);
          if (!saved) throw new LookaheadError('training', 'not_found', `no saved training run "${request.runId}" in this browser`);
          await train(run, saved, request.device ?? saved.job.device);
        });
        return;
      case 'pause':
        if (active && !active.paused) {
          let resolve!: () => void;
          const promise = new Promise<void>((done) => (resolve = done));
          active.paused = { promise, resolve };
          post({ kind: 'paused', id: active.id });
        }
        return;
      case 'continue':
        if (active?.paused) {
          active.paused.resolve();
          active.paused = null;
          post({ kind: 'continued', id: active.id });
        }
        return;
      case 'cancel':
        if (active) {
          active.controller.abort();
          active.paused?.resolve();
          active.paused = null;
        }
        return;
    }
  } catch (error) {
    post({ kind: 'error', id: request.id, error: toErrorPayload(error) });
  }
};
