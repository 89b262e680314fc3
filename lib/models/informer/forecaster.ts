/**
 * A trained Informer as a ForecastModel (the interface every family implements): `fit` keeps the
 * context (the last contextLength values and their timestamps), `forecast` scales it with the
 * training scaler, builds the encoder and the generative decoder input (labelLength known steps
 * plus zeros, with the future steps' time marks), runs the network once and answers quantiles
 * from the validation-residual calibration (calibration.ts). Needs timestamps: the time features
 * are part of the input.
 */
import { LookaheadError } from '@/lib/core/errors';
import type { Forecast } from '@/lib/core/forecast';
import { DEFAULT_QUANTILE_LEVELS } from '@/lib/core/forecast';
import { addSteps, inferFrequency, type Frequency } from '@/lib/core/frequency';
import type { FittedModel, ForecastModel, ForecastRequest, ModelInfo, SeriesInput } from '@/lib/models/model';
import { residualAt, type ResidualCalibration } from './calibration';
import type { InformerConfig } from './config';
import { markColumns } from './config';
import { InformerModel } from './model';
import { seededKeySampler } from './sampler';
import type { StandardScaler } from './scaler';
import type { Tf } from './tf';
import { timeMarks } from './time-features';
import type { WeightMap } from './weights';

export interface TrainedInformer {
  info: ModelInfo;
  config: InformerConfig;
  scaler: StandardScaler;
  calibration: ResidualCalibration;
  /** The frequency label of the training data ("1h"), to note a mismatch. */
  trainedFrequency?: string | null;
}

export interface InformerForecastModel extends ForecastModel {
  /** Frees the weights' tensors. */
  dispose(): void;
}

const fail = (message: string): never => {
  throw new LookaheadError('informer', 'bad_input', message);
};

/** Linear interpolation over NaN gaps in place (ends carried from the nearest value); answers the count filled. */
export function interpolateGaps(values: Float64Array): number {
  let filled = 0;
  let previous = -1;
  for (let i = 0; i <= values.length; i++) {
    if (i < values.length && Number.isNaN(values[i]!)) continue;
    const gap = i - previous - 1;
    if (gap > 0) {
      filled += gap;
      for (let j = previous + 1; j < i; j++) {
        if (previous < 0) values[j] = values[i]!;
        else if (i >= values.length) values[j] = values[previous]!;
        else values[j] = values[previous]! + ((values[i]! - values[previous]!) * (j - previous)) / (i - previous);
      }
    }
    previous = i;
  }
  return filled;
}

export interface PreparedInformerContext {
  /** The last contextLength values, gaps interpolated (original units). */
  context: Float64Array;
  stamps: number[];
  frequency: Frequency;
  notes: string[];
}

/** Checks a series for a trained model and keeps its context; throws a 4xx naming the problem. Shared by the tfjs and ONNX paths. */
export function prepareInformerContext(trained: TrainedInformer, series: SeriesInput): PreparedInformerContext {
  const { config, info } = trained;
  const L = config.contextLength;
  const notes: string[] = [];
  const all = Float64Array.from(series.values);
  const stampsAll = series.timestampsMs ? Array.from(series.timestampsMs) : null;
  if (!stampsAll) fail(`${info.id} needs the series' timestamps (its time features are an input); send "timestamps" with each series`);
  if (stampsAll!.length !== all.length) fail(`the series has ${all.length} values but ${stampsAll!.length} timestamps`);
  if (all.length < L) fail(`${info.id} reads the last ${L} values (its context length); the series has ${all.length}`);
  const frequency = series.frequency ?? inferFrequency(stampsAll!);
  if (!frequency) fail(`the frequency of the series could not be inferred from its timestamps; send "frequency" (the model was trained on ${trained.trainedFrequency ?? 'unknown'} data)`);
  if (trained.trainedFrequency && frequency!.label !== trained.trainedFrequency) notes.push(`the model was trained on ${trained.trainedFrequency} data; this series is ${frequency!.label}`);
  const context = all.slice(all.length - L);
  const stamps = stampsAll!.slice(all.length - L);
  if (context.every(Number.isNaN)) fail(`the last ${L} values are all missing`);
  const filled = interpolateGaps(context);
  if (filled > 0) notes.push(`${filled} missing values in the context were interpolated`);
  if (all.length > L) notes.push(`used the last ${L} of ${all.length} values (the model's context length)`);
  return { context, stamps, frequency: frequency!, notes };
}

/** The network's four inputs for one prepared series (scaled, with time marks), row-major [length, channels]. */
export function informerInputArrays(trained: TrainedInformer, prepared: PreparedInformerContext): { encoderValues: Float32Array; encoderMarks: Float32Array; decoderValues: Float32Array; decoderMarks: Float32Array } {
  const { config, scaler } = trained;
  const L = config.contextLength;
  const { context, stamps, frequency } = prepared;
  const scaleMean = scaler.mean[scaler.mean.length - 1]!;
  const scaleStd = scaler.std[scaler.std.length - 1]!;
  const labelStart = L - config.labelLength;
  const future = Array.from({ length: config.horizon }, (_, step) => addSteps(stamps[L - 1]!, frequency, step + 1));
  const scaled = Float32Array.from(context, (value) => (value - scaleMean) / scaleStd);
  const decoderValues = new Float32Array(config.labelLength + config.horizon);
  decoderValues.set(scaled.subarray(labelStart));
  return {
    encoderValues: scaled,
    encoderMarks: timeMarks(stamps, config),
    decoderValues,
    decoderMarks: timeMarks([...stamps.slice(labelStart), ...future], config),
  };
}

/** Throws the 4xx for a horizon past the trained one. */
export function checkInformerHorizon(trained: TrainedInformer, horizon: number): void {
  if (horizon > trained.config.horizon) fail(`${trained.info.id} forecasts at most ${trained.config.horizon} steps (its trained horizon); ask for a horizon of ${trained.config.horizon} or less, or train a model with a longer horizon`);
}

/** The Forecast from the network's scaled point prediction: unscaled mean, calibrated quantiles, notes. */
export function informerForecastFrom(trained: TrainedInformer, point: ArrayLike<number>, request: { horizon: number; quantileLevels?: readonly number[] }, notes: readonly string[]): Forecast {
  checkInformerHorizon(trained, request.horizon);
  const { scaler, calibration } = trained;
  const scaleMean = scaler.mean[scaler.mean.length - 1]!;
  const scaleStd = scaler.std[scaler.std.length - 1]!;
  const levels = [...(request.quantileLevels ?? DEFAULT_QUANTILE_LEVELS)];
  const steps = request.horizon;
  const mean = Array.from({ length: steps }, (_, step) => point[step]! * scaleStd + scaleMean);
  const quantiles = levels.map((level) => mean.map((value, step) => value + residualAt(calibration, level, step) * scaleStd));
  return {
    horizon: steps,
    quantileLevels: levels,
    quantiles,
    mean,
    notes: [...notes, `intervals from validation residuals (${calibration.windows} windows), not a quantile head`],
  };
}

export function createInformerForecastModel(tf: Tf, trained: TrainedInformer, weights: WeightMap): InformerForecastModel {
  const { config, info } = trained;
  if (config.encoderInputs !== 1 || config.outputs !== 1) fail(`forecasting serves univariate models; this one reads ${config.encoderInputs} channels and predicts ${config.outputs}`);
  const network = InformerModel.fromWeights(tf, config, weights);
  const L = config.contextLength;

  async function predict(prepared: PreparedInformerContext): Promise<Float64Array> {
    const inputs = informerInputArrays(trained, prepared);
    const M = markColumns(config.frequency);
    const output = tf.tidy(() =>
      network.forward(
        {
          encoderValues: tf.tensor3d(inputs.encoderValues, [1, L, 1]),
          encoderMarks: tf.tensor3d(inputs.encoderMarks, [1, L, M]),
          decoderValues: tf.tensor3d(inputs.decoderValues, [1, config.labelLength + config.horizon, 1]),
          decoderMarks: tf.tensor3d(inputs.decoderMarks, [1, config.labelLength + config.horizon, M]),
        },
        // The documented deterministic draw (onnx-graph.ts defaultProbSamples): a fresh
        // seededKeySampler(0) per forecast, so the same context always gets the same forecast and
        // the ONNX export fed defaultProbSamples answers the same.
        { sampler: seededKeySampler(0) },
      ),
    );
    const values = (await output.data()) as Float32Array;
    output.dispose();
    return Float64Array.from(values);
  }

  return {
    info,
    dispose: () => network.dispose(),
    async fit(series: SeriesInput): Promise<FittedModel> {
      const prepared = prepareInformerContext(trained, series);
      return {
        info,
        dispose() {},
        async forecast(request: ForecastRequest): Promise<Forecast> {
          request.signal?.throwIfAborted();
          checkInformerHorizon(trained, request.horizon);
          const point = await predict(prepared);
          return informerForecastFrom(trained, point, request, prepared.notes);
        },
      };
    },
  };
}
