/**
 * Browser entry of the Chronos-Bolt harness (bundled by bundle.ts): the app's own pipeline
 * (ChronosBoltPipeline) over the app's own onnxruntime-web session (createWebOnnxSession), driven
 * from Node through `window.chronosHarness` (chronos-protocol.ts). Nothing here compares numbers:
 * results go back to Node, which checks them against the goldens with the Node tests' helpers.
 */
import { backtestWindows } from '@/lib/core/backtest';
import { backtestModel } from '@/lib/evaluation/backtest-model';
import { ChronosBoltPipeline, createChronosBoltModel, parseChronosBoltManifest, type ChronosBoltConfig, type ModelCall } from '@/lib/models/chronos-bolt';
import { createChronosRuntime } from '@/lib/runtime/onnx-session';
import { createWebOnnxSession, type WebSession } from '@/lib/runtime/onnx-web';
import type { ChronosHarness, HarnessCall, HarnessReplies, LoadRequest, LoadedSession, TensorData } from './chronos-protocol';
import { repeatTimed } from './repeat-timing';
import { syntheticBatch } from './synthetic-series';

interface Loaded {
  session: WebSession;
  config: ChronosBoltConfig | null;
}

const sessions = new Map<number, Loaded>();
let nextHandle = 1;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`harness: GET ${url} answered HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function load(request: LoadRequest): Promise<LoadedSession> {
  const started = performance.now();
  const config = request.manifestUrl === undefined ? null : parseChronosBoltManifest(await (await fetch(request.manifestUrl)).json()).config;
  const bytes = await fetchBytes(request.modelUrl);
  const session = await createWebOnnxSession(bytes, {
    executionProviders: request.executionProviders,
    numThreads: request.numThreads,
    wasmPaths: request.wasmPaths,
  });
  const handle = nextHandle++;
  sessions.set(handle, { session, config });
  return {
    handle,
    executionProvider: session.executionProvider,
    fallbacks: [...session.fallbacks],
    numThreads: session.numThreads,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    webgpuAdapter: session.executionProvider === 'webgpu' ? await describeAdapter() : null,
    loadMs: performance.now() - started,
  };
}

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

async function describeAdapter(): Promise<string> {
  // Through unknown: @webgpu/types (pulled in by tfjs-backend-webgpu) declares a GPUAdapter without `info`.
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: AdapterInfoLike } | null> } }).gpu;
  const info = (await gpu?.requestAdapter())?.info;
  if (info === undefined) return 'unknown adapter';
  return [info.vendor, info.architecture, info.device, info.description].filter((part) => part !== undefined && part !== '').join(' ') || 'unnamed adapter';
}

function loaded(handle: number): Loaded {
  const entry = sessions.get(handle);
  if (entry === undefined) throw new Error(`harness: no session ${handle} (released, or never loaded)`);
  return entry;
}

function pipelineOf(entry: Loaded, maxBatch?: number): ChronosBoltPipeline {
  if (entry.config === null) throw new Error('harness: this session was loaded without a manifest; only `run` calls work');
  return new ChronosBoltPipeline(entry.config, createChronosRuntime(entry.session), maxBatch === undefined ? {} : { maxBatch });
}

async function call(handle: number, request: HarnessCall): Promise<HarnessReplies[HarnessCall['kind']]> {
  const entry = loaded(handle);
  switch (request.kind) {
    case 'predict': {
      const calls: ModelCall[] = [];
      const progress: [number, number][] = [];
      const values = await pipelineOf(entry, request.maxBatch).predict(
        request.series,
        request.predictionLength,
        request.trace === true ? { onModelCall: (modelCall) => calls.push(modelCall), onProgress: (done, total) => progress.push([done, total]) } : {},
      );
      if (request.trace !== true) return { values: Array.from(values) };
      return {
        values: Array.from(values),
        calls: calls.map((modelCall) => ({
          contextShape: [modelCall.context.batch, modelCall.context.length] as [number, number],
          context: Array.from(modelCall.context.values),
          quantiles: Array.from(modelCall.quantiles),
        })),
        progress,
      };
    }
    case 'predictQuantiles':
      return pipelineOf(entry).predictQuantiles(request.series, request.predictionLength, request.levels);
    case 'embed': {
      const embedding = await pipelineOf(entry).embed(request.series);
      return {
        embeddings: Array.from(embedding.embeddings),
        batch: embedding.batch,
        tokens: embedding.tokens,
        modelDim: embedding.modelDim,
        loc: Array.from(embedding.loc),
        scale: Array.from(embedding.scale),
      };
    }
    case 'run': {
      const feeds = Object.fromEntries(Object.entries(request.feeds).map(([name, tensor]) => [name, { data: Float32Array.from(tensor.data), dims: tensor.dims }]));
      const outputs = await entry.session.run(feeds);
      const reply: Record<string, TensorData> = {};
      for (const [name, tensor] of Object.entries(outputs)) reply[name] = { data: Array.from(tensor.data), dims: [...tensor.dims] };
      return reply;
    }
    case 'time': {
      const series = syntheticBatch(request.batch, request.context, request.seed);
      const pipeline = pipelineOf(entry, request.batch);
      return repeatTimed(() => pipeline.predict(series), request.timing);
    }
    case 'describe':
      return { executionProvider: entry.session.executionProvider, fallbacks: [...entry.session.fallbacks] };
    case 'backtest': {
      if (entry.config === null) throw new Error('harness: this session was loaded without a manifest');
      const length = request.context + (request.windows - 1) * request.step + request.horizon;
      const values = Float64Array.from(syntheticBatch(1, length, request.seed)[0]!);
      const windows = backtestWindows(length, { windows: request.windows, step: request.step, horizon: request.horizon, context: request.context, minContext: request.context });
      const inner = createChronosRuntime(entry.session);
      const calls: number[] = [];
      const runtime = { run: (...args: Parameters<typeof inner.run>) => (calls.push(args[2]), inner.run(...args)) };
      const model = createChronosBoltModel({ info: { id: 'bench', family: 'chronos-bolt', label: 'bench' }, config: entry.config, runtime });
      const started = performance.now();
      const result = await backtestModel({ model, values, frequency: null, windows, quantileLevels: [0.1, 0.5, 0.9], seasonalPeriod: 24, oneCallPerWindow: request.oneCallPerWindow });
      const elapsedMs = performance.now() - started;
      return { elapsedMs, calls, medians: result.windows.map((window) => window.forecast.quantiles[1]!) };
    }
  }
}

async function release(handle: number): Promise<void> {
  const entry = sessions.get(handle);
  sessions.delete(handle);
  await entry?.session.release();
}

async function measureMemory(): Promise<number | null> {
  const measure = (performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
  if (typeof measure !== 'function' || globalThis.crossOriginIsolated !== true) return null;
  return (await measure.call(performance)).bytes;
}

window.chronosHarness = { load, call, release, measureMemory } as ChronosHarness;
document.body.dataset.ready = 'true';
