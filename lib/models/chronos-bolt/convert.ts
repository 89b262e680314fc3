import { parseChronosBoltConfig, type ChronosBoltConfig } from './config';
import { buildChronosBoltGraph, ONNX_OPSET } from './graph';
import type { WeightDtype } from '../onnx/builder';
import { encodeOnnxModel, type EncodedBytes } from '../onnx/proto';
import { parseSafetensors } from '../onnx/safetensors';

export interface ConvertInput {
  /** Parsed config.json of the HF checkpoint. */
  configJson: unknown;
  /** model.safetensors bytes. */
  safetensors: Uint8Array | ArrayBuffer;
  dtype?: WeightDtype;
  /** Adds the reference's intermediate tensors as extra outputs (tests, debugging). */
  exposeIntermediates?: boolean;
}

export interface ConvertedModel {
  config: ChronosBoltConfig;
  dtype: WeightDtype;
  opset: number;
  /** The .onnx file as chunks (write them in order, or concatChunks them). */
  onnx: EncodedBytes;
}

/** HF Chronos-Bolt checkpoint (config.json + model.safetensors) to an ONNX model; pure, runs anywhere. */
export function convertChronosBolt(input: ConvertInput): ConvertedModel {
  const config = parseChronosBoltConfig(input.configJson);
  const weights = parseSafetensors(input.safetensors);
  const dtype = input.dtype ?? 'fp32';
  const model = buildChronosBoltGraph(config, weights, { dtype, exposeIntermediates: input.exposeIntermediates ?? false });
  return { config, dtype, opset: ONNX_OPSET, onnx: encodeOnnxModel(model) };
}
