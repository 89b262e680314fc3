/** Chronos-Bolt: HF checkpoint -> ONNX converter and the forecasting pipeline (runtime injected). */
export { parseChronosBoltConfig, maxEncoderTokens, type ChronosBoltConfig } from './config';
export { convertChronosBolt, type ConvertInput, type ConvertedModel } from './convert';
export { buildChronosBoltGraph, ONNX_OPSET, INPUT_PATCHES, INPUT_PATCH_MASK, OUTPUT_QUANTILES, OUTPUT_ENCODER, type BuildGraphOptions, type WeightSource } from './graph';
export type { WeightDtype } from '../onnx/builder';
export { encodeOnnxModel, concatChunks, encodedChunks, type EncodedBytes, type LazyBytes, type OnnxModel } from '../onnx/proto';
export { CHRONOS_BOLT_CATALOG, catalogEntry, checkpointParameters, formatDownloadSize, type CatalogEntry, type ChronosBoltArchitecture } from './catalog';
export { parseSafetensors, type SafetensorsFile, type SafetensorsEntry } from '../onnx/safetensors';
export { relativePositionBucket } from './position-bias';
export { stackContexts, instanceNorm, patchContext, type ContextBatch, type InstanceNorm, type PatchedBatch } from './preprocess';
export { denormalize, linearQuantiles, reduceSamples, selectQuantiles } from './postprocess';
export {
  ChronosBoltPipeline,
  DEFAULT_MAX_BATCH,
  type ChronosRuntime,
  type PredictOptions,
  type ModelCall,
  type ForwardResult,
  type Embedding,
  type PipelineOptions,
} from './pipeline';
export { parseChronosBoltManifest, modelFileFor, type ChronosBoltManifest, type ManifestFile } from './manifest';
export { createChronosBoltModel, type ChronosBoltModelOptions } from './model';
export { chronosBatchSize, BATCH_MEMORY_BUDGET_BYTES, MAX_SERIES_PER_BATCH } from './batch-size';
