import 'server-only';
import { z } from 'zod';
import { LookaheadError } from '@/lib/core/errors';
import { decodeSafetensors, INFORMER_NETWORK_BOUNDS, parameterSpecs, validateConfig, type InformerConfig, type ResidualCalibration } from '@/lib/models/informer';
import { principalFromHeaders } from '@/lib/server/access';
import { fromZodError } from '@/lib/server/http';
import { readBodyCapped } from '@/lib/server/json-body';
import { storeTrainedModel, TRAINED_ID_PATTERN, type TrainedConfig } from './trained';

/**
 * POST /api/models/trained: a model trained in the browser (the training worker runs the same
 * trainer as the `train` job) is stored like a job's: a new current revision with its config,
 * data window, metrics, loss history and calibration. The body is multipart/form-data with
 * `record` (JSON, below) and `weights` (safetensors, F32); the whole body is capped at
 * LOOKAHEAD_TRAINED_MAX_BYTES, and the weights must be exactly the tensors the config's network has.
 */

// The large preset's weights are 77.8 MB (19.5M float32); medium 11.3 MB, small 0.5 MB. next.config.ts reads the same variable.
export const DEFAULT_TRAINED_MAX_BYTES = 96 * 1024 * 1024;

export function trainedUploadMaxBytes(env: Record<string, string | undefined> = process.env): number {
  const raw = env.LOOKAHEAD_TRAINED_MAX_BYTES;
  if (raw === undefined || raw === '') return DEFAULT_TRAINED_MAX_BYTES;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1024) throw new LookaheadError('config', 'bad_input', `LOOKAHEAD_TRAINED_MAX_BYTES must be a whole number of bytes >= 1024, got ${JSON.stringify(raw)}`);
  return value;
}

const finite = z.number().finite();
const lossOrNull = z.number().finite().nullable();
const errorMetrics = z.object({ mse: finite, mae: finite }).passthrough();

const modelConfigSchema = z
  .object({
    encoderInputs: z.literal(1, 'config.model.encoderInputs must be 1 (browser training fits one series)'),
    decoderInputs: z.literal(1, 'config.model.decoderInputs must be 1'),
    outputs: z.literal(1, 'config.model.outputs must be 1'),
    ...INFORMER_NETWORK_BOUNDS,
  })
  .passthrough();

export const trainedRecordSchema = z.strictObject({
  id: z.string().regex(TRAINED_ID_PATTERN, 'id must start with "informer-" and use lower-case letters, digits and "-" (at most 72 characters)'),
  label: z.string().min(1).max(200),
  config: z.strictObject({
    preset: z.strictObject({ task: z.string().min(1).max(40), size: z.string().min(1).max(40) }),
    model: modelConfigSchema,
    training: z.record(z.string(), z.unknown()),
    scaler: z.strictObject({ mean: z.array(finite).length(1), std: z.array(finite.positive()).length(1) }),
    frequency: z.string().max(40).nullable(),
  }),
  dataWindow: z
    .object({
      source: z.string().min(1).max(200),
      series: z.string().max(1000).nullable(),
      range: z.object({ from: z.string().max(40), to: z.string().max(40), rows: z.number().int().min(1) }).passthrough(),
    })
    .passthrough(),
  metrics: z.object({ validation: errorMetrics, test: errorMetrics.optional(), bestEpoch: z.number().int().min(-1) }).passthrough(),
  history: z.strictObject({
    epochs: z.array(z.object({ epoch: z.number().int().min(0), trainLoss: finite, validationLoss: lossOrNull, learningRate: finite, seconds: finite }).passthrough()).max(1000),
    stepLosses: z.array(finite).max(200_000),
  }),
  calibration: z.strictObject({
    method: z.literal('validation-residual-quantiles'),
    levels: z.array(z.number().gt(0).lt(1)).min(2).max(199),
    residuals: z.array(z.array(finite)).min(2),
    windows: z.number().int().min(1),
  }),
  /** The browser training run (training_runs / training_metrics) this model came from. */
  trainingRunId: z.string().regex(/^browser-[a-z0-9-]{6,80}$/, 'trainingRunId must look like "browser-<id>"').optional(),
});

export type TrainedRecord = z.infer<typeof trainedRecordSchema>;

/** The weights are exactly the network's tensors: every name of the config's parameter list, each with its shape. */
function checkWeights(bytes: Uint8Array, config: InformerConfig): void {
  let tensors;
  try {
    tensors = decodeSafetensors(bytes).tensors;
  } catch (error) {
    throw new LookaheadError('models', 'bad_input', `weights: not a readable safetensors file (${(error as Error).message})`, { cause: error });
  }
  const specs = parameterSpecs(config);
  const missing = specs.filter((spec) => !tensors.has(spec.name)).map((spec) => spec.name);
  if (missing.length) throw new LookaheadError('models', 'bad_input', `weights: ${missing.length} tensor(s) of this config are missing, e.g. ${missing.slice(0, 3).join(', ')}`);
  const known = new Set(specs.map((spec) => spec.name));
  const extra = [...tensors.keys()].filter((name) => !known.has(name));
  if (extra.length) throw new LookaheadError('models', 'bad_input', `weights: ${extra.length} tensor(s) are not part of this config, e.g. ${extra.slice(0, 3).join(', ')}`);
  for (const spec of specs) {
    const tensor = tensors.get(spec.name)!;
    if (tensor.shape.join('x') !== spec.shape.join('x')) throw new LookaheadError('models', 'bad_input', `weights: ${spec.name} has shape [${tensor.shape}], the config needs [${spec.shape}]`);
    if (!tensor.values.every(Number.isFinite)) throw new LookaheadError('models', 'bad_input', `weights: ${spec.name} holds a non-finite value`);
  }
}

export async function acceptTrainedUpload(request: Request, handle: Parameters<typeof storeTrainedModel>[0], maxBytes = trainedUploadMaxBytes()) {
  const type = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data/i.test(type)) throw new LookaheadError('models', 'bad_input', `send multipart/form-data with a "record" (JSON) and a "weights" (safetensors) part; got content-type ${JSON.stringify(type.slice(0, 80))}`);
  const body = await readBodyCapped(request, {
    maxBytes,
    tooLarge: (bytes) => new LookaheadError('models', 'too_large', `a trained model upload is at most ${maxBytes} bytes (LOOKAHEAD_TRAINED_MAX_BYTES)${bytes ? `; this one is ${bytes}` : ''}; train a smaller size`),
  });
  if (!body) throw new LookaheadError('models', 'bad_input', 'the request has no body; send a "record" and a "weights" part');
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': type } }).formData();
  } catch (error) {
    throw new LookaheadError('models', 'bad_input', `the body is not valid multipart/form-data (${(error as Error).message})`, { cause: error });
  }
  const recordPart = form.get('record');
  const weightsPart = form.get('weights');
  if (recordPart === null) throw new LookaheadError('models', 'bad_input', 'the "record" part (JSON: id, label, config, dataWindow, metrics, history, calibration) is missing');
  if (weightsPart === null || typeof weightsPart === 'string') throw new LookaheadError('models', 'bad_input', 'the "weights" part (a safetensors file) is missing');
  let json: unknown;
  try {
    json = JSON.parse(typeof recordPart === 'string' ? recordPart : await recordPart.text());
  } catch (error) {
    throw new LookaheadError('models', 'bad_input', `the "record" part is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = trainedRecordSchema.safeParse(json);
  if (!parsed.success) throw fromZodError('models', parsed.error);
  const record = parsed.data;
  const model = validateConfig(record.config.model as unknown as InformerConfig);
  if (record.calibration.residuals.length !== record.calibration.levels.length || record.calibration.residuals.some((row) => row.length !== model.horizon)) {
    throw new LookaheadError('models', 'bad_input', `calibration.residuals must be one row of ${model.horizon} (the horizon) per level (${record.calibration.levels.length})`);
  }
  const weights = new Uint8Array(await weightsPart.arrayBuffer());
  checkWeights(weights, model);
  const principal = principalFromHeaders(request.headers);
  const config: TrainedConfig = { preset: record.config.preset, model, training: record.config.training, scaler: record.config.scaler, frequency: record.config.frequency };
  const saved = await storeTrainedModel(handle, {
    id: record.id,
    label: record.label,
    weights,
    config,
    dataWindow: { ...record.dataWindow, trainedIn: 'browser' },
    metrics: record.metrics,
    history: record.history,
    calibration: record.calibration as ResidualCalibration,
    trainingRunId: record.trainingRunId ?? null,
    createdBy: principal.name,
  });
  return { ...saved, bytes: weights.byteLength };
}
