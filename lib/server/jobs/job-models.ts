import 'server-only';
import path from 'node:path';
import { LookaheadError } from '@/lib/core/errors';
import type { Forecast } from '@/lib/core/forecast';
import type { Frequency } from '@/lib/core/frequency';
import { BASELINE_MODELS, forecastSeries, type ForecastModel, type ModelInfo } from '@/lib/models';
import { ChronosBoltPipeline, createChronosBoltModel, modelFileFor } from '@/lib/models/chronos-bolt';
import { createThreadedNodeOnnxSession } from '@/lib/runtime/onnx-node-thread';
import { createChronosRuntime, type OnnxSession } from '@/lib/runtime/onnx-session';
import { resolveServerModel, serverModelInfos } from '@/lib/server/models/registry';
import { findInstalledModel } from '@/lib/server/models/store';
import { findTrainedModel, isTrainedReference, loadTrainedForecaster } from '@/lib/server/models/trained';
import { forecastInformerBatch, trainedInformerOf, trainedOnnxBytes } from '@/lib/server/models/trained-onnx';
import type { DatabaseHandle } from '@/db';
import type { JobSettings } from './config';

/**
 * Models as a worker runs them: many series per call. Chronos-Bolt runs a whole batch through one
 * onnxruntime-node session call (that is where the server earns its keep); baselines run series
 * by series. A batch that throws is re-run series by series, so one bad series fails alone, and
 * a forecast with a non-finite number is that series' failure, never a stored result.
 */

export interface BatchInput {
  values: Float64Array;
  frequency: Frequency | null;
  /** Season chosen in the job's params; absent: the frequency's default. */
  season?: number;
  /** Epoch milliseconds of the values (Informer needs them). */
  timestampsMs?: Float64Array | null;
}

export type BatchOutcome = { ok: true; forecast: Forecast } | { ok: false; error: string };

export interface BatchForecaster {
  info: ModelInfo;
  /** What runs it: "onnxruntime-node (cpu)", "JavaScript", "augurs (WASM)". */
  runtime: string;
  sha256?: string;
  /** A per-series ForecastModel (backtests fit each window). */
  model: ForecastModel;
  forecastBatch(inputs: readonly BatchInput[], options: { horizon: number; levels: readonly number[]; signal?: AbortSignal }): Promise<BatchOutcome[]>;
}

/** Model ids a job may name: the baselines and every installed Chronos-Bolt. */
export function jobModelIds(): string[] {
  return serverModelInfos().map((model) => model.id);
}

/** Throws a 4xx LookaheadError naming the valid ids when `reference` is unknown. */
export async function requireJobModel(reference: string, handle: DatabaseHandle): Promise<void> {
  if (BASELINE_MODELS.some((model) => model.id === reference)) return;
  if (findInstalledModel(reference)) return;
  if (isTrainedReference(reference)) {
    if (await findTrainedModel(handle, reference)) return;
    throw new LookaheadError('jobs', 'bad_input', `unknown trained model "${reference.slice(0, 100)}"; GET /api/models lists the trained ones (under "trained")`);
  }
  throw new LookaheadError('jobs', 'bad_input', `unknown model "${reference.slice(0, 100)}"; available: ${jobModelIds().join(', ')}. Install Chronos-Bolt with npm run models:pull -- amazon/chronos-bolt-small`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function checkFinite(forecast: Forecast): BatchOutcome {
  const bad = forecast.quantiles.some((row) => row.some((value) => !Number.isFinite(value))) || forecast.mean.some((value) => !Number.isFinite(value));
  if (bad) return { ok: false, error: 'model: the forecast has non-finite values (NaN or Infinity); check the series for infinite or extreme values' };
  return { ok: true, forecast };
}

async function perSeries(model: ForecastModel, inputs: readonly BatchInput[], options: { horizon: number; levels: readonly number[]; signal?: AbortSignal }): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = [];
  for (const input of inputs) {
    options.signal?.throwIfAborted();
    try {
      const run = await forecastSeries({ model, values: input.values, timestampsMs: input.timestampsMs ?? null, frequency: input.frequency, ...(input.season === undefined ? {} : { season: input.season }), horizon: options.horizon, quantileLevels: options.levels, signal: options.signal });
      outcomes.push(checkFinite(run.forecast));
    } catch (error) {
      if (options.signal?.aborted) throw error;
      outcomes.push({ ok: false, error: describe(error) });
    }
  }
  return outcomes;
}

const sessions = new Map<string, Promise<OnnxSession>>();

/**
 * One session per model file, thread count and process, created on first use and kept for every
 * later chunk; its runs are serialised (lib/runtime/onnx-session.ts). It runs on a thread of its
 * own, so a chunk's reads and result writes overlap the model run instead of waiting for it.
 */
function sessionFor(file: string | (() => Promise<Uint8Array>), sha256: string, settings: JobSettings): Promise<OnnxSession> {
  const key = `${sha256}:${settings.ortProviders.join(',')}:${settings.ortThreads}`;
  let session = sessions.get(key);
  if (!session) {
    const model = typeof file === 'string' ? Promise.resolve(file) : file();
    session = model.then((source) => createThreadedNodeOnnxSession(source, { executionProviders: settings.ortProviders, intraOpNumThreads: settings.ortThreads }));
    session.catch(() => sessions.delete(key));
    sessions.set(key, session);
  }
  return session;
}

/** Frees every session this process opened (worker shutdown, tests). */
export async function releaseJobSessions(): Promise<void> {
  const open = [...sessions.values()];
  sessions.clear();
  await Promise.all(open.map(async (session) => (await session.catch(() => null))?.release()));
}

/**
 * A trained Informer revision on onnxruntime-node: its ONNX export (made once per weights sha256,
 * cached in the database) in a threaded session, batches of `settings.batchSize` series per run.
 * `model` (the per-series path backtests use) stays the tfjs one; the batch path never falls back
 * to it, so what a job stores came from onnxruntime.
 */
async function loadTrainedBatchForecaster(reference: string, settings: JobSettings, handle: DatabaseHandle): Promise<BatchForecaster> {
  const row = await findTrainedModel(handle, reference);
  if (!row) throw new LookaheadError('model', 'bad_input', `unknown trained model "${reference.slice(0, 100)}"; GET /api/models lists the trained ones (under "trained"), or train one with a "train" job`);
  const trained = trainedInformerOf(row);
  const session = await sessionFor(async () => (await trainedOnnxBytes(handle, row)).onnx, `informer:${row.sha256}`, settings);
  // tfjs is loaded only if something asks for the per-series path (a batch job never does).
  const model: ForecastModel = {
    info: trained.info,
    fit: async (series, fitOptions) => (await loadTrainedForecaster(handle, row)).model.fit(series, fitOptions),
  };
  return {
    info: trained.info,
    runtime: `onnxruntime-node (${session.executionProvider})`,
    sha256: row.sha256,
    model,
    async forecastBatch(inputs, options) {
      const series = inputs.map((input) => ({ values: input.values, frequency: input.frequency, timestampsMs: input.timestampsMs ?? null }));
      // Bad series fail alone inside (checked before the run); a failing run is the chunk's failure
      // (retried), never silently served by the tfjs path.
      const outcomes = await forecastInformerBatch(session, trained, series, { horizon: options.horizon, levels: [...new Set(options.levels)].sort((a, b) => a - b), maxBatch: settings.batchSize, ...(options.signal ? { signal: options.signal } : {}) });
      return outcomes.map((outcome) => (outcome.ok ? checkFinite(outcome.forecast) : outcome));
    },
  };
}

export async function loadBatchForecaster(reference: string, settings: JobSettings, handle?: DatabaseHandle): Promise<BatchForecaster> {
  if (isTrainedReference(reference) && handle) return loadTrainedBatchForecaster(reference, settings, handle);
  const installed = BASELINE_MODELS.some((model) => model.id === reference) ? null : findInstalledModel(reference);
  if (!installed) {
    const { model, runtime, sha256 } = await resolveServerModel(reference, handle ? { handle } : {});
    return { info: model.info, runtime, model, ...(sha256 ? { sha256 } : {}), forecastBatch: (inputs, options) => perSeries(model, inputs, options) };
  }
  const file = modelFileFor(installed.manifest);
  const session = await sessionFor(path.join(installed.directory, file.name), file.sha256, settings);
  const runtime = createChronosRuntime(session);
  const config = installed.manifest.config;
  const pipeline = new ChronosBoltPipeline(config, runtime, { maxBatch: settings.batchSize });
  const model = createChronosBoltModel({ info: installed.info, config, runtime, maxBatch: settings.batchSize });
  return {
    info: installed.info,
    runtime: `onnxruntime-node (${session.executionProvider})`,
    sha256: file.sha256,
    model,
    async forecastBatch(inputs, options) {
      const levels = [...new Set(options.levels)].sort((a, b) => a - b);
      let result: Awaited<ReturnType<ChronosBoltPipeline['predictQuantiles']>>;
      try {
        result = await pipeline.predictQuantiles(
          inputs.map((input) => input.values),
          options.horizon,
          levels,
          options.signal ? { signal: options.signal } : {},
        );
      } catch (error) {
        if (options.signal?.aborted) throw error;
        return perSeries(model, inputs, options);
      }
      return inputs.map((input, index) => {
        const steps = result.quantiles[index]!;
        const notes: string[] = [];
        if (input.values.length > config.contextLength) notes.push(`used the last ${config.contextLength} of ${input.values.length} values (the model's context length)`);
        if (input.values.every(Number.isNaN)) notes.push("every value is missing: the forecast is the model's prior, not data-driven");
        return checkFinite({
          horizon: options.horizon,
          quantileLevels: levels,
          quantiles: levels.map((_, level) => steps.map((row) => row[level]!)),
          mean: result.mean[index]!,
          ...(notes.length ? { notes } : {}),
        });
      });
    },
  };
}
