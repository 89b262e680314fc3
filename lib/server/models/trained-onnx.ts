import 'server-only';
import { LookaheadError } from '@/lib/core/errors';
import {
  checkInformerHorizon, decodeSafetensors, defaultProbSamples, exportInformerOnnx, INFORMER_ONNX_EXPORTER_VERSION, INFORMER_ONNX_INPUTS, INFORMER_ONNX_OUTPUT,
  informerForecastFrom, informerInputArrays, markColumns, prepareInformerContext, type PreparedInformerContext, type ResidualCalibration, type TrainedInformer,
} from '@/lib/models/informer';
import type { Forecast } from '@/lib/core/forecast';
import type { SeriesInput } from '@/lib/models/model';
import type { OnnxSession, OnnxTensorData } from '@/lib/runtime/onnx-session';
import { getTrainedOnnx, getTrainedWeights, putTrainedOnnx, type DatabaseHandle, type TrainedModelRow } from '@/db';
import { sha256Hex, type TrainedConfig } from './trained';

/**
 * Trained Informer revisions on onnxruntime-node (forecast-batch jobs over thousands of series).
 * The network is exported to ONNX by the project's own builder (lib/models/informer/onnx-graph.ts)
 * once per weights sha256 and exporter version, and the bytes are cached in the database beside
 * the weights (table trained_model_onnx, migration 0013), so every worker after the first loads
 * the stored export. Preprocessing and the quantiles come from the same functions as the tfjs
 * forecaster, and the ProbSparse key samples are the same documented deterministic draw
 * (`defaultProbSamples`: seededKeySampler(0) in call order), so both paths agree within float32
 * rounding (tests/integration/informer-onnx-jobs.test.ts).
 */

export function trainedInformerOf(row: TrainedModelRow): TrainedInformer {
  const config = row.config as unknown as TrainedConfig;
  return {
    info: { id: row.id, family: 'informer', label: row.label, revision: row.revision },
    config: config.model,
    scaler: config.scaler,
    calibration: row.calibration as unknown as ResidualCalibration,
    trainedFrequency: config.frequency,
  };
}

/** The revision's ONNX bytes: the cached export, or a fresh one stored for the next worker. */
export async function trainedOnnxBytes(handle: DatabaseHandle, row: TrainedModelRow): Promise<{ onnx: Uint8Array; onnxSha256: string; exported: boolean }> {
  const key = { weightsSha256: row.sha256, exporterVersion: INFORMER_ONNX_EXPORTER_VERSION };
  const cached = await getTrainedOnnx(handle, key);
  if (cached) {
    const actual = sha256Hex(cached.onnx);
    if (actual !== cached.onnxSha256) throw new LookaheadError('models', 'internal', `the cached ONNX export of ${row.id}@${row.revision} hashes to ${actual.slice(0, 12)}, its record says ${cached.onnxSha256.slice(0, 12)}`);
    return { ...cached, exported: false };
  }
  const weights = await getTrainedWeights(handle, { id: row.id, revision: row.revision });
  if (!weights) throw new LookaheadError('models', 'not_found', `trained model ${row.id}@${row.revision} was deleted`);
  const weightsSha256 = sha256Hex(weights);
  if (weightsSha256 !== row.sha256) throw new LookaheadError('models', 'internal', `trained model ${row.id}@${row.revision}: the stored weights hash to ${weightsSha256.slice(0, 12)}, the record says ${row.sha256.slice(0, 12)}`);
  const config = (row.config as unknown as TrainedConfig).model;
  const onnx = exportInformerOnnx(config, decodeSafetensors(weights).tensors, { metadata: { model: row.id, revision: row.revision, weights_sha256: row.sha256 } });
  const onnxSha256 = sha256Hex(onnx);
  await putTrainedOnnx(handle, { ...key, onnx, onnxSha256 });
  return { onnx, onnxSha256, exported: true };
}

export type InformerBatchOutcome = { ok: true; forecast: Forecast } | { ok: false; error: string };

/**
 * Forecasts many series with one session call per `maxBatch` series: each series is checked and
 * prepared alone (a bad one fails alone, with the tfjs path's message), the rest run together.
 */
export async function forecastInformerBatch(
  session: OnnxSession,
  trained: TrainedInformer,
  series: readonly SeriesInput[],
  options: { horizon: number; levels: readonly number[]; maxBatch: number; signal?: AbortSignal },
): Promise<InformerBatchOutcome[]> {
  const { config } = trained;
  if (config.encoderInputs !== 1 || config.outputs !== 1) throw new LookaheadError('informer', 'bad_input', `forecasting serves univariate models; this one reads ${config.encoderInputs} channels and predicts ${config.outputs}`);
  const outcomes: InformerBatchOutcome[] = new Array(series.length);
  const ready: { index: number; prepared: PreparedInformerContext }[] = [];
  series.forEach((input, index) => {
    try {
      checkInformerHorizon(trained, options.horizon);
      ready.push({ index, prepared: prepareInformerContext(trained, input) });
    } catch (error) {
      if (!(error instanceof LookaheadError) || !error.expose) throw error;
      outcomes[index] = { ok: false, error: error.message };
    }
  });
  const L = config.contextLength;
  const D = config.labelLength + config.horizon;
  const M = markColumns(config.frequency);
  const samples: Record<string, OnnxTensorData> = {};
  for (const { input, indices } of defaultProbSamples(config)) samples[input.name] = { data: Float32Array.from(indices), dims: [input.queryLength, input.samples] };
  for (let start = 0; start < ready.length; start += options.maxBatch) {
    options.signal?.throwIfAborted();
    const group = ready.slice(start, start + options.maxBatch);
    const B = group.length;
    const feeds = {
      [INFORMER_ONNX_INPUTS.encoderValues]: { data: new Float32Array(B * L), dims: [B, L, 1] },
      [INFORMER_ONNX_INPUTS.encoderMarks]: { data: new Float32Array(B * L * M), dims: [B, L, M] },
      [INFORMER_ONNX_INPUTS.decoderValues]: { data: new Float32Array(B * D), dims: [B, D, 1] },
      [INFORMER_ONNX_INPUTS.decoderMarks]: { data: new Float32Array(B * D * M), dims: [B, D, M] },
      ...samples,
    } satisfies Record<string, OnnxTensorData>;
    group.forEach(({ prepared }, b) => {
      const arrays = informerInputArrays(trained, prepared);
      feeds[INFORMER_ONNX_INPUTS.encoderValues]!.data.set(arrays.encoderValues, b * L);
      feeds[INFORMER_ONNX_INPUTS.encoderMarks]!.data.set(arrays.encoderMarks, b * L * M);
      feeds[INFORMER_ONNX_INPUTS.decoderValues]!.data.set(arrays.decoderValues, b * D);
      feeds[INFORMER_ONNX_INPUTS.decoderMarks]!.data.set(arrays.decoderMarks, b * D * M);
    });
    const prediction = (await session.run(feeds, [INFORMER_ONNX_OUTPUT]))[INFORMER_ONNX_OUTPUT]!;
    group.forEach(({ index, prepared }, b) => {
      const point = prediction.data.subarray(b * config.horizon, (b + 1) * config.horizon);
      outcomes[index] = { ok: true, forecast: informerForecastFrom(trained, point, { horizon: options.horizon, quantileLevels: options.levels }, prepared.notes) };
    });
  }
  return outcomes;
}
