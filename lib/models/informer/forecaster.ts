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

export function createInformerForecastModel(tf: Tf, trained: TrainedInformer, weights: WeightMap): InformerForecastModel {
  const { config, scaler, calibration, info } = trained;
  if (config.encoderInputs !== 1 || config.outputs !== 1) fail(`forecasting serves univariate models; this one reads ${config.encoderInputs} channels and predicts ${config.outputs}`);
  const network = InformerModel.fromWeights(tf, config, weights);
  const L = config.contextLength;
  const scaleMean = scaler.mean[scaler.mean.length - 1]!;
  const scaleStd = scaler.std[scaler.std.length - 1]!;

  async function predict(context: Float64Array, stamps: number[], frequency: Frequency): Promise<Float64Array> {
    const labelStart = L - config.labelLength;
    const future = Array.from({ length: config.horizon }, (_, step) => addSteps(stamps[L - 1]!, frequency, step + 1));
    const encoderMarks = timeMarks(stamps, config);
    const decoderMarks = timeMarks([...stamps.slice(labelStart), ...future], config);
    const scaled = Float32Array.from(context, (value) => (value - scaleMean) / scaleStd);
    const decoderValues = new Float32Array(config.labelLength + config.horizon);
    decoderValues.set(scaled.subarray(labelStart));
    const M = markColumns(config.frequency);
    const output = tf.tidy(() =>
      network.forward(
        {
          encoderValues: tf.tensor3d(scaled, [1, L, 1]),
          encoderMarks: tf.tensor3d(encoderMarks, [1, L, M]),
          decoderValues: tf.tensor3d(decoderValues, [1, config.labelLength + config.horizon, 1]),
          decoderMarks: tf.tensor3d(decoderMarks, [1, config.labelLength + config.horizon, M]),
        },
        // A fixed draw: the same context always gets the same forecast.
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
      return {
        info,
        dispose() {},
        async forecast(request: ForecastRequest): Promise<Forecast> {
          request.signal?.throwIfAborted();
          if (request.horizon > config.horizon) fail(`${info.id} forecasts at most ${config.horizon} steps (its trained horizon); ask for a horizon of ${config.horizon} or less, or train a model with a longer horizon`);
          const levels = [...(request.quantileLevels ?? DEFAULT_QUANTILE_LEVELS)];
          const point = await predict(context, stamps, frequency!);
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
        },
      };
    },
  };
}
