/**
 * The two real ONNX runtimes the Chronos-Bolt tests run every golden on: onnxruntime-node (CPU)
 * and onnxruntime-web's WASM backend, both in this Node process.
 */
import v8 from 'node:v8';
import type { OnnxSession } from '@/lib/runtime/onnx-session';

export const CHRONOS_RUNTIMES = ['onnxruntime-node', 'onnxruntime-web'] as const;
export type ChronosRuntimeName = (typeof CHRONOS_RUNTIMES)[number];

export async function createTestSession(runtime: ChronosRuntimeName, model: Uint8Array): Promise<OnnxSession> {
  if (runtime === 'onnxruntime-node') {
    const { createNodeOnnxSession } = await import('@/lib/runtime/onnx-node');
    // One thread: test files run in parallel on a 2-core machine.
    return createNodeOnnxSession(model, { intraOpNumThreads: 1 });
  }
  const { createWebOnnxSession } = await loadOnnxWeb();
  return createWebOnnxSession(model, { executionProviders: ['wasm'], numThreads: 1 });
}

/** lib/runtime/onnx-web.ts, loaded the way tests and benchmarks in Node should load it. */
export async function loadOnnxWeb(): Promise<typeof import('@/lib/runtime/onnx-web')> {
  // Node 20's V8 compiles onnxruntime-web's 28 MB JSEP wasm with TurboFan in background threads
  // (~55 s of CPU per process, measured) and the process waits for it at exit; Liftoff alone runs
  // these small test models quickly and computes the same IEEE float results.
  v8.setFlagsFromString('--liftoff-only');
  return import('@/lib/runtime/onnx-web');
}
