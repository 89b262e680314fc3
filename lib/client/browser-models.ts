import { LookaheadError } from '@/lib/core/errors';
import { createBaselineModel, type ForecastModel, type ModelInfo } from '@/lib/models';
import { BASELINE_MODELS } from '@/lib/models/registry';
import {
  CHRONOS_BOLT_CATALOG,
  catalogEntry,
  createChronosBoltModel,
  formatDownloadSize,
  modelFileFor,
  parseChronosBoltConfig,
  type CatalogEntry,
  type ChronosBoltConfig,
  type WeightDtype,
} from '@/lib/models/chronos-bolt';
import { loadAugurs } from '@/lib/runtime/augurs';
import type { DeviceChoice } from '@/lib/runtime/device';
import { createChronosRuntime } from '@/lib/runtime/onnx-session';
import type { WebSession } from '@/lib/runtime/onnx-web';
import { createInformerForecastModel, decodeSafetensors, type InformerConfig, type ResidualCalibration, type StandardScaler } from '@/lib/models/informer';
import { fetchModelBytes } from './model-bytes';
import { listCachedModels, type CachedModel } from './model-install/model-cache';

/**
 * The models a browser worker can run, and the factory by id. Baselines run on the CPU (plain
 * JS or augurs' WASM); Chronos-Bolt runs on onnxruntime-web, WebGPU or WASM as the device choice
 * says, with one warmed-up session per model file (runs are serialised by the session); trained
 * Informer models (the server's `trained` list, current revisions) run on TensorFlow.js.
 */
export interface BrowserModelContext {
  origin: string;
  device: DeviceChoice;
  /** WASM threads for onnxruntime-web (from the device report). */
  wasmThreads?: number;
  onProgress?: (message: string, fraction?: number) => void;
  signal?: AbortSignal;
  /** Weight storage for a Chronos-Bolt converted in this browser (default fp32). */
  weightDtype?: WeightDtype;
}

export interface BrowserModel {
  model: ForecastModel;
  /** What actually computes this model here, for the page to show (read it after a run: WebGPU can fall back to WASM mid-run). */
  readonly runtime: DeviceChoice;
}

/** An installed model as GET /api/models describes it. */
interface InstalledModelSummary extends ModelInfo {
  baseUrl: string;
  config: ChronosBoltConfig;
  files: { name: string; sha256: string; bytes: number; dtype?: 'fp32' | 'fp16' }[];
}

/** A trained Informer revision as GET /api/models lists it under `trained`. */
interface TrainedModelSummary extends ModelInfo {
  revision: string;
  sha256: string;
  current: boolean;
  weightsBytes: number;
  weightsUrl: string;
  config: { model: InformerConfig; scaler: StandardScaler; frequency: string | null };
}

let installed: InstalledModelSummary[] = [];
let trained: TrainedModelSummary[] = [];
let cachedInBrowser: CachedModel[] = [];
/** The hub the server names (LOOKAHEAD_HUB_URL): browser installs download from it. */
let hubUrl = 'https://huggingface.co';
let catalog: Promise<InstalledModelSummary[]> | null = null;

/**
 * Fetches the installed models (once per worker, or again with `fresh`: a model installed on the
 * server since shows up without a restart); `browserModelInfos()` includes them afterwards.
 */
export function loadBrowserModelCatalog(origin: string, { fresh = false }: { fresh?: boolean } = {}): Promise<ModelInfo[]> {
  if (fresh) catalog = null;
  catalog ??= fetch(new URL('/api/models', origin))
    .then(async (response) => {
      if (!response.ok) throw new LookaheadError('models', 'internal', `GET /api/models answered HTTP ${response.status}`);
      const body = (await response.json()) as { installed: InstalledModelSummary[]; trained?: TrainedModelSummary[]; hubUrl?: string };
      installed = body.installed;
      trained = body.trained ?? [];
      if (typeof body.hubUrl === 'string' && body.hubUrl) hubUrl = body.hubUrl;
      return installed;
    })
    .catch((error: unknown) => {
      catalog = null;
      throw error;
    });
  return Promise.all([catalog, refreshCachedModels()]).then(() => browserModelInfos());
}

/** Re-reads which hub models this browser has converted (labels say "in this browser"). */
export async function refreshCachedModels(): Promise<void> {
  cachedInBrowser = await listCachedModels().catch(() => []);
}

/** A hub model installed in the browser unless the server has installed it already. */
function browserInstallable(id: string): CatalogEntry | undefined {
  const entry = catalogEntry(id);
  return entry && !installed.some((model) => model.id === entry.id) ? entry : undefined;
}

/**
 * Baselines, installed Chronos-Bolt models (test checkpoints carry testOnly: true), then every
 * official Chronos-Bolt size the server has not installed: converted in this browser on first use.
 */
export function browserModelInfos(): ModelInfo[] {
  const fromHub = CHRONOS_BOLT_CATALOG.filter((entry) => browserInstallable(entry.id)).map((entry): ModelInfo => {
    const cached = cachedInBrowser.some((model) => model.repo === entry.repo);
    return {
      id: entry.id,
      family: 'chronos-bolt',
      label: `${entry.label} (${cached ? 'in this browser' : `download ${formatDownloadSize(entry.downloadBytes)}`})`,
      ...(cached ? {} : { needsDownload: true }),
    };
  });
  // Trained models are fitted to one series: compared only when chosen (optIn), never by "every model".
  const fitted = trained.filter((model) => model.current).map(({ id, label, revision }): ModelInfo => ({ id, family: 'informer', label, revision, optIn: true }));
  return [...BASELINE_MODELS, ...installed.map(({ id, family, label, revision, testOnly }) => ({ id, family, label, revision, testOnly })), ...fitted, ...fromHub];
}

const informers = new Map<string, Promise<BrowserModel>>();

/**
 * A trained Informer: its record (calibration) and weights (sha256-checked, cached by the browser)
 * from the server, run by TensorFlow.js on WebGPU when the device choice says so, else WASM (the
 * reason for a fallback is reported). One loaded model per revision and backend.
 */
function trainedInformer(summary: TrainedModelSummary, context: BrowserModelContext): Promise<BrowserModel> {
  const backend = context.device.device === 'webgpu' ? 'webgpu' : 'wasm';
  const key = `${summary.sha256}:${backend}`;
  let loading = informers.get(key);
  if (!loading) {
    loading = (async () => {
      const recordUrl = new URL(`/api/models/trained/${encodeURIComponent(summary.id)}/${encodeURIComponent(summary.revision)}`, context.origin);
      const recordResponse = await fetch(recordUrl, context.signal ? { signal: context.signal } : {});
      if (!recordResponse.ok) throw new LookaheadError('models', 'internal', `GET ${recordUrl.pathname} answered HTTP ${recordResponse.status}`);
      const record = (await recordResponse.json()) as { calibration: ResidualCalibration };
      const bytes = await fetchModelBytes({
        url: new URL(summary.weightsUrl, context.origin).href,
        sha256: summary.sha256,
        bytes: summary.weightsBytes,
        signal: context.signal,
        onProgress: (received, total, fromCache) =>
          context.onProgress?.(fromCache ? `${summary.label}: loaded from the browser cache` : `downloading ${summary.label}: ${(received / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`, received / total),
      });
      const { loadTf } = await import('@/lib/runtime/tfjs-browser');
      let runtime: DeviceChoice = { device: 'wasm', label: 'TensorFlow.js WASM, 1 thread', reason: context.device.reason };
      let tf;
      if (backend === 'webgpu') {
        try {
          tf = await loadTf('webgpu');
          runtime = { device: 'webgpu', label: `TensorFlow.js ${context.device.label}`, reason: context.device.reason };
        } catch (error) {
          runtime = { ...runtime, reason: `TensorFlow.js WebGPU failed (${(error as Error).message}); using WASM` };
        }
      }
      tf ??= await loadTf('wasm', { wasmPaths: new URL('/wasm/tfjs/', context.origin).href });
      const model = createInformerForecastModel(
        tf,
        {
          info: { id: summary.id, family: 'informer', label: summary.label, revision: summary.revision, optIn: true },
          config: summary.config.model,
          scaler: summary.config.scaler,
          calibration: record.calibration,
          trainedFrequency: summary.config.frequency,
        },
        decodeSafetensors(bytes).tensors,
      );
      return { model, runtime };
    })();
    loading.catch(() => informers.delete(key));
    informers.set(key, loading);
  }
  return loading;
}

const sessions = new Map<string, Promise<WebSession>>();

type Providers = readonly ('webgpu' | 'wasm')[];

function providersFor(context: BrowserModelContext): Providers {
  return context.device.device === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'];
}

/** A session on the model bytes, warmed up: the first run compiles kernels (WebGPU shaders). */
async function startSession(bytes: Uint8Array, config: ChronosBoltConfig, label: string, providers: Providers, context: BrowserModelContext, startFraction?: number): Promise<WebSession> {
  context.onProgress?.(`starting ${label} on ${providers[0] === 'webgpu' ? 'WebGPU' : 'WASM'} (warm-up)`, startFraction);
  // Imported on demand: the 28 MB onnxruntime-web bundle only loads when a learned model runs.
  const { createWebOnnxSession } = await import('@/lib/runtime/onnx-web');
  const session = await createWebOnnxSession(bytes, { executionProviders: providers, numThreads: context.wasmThreads });
  const patches = new Float32Array(2 * config.patchSize);
  await session.run({ patches: { data: patches, dims: [1, 1, 2 * config.patchSize] }, patch_mask: { data: new Float32Array([1]), dims: [1, 1] } }, ['quantiles']);
  return session;
}

function remembered(key: string, create: () => Promise<WebSession>): Promise<WebSession> {
  if (!sessions.has(key)) {
    const created = create();
    created.catch(() => sessions.delete(key));
    sessions.set(key, created);
  }
  return sessions.get(key)!;
}

async function chronosSession(model: InstalledModelSummary, context: BrowserModelContext): Promise<WebSession> {
  const file = modelFileFor({ files: model.files } as never);
  const providers = providersFor(context);
  return remembered(`${file.sha256}:${providers.join(',')}`, async () => {
    const bytes = await fetchModelBytes({
      url: new URL(`${model.baseUrl}/${file.name}`, context.origin).href,
      sha256: file.sha256,
      bytes: file.bytes,
      signal: context.signal,
      onProgress: (received, total, fromCache) =>
        context.onProgress?.(
          fromCache ? `${model.label}: loaded from the browser cache` : `downloading ${model.label}: ${(received / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`,
          received / total,
        ),
    });
    return startSession(bytes, parseChronosBoltConfig(model.config), model.label, providers, context);
  });
}

/** Downloads, converts and caches a hub checkpoint in this browser (or reads the cache), then starts it. */
async function hubSession(entry: CatalogEntry, context: BrowserModelContext): Promise<{ session: WebSession; config: ChronosBoltConfig }> {
  const providers = providersFor(context);
  const dtype = context.weightDtype ?? 'fp32';
  let config: ChronosBoltConfig | null = null;
  const session = await remembered(`hub:${entry.repo}:${dtype}:${providers.join(',')}`, async () => {
    // The downloader and the checkpoint converter load only when a hub model is first chosen: a
    // forecast with the baselines or an installed model never needs them.
    const { installFromHub, PHASE_END } = await import('./model-install/install');
    const result = await installFromHub({
      entry,
      hubUrl,
      origin: context.origin,
      dtype,
      signal: context.signal,
      onProgress: (progress) => context.onProgress?.(progress.message, progress.fraction),
    });
    configs.set(entry.repo, result.model.config);
    if (!result.fromCache) await refreshCachedModels();
    return startSession(result.onnx, result.model.config, entry.label, providers, context, PHASE_END.convert);
  });
  config = configs.get(entry.repo) ?? null;
  if (!config) throw new LookaheadError('model-install', 'internal', `no configuration for ${entry.repo}`);
  return { session, config };
}

const configs = new Map<string, ChronosBoltConfig>();

export async function createBrowserModel(id: string, context: BrowserModelContext): Promise<BrowserModel> {
  if (BASELINE_MODELS.some((model) => model.id === id)) {
    const augurs = () =>
      loadAugurs({
        kind: 'url',
        etsUrl: new URL('/wasm/augurs/ets_bg.wasm', context.origin).href,
        mstlUrl: new URL('/wasm/augurs/mstl_bg.wasm', context.origin).href,
      });
    const model = await createBaselineModel(id, { augurs });
    const runtime: DeviceChoice =
      id === 'mstl'
        ? { device: 'wasm', label: 'WASM (augurs), 1 thread', reason: `augurs runs single-threaded WASM (${context.device.reason})` }
        : { device: 'wasm', label: 'JavaScript, 1 thread', reason: `${model.info.label} is plain JavaScript arithmetic; no accelerator needed (${context.device.reason})` };
    return { model, runtime };
  }
  await loadBrowserModelCatalog(context.origin).catch(() => undefined);
  const fitted = trained.find((model) => (model.id === id && model.current) || `${model.id}@${model.revision}` === id);
  if (fitted) return trainedInformer(fitted, context);
  const summary = installed.find((model) => model.id === id || `${model.id}@${model.revision}` === id);
  const entry = summary ? undefined : browserInstallable(id);
  if (!summary && !entry) {
    const available = browserModelInfos().map((model) => model.id).join(', ');
    throw new LookaheadError('model', 'bad_input', `unknown model "${id}"; available: ${available}`);
  }
  let session: WebSession;
  let info: ModelInfo;
  let config: ChronosBoltConfig;
  if (summary) {
    session = await chronosSession(summary, context);
    info = summary;
    config = parseChronosBoltConfig(summary.config);
  } else {
    ({ session, config } = await hubSession(entry!, context));
    info = browserModelInfos().find((model) => model.id === entry!.id)!;
  }
  // Read when asked, not once: a WebGPU session moves to WASM when its device is lost mid-run
  // (lib/runtime/onnx-web.ts), and the result must then say WASM and why.
  const describe = (): DeviceChoice => {
    const fallbacks = session.fallbacks.map((fallback) => `${fallback.executionProvider}: ${fallback.reason}`).join('; ');
    return session.executionProvider === 'webgpu'
      ? { device: 'webgpu', label: context.device.label, reason: context.device.reason }
      : {
          device: 'wasm',
          label: `WASM, ${session.numThreads} thread${session.numThreads === 1 ? '' : 's'}`,
          reason: fallbacks ? `WebGPU failed (${fallbacks}); using WASM` : context.device.reason,
        };
  };
  const model = createChronosBoltModel({ info, config, runtime: createChronosRuntime(session) });
  return {
    model,
    get runtime() {
      return describe();
    },
  };
}
