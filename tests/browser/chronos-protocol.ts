/**
 * What Node and the Chronos-Bolt browser harness (chronos-harness.ts) say to each other through
 * page.evaluate: plain data only (number arrays; NaN survives Playwright's serialisation), a
 * session handle on every call, and calls as a union on `kind`.
 */

export type HarnessExecutionProvider = 'webgpu' | 'wasm';

export interface LoadRequest {
  /** URL of the .onnx file, relative to the page. */
  modelUrl: string;
  /** URL of manifest.json; without it the session only answers `run` (e.g. the debug graph). */
  manifestUrl?: string;
  /** Tried in order (createWebOnnxSession); the reply says which one took it and why others did not. */
  executionProviders: HarnessExecutionProvider[];
  /** WASM threads; the first session of the page fixes it (onnxruntime-web's global setting). */
  numThreads: number;
  /** Where the ort-wasm-*.mjs/.wasm files are served. */
  wasmPaths: string;
}

export interface LoadedSession {
  handle: number;
  executionProvider: string;
  fallbacks: { executionProvider: string; reason: string }[];
  numThreads: number;
  crossOriginIsolated: boolean;
  /** The adapter navigator.gpu hands out ('google swiftshader ...'), when the session is on WebGPU. */
  webgpuAdapter: string | null;
  /** Download plus session creation. */
  loadMs: number;
}

export interface TensorData {
  data: number[];
  dims: number[];
}

export type HarnessCall =
  | { kind: 'predict'; series: number[][]; predictionLength?: number; maxBatch?: number; trace?: boolean }
  | { kind: 'predictQuantiles'; series: number[][]; predictionLength: number; levels: number[] }
  | { kind: 'embed'; series: number[][] }
  /** One raw session run (the debug graph's intermediates). */
  | { kind: 'run'; feeds: Record<string, TensorData> }
  /** Benchmark cell: predict() on a synthetic batch (synthetic-series.ts), horizon = one model call, maxBatch = batch. */
  | { kind: 'time'; batch: number; context: number; seed: number; timing: RepeatTiming }
  /**
   * Benchmark: a rolling-origin backtest (lib/evaluation backtestModel) of one synthetic series
   * through the ForecastModel, batched or one call per window; the forecasts come back so Node can
   * check both paths agree.
   */
  | { kind: 'backtest'; windows: number; context: number; horizon: number; step: number; seed: number; oneCallPerWindow: boolean }
  /** Where the session runs now (a WebGPU session may have moved to WASM), and every fallback so far. */
  | { kind: 'describe' };

export interface DescribeReply {
  executionProvider: string;
  fallbacks: { executionProvider: string; reason: string }[];
}

export interface PredictReply {
  values: number[];
  /** With `trace`: every model call's context and de-normalised output, and the progress reports. */
  calls?: { contextShape: [number, number]; context: number[]; quantiles: number[] }[];
  progress?: [number, number][];
}

export interface PredictQuantilesReply {
  quantiles: number[][][];
  mean: number[][];
  clamped: boolean;
}

export interface EmbedReply {
  embeddings: number[];
  batch: number;
  tokens: number;
  modelDim: number;
  loc: number[];
  scale: number[];
}

export interface TimeReply {
  samplesMs: number[];
  warmupMs: number[];
}

export interface BacktestReply {
  elapsedMs: number;
  /** Runtime calls made and rows in each. */
  calls: number[];
  /** Per window: the median path (0.5 quantile), step by step. */
  medians: number[][];
}

export interface HarnessReplies {
  predict: PredictReply;
  predictQuantiles: PredictQuantilesReply;
  embed: EmbedReply;
  run: Record<string, TensorData>;
  time: TimeReply;
  backtest: BacktestReply;
  describe: DescribeReply;
}

/** How a benchmark cell repeats: `warmup` untimed runs, then at least `minRepeats` timed ones, more (up to `maxRepeats`) while under `budgetMs`. */
export interface RepeatTiming {
  warmup: number;
  minRepeats: number;
  maxRepeats: number;
  budgetMs: number;
}

/** The page's global, installed by chronos-harness.ts. */
export interface ChronosHarness {
  load(request: LoadRequest): Promise<LoadedSession>;
  call<K extends HarnessCall['kind']>(handle: number, request: Extract<HarnessCall, { kind: K }>): Promise<HarnessReplies[K]>;
  release(handle: number): Promise<void>;
  /** performance.measureUserAgentSpecificMemory() in bytes, or null where the page may not call it. */
  measureMemory(): Promise<number | null>;
}

declare global {
  interface Window {
    chronosHarness?: ChronosHarness;
  }
}
