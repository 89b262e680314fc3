import { LookaheadError } from '@/lib/core/errors';
import type { ChronosBoltConfig } from './config';
import { denormalize, reduceSamples, selectQuantiles } from './postprocess';
import { instanceNorm, patchContext, stackContexts, type ContextBatch } from './preprocess';

/**
 * What the pipeline needs from an inference runtime: one run of the converted graph on a patched,
 * normalised batch. `quantiles` is normalised, [batch, numQuantiles, predictionLength];
 * `encoderOutput` [batch, tokens, d_model] is returned when `options.encoderOutput` is set.
 * lib/runtime/onnx-session.ts adapts an onnxruntime (node or web) session to this.
 */
export interface ChronosRuntime {
  run(
    patches: Float32Array,
    patchMask: Float32Array,
    batch: number,
    numPatches: number,
    options?: { encoderOutput?: boolean },
  ): Promise<{ quantiles: Float32Array; encoderOutput?: Float32Array }>;
}

export interface PredictOptions {
  signal?: AbortSignal;
  /** Rows of model input done so far and in all (the long-horizon path runs numQuantiles rows per series). */
  onProgress?: (done: number, total: number) => void;
  /** Sees every model call: its raw context [batch, length] and de-normalised output [batch, Q, predictionLength]. */
  onModelCall?: (call: ModelCall) => void;
}

export interface ModelCall {
  context: ContextBatch;
  /** De-normalised, [batch, numQuantiles, predictionLength]. */
  quantiles: Float32Array;
}

export interface ForwardResult {
  /** De-normalised, [batch, numQuantiles, predictionLength]. */
  quantiles: Float32Array;
  loc: Float32Array;
  scale: Float32Array;
  /** [batch, tokens, d_model], only when asked for. */
  encoderOutput?: Float32Array;
  tokens: number;
}

export interface Embedding {
  /** [batch, tokens, d_model], tokens = patches (+1 for [REG]). */
  embeddings: Float32Array;
  batch: number;
  tokens: number;
  modelDim: number;
  loc: Float32Array;
  scale: Float32Array;
}

export interface PipelineOptions {
  /** Most rows per runtime call; bounds memory (attention is batch x heads x tokens^2). */
  maxBatch?: number;
}

/** Rows per runtime call unless told: about 50 MB of attention scores for a base model. */
export const DEFAULT_MAX_BATCH = 64;

/**
 * ChronosBoltPipeline of chronos-forecasting v2.3.0 (predict, predict_quantiles, embed) over an
 * injected runtime that runs the converted graph.
 */
export class ChronosBoltPipeline {
  private readonly maxBatch: number;

  constructor(
    readonly config: ChronosBoltConfig,
    private readonly runtime: ChronosRuntime,
    options: PipelineOptions = {},
  ) {
    const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw new LookaheadError('chronos-bolt', 'bad_input', `maxBatch must be a positive integer, got ${maxBatch}`);
    }
    this.maxBatch = maxBatch;
  }

  get quantileLevels(): readonly number[] {
    return this.config.quantileLevels;
  }

  /**
   * One model call (`ChronosBoltModelForForecasting.forward`) on contexts [batch, length]: truncate,
   * normalise, patch, run, de-normalise. Rows are sent in chunks of at most `maxBatch`.
   */
  async forward(
    context: ContextBatch,
    options: { encoderOutput?: boolean; signal?: AbortSignal; onRows?: (rows: number) => void } = {},
  ): Promise<ForwardResult> {
    const truncated = truncate(context, this.config.contextLength);
    const { normalized, loc, scale } = instanceNorm(truncated);
    const { batch, length } = truncated;
    const patched = patchContext(normalized, batch, length, this.config.patchSize);
    const { numPatches } = patched;
    const tokens = numPatches + (this.config.useRegToken ? 1 : 0);
    const features = 2 * this.config.patchSize;
    const perRowOut = this.config.quantileLevels.length * this.config.predictionLength;
    const perRowEmbedding = tokens * this.config.modelDim;
    const normalizedQuantiles = new Float32Array(batch * perRowOut);
    const encoderOutput = options.encoderOutput === true ? new Float32Array(batch * perRowEmbedding) : undefined;
    for (let start = 0; start < batch; start += this.maxBatch) {
      options.signal?.throwIfAborted();
      const rows = Math.min(this.maxBatch, batch - start);
      const result = await this.runtime.run(
        patched.patches.subarray(start * numPatches * features, (start + rows) * numPatches * features),
        patched.patchMask.subarray(start * numPatches, (start + rows) * numPatches),
        rows,
        numPatches,
        { encoderOutput: encoderOutput !== undefined },
      );
      if (result.quantiles.length !== rows * perRowOut) {
        throw new LookaheadError('chronos-bolt', 'internal', `runtime returned ${result.quantiles.length} quantile values for ${rows} rows, expected ${rows * perRowOut}`);
      }
      normalizedQuantiles.set(result.quantiles, start * perRowOut);
      if (encoderOutput !== undefined) {
        if (result.encoderOutput?.length !== rows * perRowEmbedding) {
          throw new LookaheadError('chronos-bolt', 'internal', `runtime returned ${result.encoderOutput?.length ?? 'no'} encoder values for ${rows} rows, expected ${rows * perRowEmbedding}`);
        }
        encoderOutput.set(result.encoderOutput, start * perRowEmbedding);
      }
      options.onRows?.(rows);
    }
    const quantiles = denormalize(normalizedQuantiles, loc, scale, batch);
    return { quantiles, loc, scale, tokens, ...(encoderOutput === undefined ? {} : { encoderOutput }) };
  }

  /**
   * predict(): quantiles [batch, numQuantiles, predictionLength], float32. Horizons beyond the
   * model's prediction length use the reference's quantile expansion: each of the Q quantile paths
   * is appended to the context, the model is run on all B*Q contexts, and the Q*Q samples per step
   * are reduced with torch.quantile's linear interpolation.
   */
  async predict(series: readonly ArrayLike<number>[], predictionLength?: number, options: PredictOptions = {}): Promise<Float32Array> {
    const { contextLength, predictionLength: step } = this.config;
    const horizon = predictionLength ?? step;
    if (!Number.isInteger(horizon) || horizon < 1) {
      throw new LookaheadError('chronos-bolt', 'bad_input', `prediction length must be a positive integer, got ${horizon}`);
    }
    const levels = this.config.quantileLevels;
    const numQuantiles = levels.length;
    const context = stackContexts(series, contextLength);
    const { batch } = context;
    const blocks = Math.ceil(horizon / step);
    const totalRows = batch + (blocks - 1) * batch * numQuantiles;
    let doneRows = 0;
    const onRows = (rows: number): void => {
      doneRows += rows;
      options.onProgress?.(doneRows, totalRows);
    };
    const call = async (input: ContextBatch): Promise<Float32Array> => {
      const { quantiles } = await this.forward(input, { signal: options.signal, onRows });
      options.onModelCall?.({ context: input, quantiles });
      return quantiles;
    };

    const out = new Float32Array(batch * numQuantiles * horizon);
    const place = (block: Float32Array, offset: number): void => {
      const width = Math.min(step, horizon - offset);
      for (let row = 0; row < batch * numQuantiles; row++) {
        out.set(block.subarray(row * step, row * step + width), row * horizon + offset);
      }
    };

    let prediction = await call(context);
    place(prediction, 0);
    // One context per (series, quantile) path, extended by that path's prediction each block.
    let paths: ContextBatch = repeatRows(context, numQuantiles);
    for (let offset = step; offset < horizon; offset += step) {
      paths = appendAndTruncate(paths, prediction, step, contextLength);
      const samples = await call(paths);
      // [batch * Q, Q, step] is [batch, Q * Q, step] with sample index = path * Q + quantile.
      prediction = reduceSamples(samples, batch, numQuantiles * numQuantiles, step, levels);
      place(prediction, offset);
    }
    return out;
  }

  /**
   * predict_quantiles(): quantiles [batch][step][level] at `quantileLevels` (selected when trained,
   * else interpolated and clamped to the trained range) and the mean (the 0.5 quantile) [batch][step].
   */
  async predictQuantiles(
    series: readonly ArrayLike<number>[],
    predictionLength: number | undefined,
    quantileLevels: readonly number[] = this.config.quantileLevels,
    options: PredictOptions = {},
  ): Promise<{ quantiles: number[][][]; mean: number[][]; clamped: boolean }> {
    for (const level of quantileLevels) {
      if (!(level > 0 && level < 1)) {
        throw new LookaheadError('chronos-bolt', 'bad_input', `quantile level ${level} is outside (0, 1); use levels such as 0.1,0.5,0.9`);
      }
    }
    const horizon = predictionLength ?? this.config.predictionLength;
    const predictions = await this.predict(series, horizon, options);
    return selectQuantiles(predictions, series.length, horizon, this.config.quantileLevels, quantileLevels);
  }

  /** embed(): the encoder output [batch, tokens, d_model] (with [REG] last) and the loc/scale used. */
  async embed(series: readonly ArrayLike<number>[], options: { signal?: AbortSignal } = {}): Promise<Embedding> {
    const context = stackContexts(series, this.config.contextLength);
    const result = await this.forward(context, { encoderOutput: true, signal: options.signal });
    return {
      embeddings: result.encoderOutput!,
      batch: context.batch,
      tokens: result.tokens,
      modelDim: this.config.modelDim,
      loc: result.loc,
      scale: result.scale,
    };
  }
}

function truncate(context: ContextBatch, contextLength: number): ContextBatch {
  if (context.length <= contextLength) return context;
  const { batch, length } = context;
  const values = new Float32Array(batch * contextLength);
  for (let b = 0; b < batch; b++) values.set(context.values.subarray((b + 1) * length - contextLength, (b + 1) * length), b * contextLength);
  return { values, batch, length: contextLength };
}

function repeatRows(context: ContextBatch, times: number): ContextBatch {
  const { batch, length } = context;
  const values = new Float32Array(batch * times * length);
  for (let b = 0; b < batch; b++) {
    const row = context.values.subarray(b * length, (b + 1) * length);
    for (let copy = 0; copy < times; copy++) values.set(row, (b * times + copy) * length);
  }
  return { values, batch: batch * times, length };
}

/** cat(paths, prediction)[..., -contextLength:]: row r of `paths` gets row r of `prediction` [rows, step]. */
function appendAndTruncate(paths: ContextBatch, prediction: Float32Array, step: number, contextLength: number): ContextBatch {
  const { batch, length } = paths;
  const extended = length + step;
  const kept = Math.min(extended, contextLength);
  const values = new Float32Array(batch * kept);
  for (let row = 0; row < batch; row++) {
    const joined = new Float32Array(extended);
    joined.set(paths.values.subarray(row * length, (row + 1) * length));
    joined.set(prediction.subarray(row * step, (row + 1) * step), length);
    values.set(joined.subarray(extended - kept), row * kept);
  }
  return { values, batch, length: kept };
}
