'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ForecastConfig } from '@/lib/config';
import type { SeriesSource } from '@/lib/client/protocol';
import type { BrowserTrainingJob, TrainingWorkerRequest, TrainingWorkerResponse } from '@/lib/client/training-protocol';
import { deleteTrainingRun, listTrainingRuns, type SavedTrainingSummary } from '@/lib/client/training-store';
import { TrainingTelemetry } from '@/lib/client/training-telemetry';
import { uploadTrainedModel } from '@/lib/client/trained-upload';
import type { EpochRecord, TrainingRequest } from '@/lib/models/informer';
import { loadInformerPresets } from '@/lib/models/informer/presets';
import type { DevicePreference } from '@/lib/runtime/device';
import { CHART_COLORS, CHART_FONT } from './chart-style';

/**
 * Train an Informer in this browser on the series the workbench has selected: a preset (task and
 * size) and settings with the preset's defaults, a live loss chart (running train loss per step,
 * train and validation loss per epoch), steps/s and time left, pause, resume and cancel. The
 * training worker checkpoints each epoch to IndexedDB, so after a reload the panel offers to
 * resume from the saved epoch. The finished model is stored on the server (POST
 * /api/models/trained) and joins the workbench's model list and backtest comparison.
 */
export interface TrainingPanelProps {
  currentConfig: () => ForecastConfig;
  /** The series source the workbench would read for this configuration (null: a tab-only file). */
  sourceFor: (config: ForecastConfig, limit: number) => SeriesSource | null;
  device: DevicePreference;
  /** After a model is stored: the workbench re-reads its model list and may select it. */
  onTrained: (modelId: string) => void;
}

const PRESETS = loadInformerPresets();

type Phase = 'idle' | 'starting' | 'running' | 'paused' | 'saving' | 'done' | 'failed' | 'cancelled';

interface StepPoint { step: number; loss: number; running: number }
interface EpochPoint { epoch: number; train: number; validation: number | null }

interface RunView {
  runId: string;
  modelId: string;
  phase: Phase;
  message: string;
  device: string | null;
  epochs: number;
  stepsPerEpoch: number;
  resumedFromEpoch: number | null;
  checkpointEpoch: number;
  steps: StepPoint[];
  epochPoints: EpochPoint[];
  stepsPerSecond: number | null;
  secondsLeft: number | null;
  saved: { id: string; revision: string } | null;
}

/** Fields shown under "Network and speed" (empty: the preset's value). */
const OVERRIDE_FIELDS = [
  ['contextLength', 'Context length'],
  ['labelLength', 'Label length'],
  ['horizon', 'Horizon'],
  ['dModel', 'd_model'],
  ['heads', 'Heads'],
  ['encoderLayers', 'Encoder layers'],
  ['decoderLayers', 'Decoder layers'],
  ['dFeedForward', 'd_ff'],
] as const;

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 30) || 'series';
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Step points from a checkpoint's losses: the running loss restarts each epoch, as the trainer's does. */
function stepPointsFrom(losses: readonly number[], stepsPerEpoch: number): StepPoint[] {
  let sum = 0;
  return losses.map((loss, index) => {
    if (index % stepsPerEpoch === 0) sum = 0;
    sum += loss;
    return { step: index + 1, loss, running: sum / ((index % stepsPerEpoch) + 1) };
  });
}

const epochPoint = (record: EpochRecord): EpochPoint => ({ epoch: record.epoch + 1, train: record.trainLoss, validation: Number.isFinite(record.validationLoss) ? record.validationLoss : null });

function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '?';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

export function TrainingPanel({ currentConfig, sourceFor, device, onTrained }: TrainingPanelProps) {
  const workerRef = useRef<Worker | null>(null);
  const telemetryRef = useRef<TrainingTelemetry | null>(null);
  const lastStepAt = useRef<number>(0);
  const [task, setTask] = useState('energy');
  const [size, setSize] = useState('small');
  const [epochs, setEpochs] = useState(PRESETS.training.epochs);
  const [batchSize, setBatchSize] = useState(PRESETS.training.batchSize);
  const [learningRate, setLearningRate] = useState(PRESETS.training.learningRate);
  const [schedule, setSchedule] = useState<TrainingRequest['schedule']>(PRESETS.training.schedule);
  const [patience, setPatience] = useState(PRESETS.training.patience);
  const [points, setPoints] = useState(20000);
  const [maxSteps, setMaxSteps] = useState('');
  const [maxValidation, setMaxValidation] = useState('');
  const [overrides, setOverrides] = useState<Record<string, string>>({});
  const [modelId, setModelId] = useState('');
  const [run, setRun] = useState<RunView | null>(null);
  const [savedRuns, setSavedRuns] = useState<SavedTrainingSummary[]>([]);
  const [error, setError] = useState<string | null>(null);

  const refreshSaved = useCallback(() => {
    listTrainingRuns().then(setSavedRuns, (failure: Error) => setError(failure.message));
  }, []);
  useEffect(() => {
    refreshSaved();
    return () => workerRef.current?.terminate();
  }, [refreshSaved]);

  const update = (change: Partial<RunView> | ((view: RunView) => Partial<RunView>)) =>
    setRun((view) => (view ? { ...view, ...(typeof change === 'function' ? change(view) : change) } : view));

  const onMessage = useCallback(
    async (message: TrainingWorkerResponse) => {
      const telemetry = telemetryRef.current;
      switch (message.kind) {
        case 'status':
          update({ message: message.message });
          return;
        case 'started': {
          const stepsPerEpoch = Math.max(1, message.stepsPerEpoch);
          telemetryRef.current = new TrainingTelemetry({
            id: message.runId, model: message.job.modelId, status: 'running', device: message.device.label,
            parameters: { ...message.job.request, points: message.job.points, dataWindow: message.job.dataWindow, resumedFromEpoch: message.resumedFromEpoch },
          });
          telemetryRef.current.status('running');
          lastStepAt.current = performance.now();
          update({
            phase: 'running',
            device: `${message.device.label}. ${message.device.reason}`,
            epochs: message.epochs,
            stepsPerEpoch,
            resumedFromEpoch: message.resumedFromEpoch > 0 ? message.resumedFromEpoch : null,
            checkpointEpoch: message.resumedFromEpoch,
            steps: stepPointsFrom(message.stepLosses, stepsPerEpoch),
            epochPoints: message.history.map(epochPoint),
            message: message.resumedFromEpoch > 0 ? `resumed from the checkpoint of epoch ${message.resumedFromEpoch}` : `training on ${message.rows} points`,
          });
          return;
        }
        case 'progress': {
          const { progress } = message;
          if (progress.kind === 'step') {
            const now = performance.now();
            const step = progress.epoch * progress.stepsPerEpoch + progress.step + 1;
            // 0-based global step, as the train job writes it, so /monitor draws both alike.
            telemetry?.metric({ epoch: progress.epoch, step: step - 1, trainLoss: progress.loss, gradNorm: progress.gradientNorm, stepMs: now - lastStepAt.current });
            lastStepAt.current = now;
            update((view) => ({
              steps: [...view.steps.filter((point) => point.step < step), { step, loss: progress.loss, running: progress.runningLoss }],
              stepsPerSecond: progress.stepsPerSecond,
              secondsLeft: progress.secondsLeft,
              message: `epoch ${progress.epoch + 1} of ${view.epochs}, step ${progress.step + 1} of ${progress.stepsPerEpoch}`,
            }));
          } else {
            const { record } = progress;
            telemetry?.metric({ epoch: record.epoch, trainLoss: record.trainLoss, valLoss: record.validationLoss, learningRate: record.learningRate }, { now: true });
            update((view) => ({ epochPoints: [...view.epochPoints.filter((point) => point.epoch < record.epoch + 1), epochPoint(record)] }));
          }
          return;
        }
        case 'checkpoint':
          update({ checkpointEpoch: message.epoch });
          return;
        case 'paused':
          update({ phase: 'paused', message: 'paused (the worker holds at the next step)' });
          return;
        case 'continued':
          update({ phase: 'running' });
          return;
        case 'trained': {
          update({ phase: 'saving', message: 'storing the model on the server' });
          try {
            const saved = await uploadTrainedModel(message.record, message.weights);
            telemetry?.status('succeeded', { revision: saved.revision });
            await deleteTrainingRun(message.record.trainingRunId).catch(() => undefined);
            update({ phase: 'done', saved, message: `stored as ${saved.id}@${saved.revision} in ${formatSeconds(message.seconds)} of training; pick it in the model list or tick it for a backtest` });
            onTrained(saved.id);
          } catch (failure) {
            telemetry?.status('failed', { error: (failure as Error).message });
            update({ phase: 'failed', message: `${(failure as Error).message}. The checkpoint stays in this browser: resume it to try storing again.` });
          }
          refreshSaved();
          return;
        }
        case 'error': {
          const cancelled = message.error.code === 'cancelled';
          telemetry?.status(cancelled ? 'cancelled' : 'failed', cancelled ? {} : { error: message.error.message });
          update({ phase: cancelled ? 'cancelled' : 'failed', message: cancelled ? 'cancelled; the last epoch checkpoint stays in this browser until you discard it' : message.error.message });
          refreshSaved();
          return;
        }
      }
    },
    [onTrained, refreshSaved],
  );

  // The worker outlives renders; it always reaches the newest handler.
  const onMessageRef = useRef(onMessage);
  onMessageRef.current = onMessage;

  const send = (request: TrainingWorkerRequest) => {
    if (!workerRef.current) {
      const worker = new Worker(new URL('../workers/training.worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = (event: MessageEvent<TrainingWorkerResponse>) => void onMessageRef.current(event.data);
      worker.onerror = (event) => update({ phase: 'failed', message: `the training worker crashed: ${event.message}` });
      workerRef.current = worker;
    }
    workerRef.current.postMessage(request);
  };

  const blankRun = (runId: string, model: string, phase: Phase): RunView => ({
    runId, modelId: model, phase, message: 'starting', device: null, epochs: 0, stepsPerEpoch: 1, resumedFromEpoch: null, checkpointEpoch: 0,
    steps: [], epochPoints: [], stepsPerSecond: null, secondsLeft: null, saved: null,
  });

  const start = () => {
    setError(null);
    let config: ForecastConfig;
    try {
      config = currentConfig();
    } catch (failure) {
      setError((failure as Error).message);
      return;
    }
    const source = sourceFor(config, points);
    if (!source) {
      setError('training: this file is kept in this tab only; training needs a source the worker can read (store the file on the server)');
      return;
    }
    const number = (text: string | undefined) => (text === undefined || text.trim() === '' ? undefined : Number(text));
    const overrideValues = Object.fromEntries(OVERRIDE_FIELDS.map(([key]) => [key, number(overrides[key])]).filter(([, value]) => value !== undefined));
    const request: TrainingRequest = {
      task, size, epochs, batchSize, learningRate, schedule, patience,
      ...(Object.keys(overrideValues).length ? { overrides: overrideValues } : {}),
      ...(number(maxSteps) !== undefined ? { maxStepsPerEpoch: number(maxSteps) } : {}),
      ...(number(maxValidation) !== undefined ? { maxValidationWindows: number(maxValidation) } : {}),
    };
    const id = modelId.trim() || `informer-${slug(task)}-${slug(size)}-${slug(`${config.source}-${config.series ?? ''}-${config.target}`)}`.slice(0, 72).replace(/-+$/, '');
    const runId = `browser-${randomId()}`;
    const job: BrowserTrainingJob = {
      runId,
      source,
      dataWindow: { source: config.source, table: config.table ?? null, series: config.series ?? null, column: config.target, window: source.kind === 'source' ? source.params : {} },
      request,
      points,
      modelId: id,
      label: `Informer ${task}/${size} (browser): ${config.source} ${config.target}`,
      device,
    };
    setRun(blankRun(runId, id, 'starting'));
    send({ kind: 'train', id: runId, job });
  };

  const resume = (saved: SavedTrainingSummary) => {
    setError(null);
    setRun(blankRun(saved.runId, saved.job.modelId, 'starting'));
    send({ kind: 'resume', id: saved.runId, runId: saved.runId, device });
  };

  const discard = async (saved: SavedTrainingSummary) => {
    await deleteTrainingRun(saved.runId).catch((failure: Error) => setError(failure.message));
    refreshSaved();
  };

  const active = run !== null && ['starting', 'running', 'paused', 'saving'].includes(run.phase);
  const resumable = savedRuns.filter((saved) => saved.runId !== run?.runId || !active);
  const lastEpoch = run?.epochPoints.at(-1);

  return (
    <section className="panel" aria-label="Train in the browser" data-testid="training-panel">
      <h2>Train Informer in this browser</h2>
      <p className="note">
        Fits an Informer to the series selected above, in a Web Worker (TensorFlow.js on WebGPU, else WASM), with the trainer the server&apos;s train job
        uses. Each epoch is checkpointed in this browser, so a reload can resume; the finished model is stored on the server and joins the model list.
      </p>
      {resumable.length > 0 && (
        <div data-testid="training-saved">
          <h3>Unfinished runs in this browser</h3>
          <ul>
            {resumable.map((saved) => (
              <li key={saved.runId} data-run={saved.runId} data-epoch={saved.epoch}>
                {saved.job.modelId}: {saved.epoch} of {saved.epochs} epochs checkpointed ({(saved.checkpointBytes / 1e6).toFixed(2)} MB), last saved {new Date(saved.updatedAt).toLocaleString()}{' '}
                <button type="button" data-testid="training-resume" disabled={active} onClick={() => resume(saved)}>
                  Resume from epoch {saved.epoch}
                </button>{' '}
                <button type="button" className="secondary" disabled={active} onClick={() => void discard(saved)}>
                  Discard
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="pair">
        <div>
          <label htmlFor="train-task">Preset</label>
          <select id="train-task" value={task} onChange={(event) => setTask(event.target.value)}>
            {Object.entries(PRESETS.tasks).map(([key, value]) => (
              <option key={key} value={key}>{value.label}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="train-size">Size</label>
          <select id="train-size" value={size} onChange={(event) => setSize(event.target.value)}>
            {Object.entries(PRESETS.sizes).map(([key, value]) => (
              <option key={key} value={key}>{`${key} (d_model ${value.dModel}, ${value.heads} heads, ${value.encoderLayers}+${value.decoderLayers} layers)`}</option>
            ))}
          </select>
        </div>
      </div>
      <div className="pair">
        <div>
          <label htmlFor="train-epochs">Epochs</label>
          <input id="train-epochs" type="number" min={1} max={100} value={epochs} onChange={(event) => setEpochs(Number(event.target.value))} />
        </div>
        <div>
          <label htmlFor="train-batch">Batch size</label>
          <input id="train-batch" type="number" min={1} max={1024} value={batchSize} onChange={(event) => setBatchSize(Number(event.target.value))} />
        </div>
      </div>
      <div className="pair">
        <div>
          <label htmlFor="train-lr">Learning rate</label>
          <input id="train-lr" type="number" step="any" min={0} value={learningRate} onChange={(event) => setLearningRate(Number(event.target.value))} />
        </div>
        <div>
          <label htmlFor="train-schedule">Schedule</label>
          <select id="train-schedule" value={schedule} onChange={(event) => setSchedule(event.target.value as TrainingRequest['schedule'])}>
            <option value="halve">halve each epoch (the paper)</option>
            <option value="cosine">cosine</option>
            <option value="constant">constant</option>
          </select>
        </div>
      </div>
      <div className="pair">
        <div>
          <label htmlFor="train-patience">Early-stopping patience</label>
          <input id="train-patience" type="number" min={1} max={100} value={patience} onChange={(event) => setPatience(Number(event.target.value))} />
        </div>
        <div>
          <label htmlFor="train-points">Newest points (70/10/20 train/validation/test)</label>
          <input id="train-points" type="number" min={10} max={200000} value={points} onChange={(event) => setPoints(Number(event.target.value))} />
        </div>
      </div>
      <details>
        <summary>Network and speed (empty: the preset&apos;s value)</summary>
        <div className="pair">
          {OVERRIDE_FIELDS.map(([key, label]) => (
            <div key={key}>
              <label htmlFor={`train-${key}`}>{label}</label>
              <input id={`train-${key}`} type="number" min={0} value={overrides[key] ?? ''} onChange={(event) => setOverrides((current) => ({ ...current, [key]: event.target.value }))} />
            </div>
          ))}
          <div>
            <label htmlFor="train-max-steps">Steps per epoch at most</label>
            <input id="train-max-steps" type="number" min={1} value={maxSteps} onChange={(event) => setMaxSteps(event.target.value)} />
          </div>
          <div>
            <label htmlFor="train-max-validation">Validation windows at most</label>
            <input id="train-max-validation" type="number" min={1} value={maxValidation} onChange={(event) => setMaxValidation(event.target.value)} />
          </div>
        </div>
      </details>
      <label htmlFor="train-model-id">Model id (empty: informer-&lt;preset&gt;-&lt;size&gt;-&lt;series&gt;)</label>
      <input id="train-model-id" type="text" value={modelId} placeholder="informer-my-series" onChange={(event) => setModelId(event.target.value)} />
      <div className="buttons">
        <button type="button" data-testid="training-start" disabled={active} onClick={start}>Train in the browser</button>{' '}
        {run?.phase === 'running' && (
          <button type="button" className="secondary" data-testid="training-pause" onClick={() => workerRef.current?.postMessage({ kind: 'pause', id: run.runId } satisfies TrainingWorkerRequest)}>Pause</button>
        )}
        {run?.phase === 'paused' && (
          <button type="button" data-testid="training-continue" onClick={() => workerRef.current?.postMessage({ kind: 'continue', id: run.runId } satisfies TrainingWorkerRequest)}>Continue</button>
        )}{' '}
        {active && run?.phase !== 'saving' && (
          <button type="button" className="secondary" data-testid="training-cancel" onClick={() => workerRef.current?.postMessage({ kind: 'cancel', id: run!.runId } satisfies TrainingWorkerRequest)}>Cancel</button>
        )}
      </div>
      {error && <div className="error" role="alert" data-testid="training-error">{error}</div>}
      {run && (
        <div data-testid="training-run" data-phase={run.phase} data-run={run.runId} data-checkpoint-epoch={run.checkpointEpoch} data-resumed-from={run.resumedFromEpoch ?? 0}>
          <p className="status" data-testid="training-status">
            {run.modelId}: {run.message}
            {run.stepsPerSecond !== null && run.phase === 'running' && ` · ${run.stepsPerSecond.toFixed(2)} steps/s · ${formatSeconds(run.secondsLeft)} left`}
          </p>
          {run.device && <p className="note" data-testid="training-device">Device: {run.device}</p>}
          {run.resumedFromEpoch !== null && <p className="note" data-testid="training-resumed">Resumed from epoch {run.resumedFromEpoch} (its IndexedDB checkpoint).</p>}
          {run.checkpointEpoch > 0 && <p className="note" data-testid="training-checkpoint">Checkpoint in this browser: epoch {run.checkpointEpoch} of {run.epochs}.</p>}
          {lastEpoch && (
            <p className="note">
              Epoch {lastEpoch.epoch}: train loss {lastEpoch.train.toPrecision(4)}, validation loss {lastEpoch.validation?.toPrecision(4) ?? '?'} (MSE on scaled values)
            </p>
          )}
          <div className="pair">
            <div data-testid="training-step-chart" data-points={run.steps.length}>
              <ResponsiveContainer width="100%" height={200}>
                <LineChart data={run.steps} margin={{ top: 8, right: 8, bottom: 8, left: 0 }} style={{ fontFamily: CHART_FONT }}>
                  <CartesianGrid stroke={CHART_COLORS.grid} />
                  <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 11, fill: CHART_COLORS.axis }} />
                  <YAxis tick={{ fontSize: 11, fill: CHART_COLORS.axis }} width={48} tickFormatter={(value: number) => value.toPrecision(2)} />
                  <Tooltip formatter={(value) => (typeof value === 'number' ? value.toPrecision(4) : String(value))} />
                  <Legend />
                  <Line name="step loss" dataKey="loss" stroke={CHART_COLORS.cutoff} dot={false} isAnimationActive={false} />
                  <Line name="running train loss" dataKey="running" stroke={CHART_COLORS.median} dot={false} strokeWidth={2} isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            </div>
            <div data-testid="training-epoch-chart" data-points={run.epochPoints.length}>
              <ResponsiveContainer width="100%" height={200}>
                <LineChart data={run.epochPoints} margin={{ top: 8, right: 8, bottom: 8, left: 0 }} style={{ fontFamily: CHART_FONT }}>
                  <CartesianGrid stroke={CHART_COLORS.grid} />
                  <XAxis dataKey="epoch" type="number" domain={[1, 'dataMax']} allowDecimals={false} tick={{ fontSize: 11, fill: CHART_COLORS.axis }} />
                  <YAxis tick={{ fontSize: 11, fill: CHART_COLORS.axis }} width={48} tickFormatter={(value: number) => value.toPrecision(2)} />
                  <Tooltip formatter={(value) => (typeof value === 'number' ? value.toPrecision(4) : String(value))} />
                  <Legend />
                  <Line name="train loss" dataKey="train" stroke={CHART_COLORS.median} isAnimationActive={false} />
                  <Line name="validation loss" dataKey="validation" stroke={CHART_COLORS.backtest} isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            </div>
          </div>
          <table className="compact" data-testid="training-epochs">
            <thead>
              <tr><th>epoch</th><th>train loss</th><th>validation loss</th></tr>
            </thead>
            <tbody>
              {run.epochPoints.map((point) => (
                <tr key={point.epoch} data-epoch={point.epoch} data-train={point.train} data-validation={point.validation ?? ''}>
                  <td>{point.epoch}</td><td>{point.train.toPrecision(4)}</td><td>{point.validation?.toPrecision(4) ?? '?'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {run.saved && (
            <p className="note" data-testid="training-saved-model" data-model={run.saved.id} data-revision={run.saved.revision}>
              Stored on the server: {run.saved.id}@{run.saved.revision}.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
