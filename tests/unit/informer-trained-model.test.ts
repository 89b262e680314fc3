/**
 * A trained Informer as a forecasting model: safetensors weights and checkpoints round-trip
 * bit for bit, residual calibration gives ordered quantiles, and the forecaster answers the
 * network's own prediction (checked against a direct forward pass) with intervals from the
 * calibration, on tfjs cpu.
 */
import { describe, expect, it } from 'vitest';
import { loadTf } from '@/lib/runtime/tfjs-node';
import {
  calibrateResiduals, createInformerForecastModel, createTrainer, decodeCheckpoint, decodeSafetensors, encodeCheckpoint, encodeSafetensors, InformerModel,
  interpolateGaps, makeBatch, residualAt, timeMarks, type TrainingCheckpoint,
} from '@/lib/models/informer';
import { syntheticSplit, tinyConfig } from '../support/informer-tiny';

const config = tinyConfig({ encoderInputs: 1, decoderInputs: 1, outputs: 1 });

async function trained() {
  const tf = await loadTf('cpu');
  const checkpoints: TrainingCheckpoint[] = [];
  const result = await createTrainer(tf).train(
    { model: config, training: { epochs: 2, batchSize: 8, learningRate: 3e-3, schedule: 'constant', patience: 2, seed: 3, maxStepsPerEpoch: 4 } },
    { train: syntheticSplit(120, config), validation: syntheticSplit(60, config, 120) },
    { checkpoint: { save: (checkpoint) => void checkpoints.push(checkpoint) } },
  );
  return { tf, result, checkpoints };
}

describe('trained Informer weights and forecasts', () => {
  it('weights round-trip through safetensors bytes exactly; equal weights give equal bytes', async () => {
    const { result } = await trained();
    const bytes = encodeSafetensors(result.parameters);
    const again = encodeSafetensors(new Map([...result.parameters.entries()].reverse()));
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    const { tensors } = decodeSafetensors(bytes);
    expect([...tensors.keys()].sort()).toEqual([...result.parameters.keys()].sort());
    for (const [name, { shape, values }] of result.parameters) {
      expect(tensors.get(name)!.shape).toEqual(shape);
      expect(Buffer.from(tensors.get(name)!.values.buffer).equals(Buffer.from(values.buffer, values.byteOffset, values.byteLength))).toBe(true);
    }
  }, 120_000);

  it('a checkpoint round-trips: resuming from the decoded bytes equals resuming from the object', async () => {
    const { tf, checkpoints } = await trained();
    const first = checkpoints[0]!;
    const decoded = decodeCheckpoint(encodeCheckpoint(first));
    expect(decoded.epoch).toBe(first.epoch);
    expect(decoded.adam.step).toBe(first.adam.step);
    expect(decoded.history).toEqual(first.history);
    expect(decoded.best.validationLoss).toBe(first.best.validationLoss);
    const data = { train: syntheticSplit(120, config), validation: syntheticSplit(60, config, 120) };
    const request = { model: config, training: { epochs: 2, batchSize: 8, learningRate: 3e-3, schedule: 'constant' as const, patience: 2, seed: 3, maxStepsPerEpoch: 4 } };
    const fromObject = await createTrainer(tf).train(request, data, { checkpoint: { resume: first } });
    const fromBytes = await createTrainer(tf).train(request, data, { checkpoint: { resume: decoded } });
    const losses = (history: typeof fromObject.history) => history.map(({ seconds: _seconds, ...rest }) => rest);
    expect(losses(fromBytes.history)).toEqual(losses(fromObject.history));
    expect(fromBytes.stepLosses).toEqual(fromObject.stepLosses);
  }, 120_000);

  it('calibrated quantiles are ordered, and the forecaster answers the network prediction in original units', async () => {
    const { tf, result } = await trained();
    const validation = syntheticSplit(60, config, 120);
    const network = InformerModel.fromWeights(tf, config, result.parameters);
    const calibration = await calibrateResiduals(tf, network, validation);
    expect(calibration.windows).toBe(60 - config.contextLength - config.horizon + 1);
    for (let step = 0; step < config.horizon; step++) {
      for (let level = 1; level < calibration.levels.length; level++) expect(calibration.residuals[level]![step]!).toBeGreaterThanOrEqual(calibration.residuals[level - 1]![step]!);
      expect(residualAt(calibration, 0.905, step)).toBeGreaterThanOrEqual(residualAt(calibration, 0.9, step));
    }

    // Raw series = 10 + 2 * scaled: the model's scaler undoes exactly that.
    const scaler = { mean: [10], std: [2] };
    const model = createInformerForecastModel(tf, { info: { id: 'informer-test', family: 'informer', label: 'test' }, config, scaler, calibration, trainedFrequency: '1h' }, result.parameters);
    const split = syntheticSplit(40, config, 500);
    const timestamps = Array.from({ length: 40 }, (_, r) => Date.UTC(2020, 0, 1) + (r + 500) * 3_600_000);
    const values = Array.from(split.values, (value) => 10 + 2 * value);
    const fitted = await model.fit({ values, timestampsMs: timestamps, frequency: null });
    const forecast = await fitted.forecast({ horizon: config.horizon, quantileLevels: [0.1, 0.5, 0.9] });
    // The same window through the network directly (the split's last window, target unused).
    const full = { ...split, values: Float32Array.from([...split.values, ...new Array(config.horizon).fill(0)]), marks: timeMarks([...timestamps, ...Array.from({ length: config.horizon }, (_, k) => timestamps[39]! + (k + 1) * 3_600_000)], config), rows: 40 + config.horizon };
    const batch = makeBatch(tf, full, config, [40 - config.contextLength]);
    const direct = network.forward(batch.inputs, { sampler: (await import('@/lib/models/informer')).seededKeySampler(0) });
    const expected = Array.from(await direct.data(), (value) => 10 + 2 * value);
    direct.dispose();
    batch.dispose();
    forecast.mean.forEach((value, step) => expect(value).toBeCloseTo(expected[step]!, 4));
    forecast.quantiles[1]!.forEach((value, step) => expect(value).toBeCloseTo(expected[step]! + 2 * residualAt(calibration, 0.5, step), 4));
    for (let step = 0; step < config.horizon; step++) {
      expect(forecast.quantiles[0]![step]!).toBeLessThanOrEqual(forecast.quantiles[1]![step]!);
      expect(forecast.quantiles[1]![step]!).toBeLessThanOrEqual(forecast.quantiles[2]![step]!);
    }
    expect(forecast.notes!.join(' ')).toMatch(/validation residuals/);
    await expect(fitted.forecast({ horizon: config.horizon + 1 })).rejects.toThrow(`forecasts at most ${config.horizon} steps`);
    await expect(model.fit({ values, frequency: null })).rejects.toThrow(/needs the series' timestamps/);
    await expect(model.fit({ values: values.slice(0, 5), timestampsMs: timestamps.slice(0, 5), frequency: null })).rejects.toThrow(`reads the last ${config.contextLength} values`);
    network.dispose();
    model.dispose();
  }, 120_000);

  it('interpolates gaps linearly and carries the ends', () => {
    const values = Float64Array.from([NaN, 1, NaN, NaN, 4, NaN]);
    expect(interpolateGaps(values)).toBe(4);
    expect(Array.from(values)).toEqual([1, 1, 2, 3, 4, 4]);
  });
});
