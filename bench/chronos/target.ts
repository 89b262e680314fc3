import type { RepeatTiming, TimeReply } from '@/tests/browser/chronos-protocol';

/**
 * One runtime under benchmark, living in its own process (a Node child or Chromium's renderer) so
 * its CPU time and peak memory can be read from /proc by pid, the same way for all three.
 */
export const RUNTIMES = ['onnxruntime-node', 'onnxruntime-web-node', 'onnxruntime-web-chromium'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

export const RUNTIME_LABELS: Record<RuntimeName, string> = {
  'onnxruntime-node': 'onnxruntime-node CPU',
  'onnxruntime-web-node': 'onnxruntime-web WASM in Node',
  'onnxruntime-web-chromium': 'onnxruntime-web WASM in Chromium',
};

/** A converted model on disk (model.onnx + manifest.json). */
export interface BenchModel {
  size: string;
  dir: string;
  parameters: number;
  onnxBytes: number;
}

export interface CellRequest {
  batch: number;
  context: number;
  seed: number;
  timing: RepeatTiming;
}

export interface RuntimeTarget {
  readonly runtime: RuntimeName;
  /** The process whose CPU time and memory are the runtime's (valid after load). */
  readonly pid: number;
  /** Loads the model (a fresh process per model, so peaks do not carry over between sizes). */
  load(model: BenchModel): Promise<{ loadMs: number; detail: string }>;
  time(request: CellRequest): Promise<TimeReply>;
  /** What the runtime itself reports about its memory (Chromium: measureUserAgentSpecificMemory), or null. */
  reportedMemoryBytes(): Promise<number | null>;
  /** Ends the process of the current model. */
  unload(): Promise<void>;
}
