/**
 * The runtime column groups runs the way the dashboard compares them: where they ran and on what
 * (browser WebGPU, browser WASM, server CPU, server CUDA). The device column keeps the full label.
 */
export type RuntimeKind = 'browser-webgpu' | 'browser-wasm' | 'server-cpu' | 'server-cuda' | 'job-cpu' | 'job-cuda';

/** From the server's runtime label: "onnxruntime-node (cuda)" -> server-cuda; JavaScript and augurs run on the CPU. */
export function serverRuntimeKind(runtime: string, origin: 'server' | 'job' = 'server'): RuntimeKind {
  return /\bcuda\b/i.test(runtime) ? `${origin}-cuda` : `${origin}-cpu`;
}

export function browserRuntimeKind(device: 'webgpu' | 'wasm'): RuntimeKind {
  return device === 'webgpu' ? 'browser-webgpu' : 'browser-wasm';
}
