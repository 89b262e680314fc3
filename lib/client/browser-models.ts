import { LookaheadError } from '@/lib/core/errors';
import { createBaselineModel, type ForecastModel, type ModelInfo } from '@/lib/models';
import { BASELINE_MODELS } from '@/lib/models/registry';
import { createChronosBoltModel, modelFileFor, parseChronosBoltConfig, type ChronosBoltConfig } from '@/lib/models/chronos-bolt';
import { loadAugurs } from '@/lib/runtime/augurs';
import type { DeviceChoice } from '@/lib/runtime/device';
import { createChronosRuntime } from '@/lib/runtime/onnx-session';
import type { WebSession } from '@/lib/runtime/onnx-web';
import { fetchModelBytes } from './model-bytes';

/**
 * The models a browser worker can run, and the factory by id. Baselines run on the CPU (plain
 * JS or augurs' WASM); Chronos-Bolt runs on onnxruntime-web, WebGPU or WASM as the device choice
 * says, with one warmed-up session per model file (runs are serialised by the session).
 */
export interface BrowserModelContext {
  origin: string;
  device: DeviceChoice;
  /** WASM threads for onnxruntime-web (from the device report). */
  wasmThreads?: number;
  onProgress?: (message: string, fraction?: number) => void;
  signal?: AbortSignal;
}

export interface BrowserModel {
  model: ForecastModel;
  /** What actually computes this model here, for the page to show. */
  runtime: DeviceChoice;
}

/** An installed model as GET /api/models describes it. */
interface InstalledModelSummary extends ModelInfo {
  baseUrl: string;
  config: ChronosBoltConfig;
  files: { name: string; sha256: string; bytes: number; dtype?: 'fp32' | 'fp16' }[];
}

let installed: InstalledModelSummary[] = [];
let catalog: Promise<InstalledModelSummary[]> | null = null;

/** Fetches the installed models once per worker; `browserModelInfos()` includes them afterwards. */
export function loadBrowserModelCatalog(origin: string): Promise<ModelInfo[]> {
  catalog ??= fetch(new URL('/api/models', origin))
    .then(async (response) => {
      if (!response.ok) throw new LookaheadError('models', 'internal', `GET /api/models answered HTTP ${response.status}`);
      const body = (await response.json()) as { installed: InstalledModelSummary[] };
      installed = body.installed;
      return installed;
    })
    .catch((error: unknown) => {
      catalog = null;
      throw error;
    });
  return catalog.then(() => browserModelInfos());
}

/** Baselines, then installed Chronos-Bolt models (test checkpoints carry testOnly: true). */
export function browserModelInfos(): ModelInfo[] {
  return [...BASELINE_MODELS, ...installed.map(({ id, family, label, revision, testOnly }) => ({ id, family, label, revision, testOnly }))];
}

const sessions = new Map<string, Promise<WebSession>>();

async function chronosSession(model: InstalledModelSummary, context: BrowserModelContext): Promise<WebSession> {
  const file = modelFileFor({ files: model.files } as never);
  const providers = context.device.device === 'webgpu' ? (['webgpu', 'wasm'] as const) : (['wasm'] as const);
  const key = `${file.sha256}:${providers.join(',')}`;
  if (!sessions.has(key)) {
    const created = (async () => {
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
      context.onProgress?.(`starting ${model.label} on ${providers[0] === 'webgpu' ? 'WebGPU' : 'WASM'}`);
      // Imported on demand: the 28 MB onnxruntime-web bundle only loads when a learned model runs.
      const { createWebOnnxSession } = await import('@/lib/runtime/onnx-web');
      const session = await createWebOnnxSession(bytes, { executionProviders: providers, numThreads: context.wasmThreads });
      // Warm-up: the first run compiles kernels (WebGPU shaders); do it before reporting ready.
      const config = parseChronosBoltConfig(model.config);
      const patches = new Float32Array(2 * config.patchSize);
      await session.run({ patches: { data: patches, dims: [1, 1, 2 * config.patchSize] }, patch_mask: { data: new Float32Array([1]), dims: [1, 1] } }, ['quantiles']);
      return session;
    })();
    created.catch(() => sessions.delete(key));
    sessions.set(key, created);
  }
  return sessions.get(key)!;
}

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
  await loadBrowserModelCatalog(context.origin);
  const summary = installed.find((model) => model.id === id || `${model.id}@${model.revision}` === id);
  if (!summary) {
    const available = browserModelInfos().map((model) => model.id).join(', ');
    throw new LookaheadError('model', 'bad_input', `unknown model "${id}"; available: ${available}. Install Chronos-Bolt with npm run models:pull -- amazon/chronos-bolt-small`);
  }
  const session = await chronosSession(summary, context);
  const fallbacks = session.fallbacks.map((fallback) => `${fallback.executionProvider}: ${fallback.reason}`).join('; ');
  const runtime: DeviceChoice =
    session.executionProvider === 'webgpu'
      ? { device: 'webgpu', label: context.device.label, reason: context.device.reason }
      : {
          device: 'wasm',
          label: `WASM, ${session.numThreads} thread${session.numThreads === 1 ? '' : 's'}`,
          reason: fallbacks ? `WebGPU failed (${fallbacks}); using WASM` : context.device.reason,
        };
  const model = createChronosBoltModel({ info: summary, config: parseChronosBoltConfig(summary.config), runtime: createChronosRuntime(session) });
  return { model, runtime };
}
