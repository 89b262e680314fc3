/**
 * TensorFlow.js for the Informer model and trainer: the only importer of @tensorflow/* (DESIGN.md).
 * Backends are a table plus one resolver; each loads lazily so a Node process never pulls in
 * WebGPU and a browser never pulls in the WASM loader it does not use.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LookaheadError } from '@/lib/core/errors';

export type TfBackendName = 'cpu' | 'wasm' | 'webgpu';
export type Tf = typeof tf;

export interface TfOptions {
  /**
   * Where the tfjs-backend-wasm binaries are: a URL prefix in the browser ("/wasm/tfjs/"), a
   * directory path ending in "/" in Node. Default in Node: the package's own dist folder.
   */
  wasmPaths?: string;
  /** WASM threads; default 1 (the multithreaded build crashes under COOP/COEP, see README). */
  wasmThreads?: number;
}

const loaded = new Map<TfBackendName, Promise<void>>();
let gradients: Promise<void> | undefined;

/**
 * How this host registers every op's gradient (needed by the trainer): tfjs-browser.ts imports
 * tfjs-core's ESM registration; tfjs-node.ts bundles it for Node. Kept out of this file so a
 * browser bundle never sees node:fs or esbuild.
 */
export type GradientRegistrar = () => Promise<void>;

async function registerBackend(name: TfBackendName, options: TfOptions): Promise<void> {
  if (name === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    return;
  }
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
    // Under COOP/COEP the threaded build crashes in tfjs 4.22; single-threaded SIMD is the safe default.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', (options.wasmThreads ?? 1) > 1);
    if (options.wasmThreads !== undefined && options.wasmThreads > 1) wasm.setThreadsCount(options.wasmThreads);
    return;
  }
  await import('@tensorflow/tfjs-backend-webgpu');
}

/**
 * (Called through loadTf in tfjs-node.ts or tfjs-browser.ts.) Loads and selects a backend and returns the tf namespace for lib/models/informer. Throws a
 * LookaheadError('tfjs', ...) naming the backend when it cannot initialise (no WebGPU adapter,
 * WASM binaries not found).
 */
export async function loadTfWith(registrar: GradientRegistrar, name: TfBackendName, options: TfOptions = {}): Promise<Tf> {
  if (!['cpu', 'wasm', 'webgpu'].includes(name)) {
    throw new LookaheadError('tfjs', 'bad_input', `unknown backend ${JSON.stringify(name)}; valid: cpu, wasm, webgpu`);
  }
  let registration = loaded.get(name);
  if (registration === undefined) {
    registration = registerBackend(name, options);
    loaded.set(name, registration);
  }
  try {
    await registration;
    gradients ??= registrar();
    await gradients;
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
    await tf.ready();
  } catch (error) {
    loaded.delete(name);
    throw new LookaheadError('tfjs', 'unsupported', `backend ${name} could not start: ${(error as Error).message}`, { cause: error });
  }
  return tf;
}

/** The backend tf is using now. */
export function tfBackendName(): string {
  return tf.getBackend();
}
