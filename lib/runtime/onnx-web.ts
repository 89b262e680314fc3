import * as ort from 'onnxruntime-web/webgpu';
import { LookaheadError } from '@/lib/core/errors';
import { wrapOrtSession, type OnnxSession, type OrtSessionLike } from './onnx-session';

/**
 * onnxruntime-web sessions (browser worker; also Node, for tests and benchmarks). The only importer
 * of onnxruntime-web. The 'webgpu' build also carries the WASM backend, so one import serves both.
 * Execution providers are tried in order and the reason for every fallback is kept, so the UI can
 * say "WebGPU unavailable: no adapter; using WASM, 4 threads".
 */

export type WebExecutionProvider = 'webgpu' | 'wasm';

export interface WebSessionOptions {
  /** Tried in order; default ['webgpu', 'wasm']. */
  executionProviders?: readonly WebExecutionProvider[];
  /**
   * WASM threads. Default: 1 without cross-origin isolation (no SharedArrayBuffer) or under Node
   * (test processes run in parallel); else navigator.hardwareConcurrency. Fixed by the first
   * session: onnxruntime-web starts its thread pool once per worker, so a new count needs a new worker.
   */
  numThreads?: number;
  /** Where the ort-wasm-*.wasm/.mjs files are served from (e.g. '/ort/'); default: next to the bundle. */
  wasmPaths?: string;
}

export interface WebSession extends OnnxSession {
  readonly executionProvider: WebExecutionProvider;
  /** Providers that were skipped, and why. */
  readonly fallbacks: readonly { executionProvider: WebExecutionProvider; reason: string }[];
  /** WASM threads in use (the backend's global setting). */
  readonly numThreads: number;
}

let configured: { numThreads: number; wasmPaths: string | undefined } | null = null;

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

function defaultThreads(): number {
  if (isNode()) return 1;
  const isolated = typeof globalThis.crossOriginIsolated === 'boolean' && globalThis.crossOriginIsolated;
  if (!isolated) return 1;
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency ?? 2 : 2;
  return Math.max(1, cores);
}

/** ort.env.wasm is global and read when the backend starts: set it once, before the first session. */
function configureWasm(options: WebSessionOptions): number {
  if (configured === null) {
    const numThreads = options.numThreads ?? defaultThreads();
    ort.env.wasm.numThreads = numThreads;
    if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
    configured = { numThreads, wasmPaths: options.wasmPaths };
  }
  return configured.numThreads;
}

async function webgpuUnavailable(): Promise<string | null> {
  const gpu = (globalThis.navigator as (Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }) | undefined)?.gpu;
  if (gpu === undefined) return 'navigator.gpu is missing (no WebGPU in this environment)';
  try {
    return (await gpu.requestAdapter()) === null ? 'no adapter' : null;
  } catch (error) {
    return `requestAdapter failed: ${(error as Error).message}`;
  }
}

async function createOrtSession(model: Uint8Array, executionProvider: WebExecutionProvider): Promise<OnnxSession> {
  const session = await ort.InferenceSession.create(model, { executionProviders: [executionProvider], graphOptimizationLevel: 'all' });
  return wrapOrtSession(session as unknown as OrtSessionLike, (data, dims) => new ort.Tensor('float32', data, dims), executionProvider);
}

/**
 * A WebGPU session that moves to WASM when a run fails on the GPU (the device was lost: a driver
 * reset, the GPU process restarted, the tab's device destroyed). The failed run is repeated on a
 * WASM session made from the same bytes, so the forecast finishes; `executionProvider` then says
 * 'wasm' and `fallbacks` holds the reason, for the page to show. Later runs stay on WASM.
 */
function withWasmFallback(gpu: OnnxSession, model: Uint8Array, fallbacks: { executionProvider: WebExecutionProvider; reason: string }[], numThreads: number): WebSession {
  let current: OnnxSession = gpu;
  let executionProvider: WebExecutionProvider = 'webgpu';
  let switching: Promise<OnnxSession> | null = null;
  const switchToWasm = (error: unknown): Promise<OnnxSession> => {
    switching ??= (async () => {
      fallbacks.push({ executionProvider: 'webgpu', reason: `a run failed on WebGPU (the device was lost?): ${(error as Error)?.message ?? String(error)}` });
      const wasm = await createOrtSession(model, 'wasm');
      current = wasm;
      executionProvider = 'wasm';
      void gpu.release().catch(() => undefined);
      return wasm;
    })();
    return switching;
  };
  return {
    inputNames: gpu.inputNames,
    outputNames: gpu.outputNames,
    get executionProvider() {
      return executionProvider;
    },
    fallbacks,
    numThreads,
    async run(feeds, outputNames) {
      const session = current;
      try {
        return await session.run(feeds, outputNames);
      } catch (error) {
        if (session !== gpu) throw error;
        return (await switchToWasm(error)).run(feeds, outputNames);
      }
    },
    release: () => current.release(),
  };
}

/** Creates a session from model bytes (fetched and cached by the caller), trying providers in order. */
export async function createWebOnnxSession(model: Uint8Array, options: WebSessionOptions = {}): Promise<WebSession> {
  const providers = options.executionProviders ?? ['webgpu', 'wasm'];
  const numThreads = configureWasm(options);
  const fallbacks: { executionProvider: WebExecutionProvider; reason: string }[] = [];
  for (const executionProvider of providers) {
    if (executionProvider === 'webgpu') {
      const reason = await webgpuUnavailable();
      if (reason !== null) {
        fallbacks.push({ executionProvider, reason });
        continue;
      }
    }
    try {
      const wrapped = await createOrtSession(model, executionProvider);
      if (executionProvider === 'webgpu' && providers.includes('wasm')) return withWasmFallback(wrapped, model, fallbacks, numThreads);
      return { ...wrapped, executionProvider, fallbacks, numThreads };
    } catch (error) {
      fallbacks.push({ executionProvider, reason: (error as Error).message });
    }
  }
  throw new LookaheadError(
    'onnx',
    'unsupported',
    `onnxruntime-web could not create a session with any of [${providers.join(', ')}]: ${fallbacks.map((fallback) => `${fallback.executionProvider}: ${fallback.reason}`).join('; ')}`,
    { details: { fallbacks } },
  );
}
