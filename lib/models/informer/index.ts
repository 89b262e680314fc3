/** Informer (Zhou et al., AAAI'21), ported from the Informer2020 PyTorch code; tf injected by lib/runtime. */
export { configFromPytorch, validateConfig, markColumns, type InformerConfig, type PytorchInformerKwargs, type AttentionKind, type TimeEmbedding } from './config';
export { InformerModel, type InformerInputs, type ForwardOptions } from './model';
export { parameterSpecs, initialParameters, type ParameterSpec } from './parameters';
export { seededKeySampler, replayKeySampler, seededRandom, type KeySampler } from './sampler';
export { probSparseCount } from './prob-attention';
export type { ForwardObservers, ProbSelection } from './context';
export { createTrainer, mixSeed, type Trainer, type TrainingConfig, type TrainingOptions, type TrainingData, type TrainingHooks, type TrainingProgress, type TrainingCheckpoint, type TrainingResult, type EpochRecord, type NamedArrays } from './trainer';
export { learningRateAt, type LearningRateSchedule } from './schedule';
export { fitScaler, transform, inverseTransform, type StandardScaler } from './scaler';
export { timeMarks } from './time-features';
export { ettSplits, ratioSplits, type SplitBorders } from './ett';
export { makeBatch, sliceSplit, windowCount, type SeriesSplit, type Batch } from './windows';
export { informerPreset, loadInformerPresets, INFORMER_NETWORK_BOUNDS, type InformerPresetChoice, type InformerPresetFile } from './presets';
export { encodeSafetensors, decodeSafetensors, encodeCheckpoint, decodeCheckpoint, type WeightMap } from './weights';
export { calibrateResiduals, residualAt, CALIBRATION_LEVELS, type ResidualCalibration } from './calibration';
export { createInformerForecastModel, interpolateGaps, prepareInformerContext, informerInputArrays, informerForecastFrom, checkInformerHorizon, type TrainedInformer, type InformerForecastModel, type PreparedInformerContext } from './forecaster';
export { buildInformerGraph, exportInformerOnnx, probSampleInputs, drawProbSamples, defaultProbSamples, INFORMER_ONNX_INPUTS, INFORMER_ONNX_OUTPUT, INFORMER_ONNX_OPSET, INFORMER_ONNX_EXPORTER_VERSION, type ProbSampleInput } from './onnx-graph';
export { trainingSetup, prepareSeries, dataWindowRanges, TRAINING_OPTION_KEYS, type TrainingRequest, type PreparedSeries } from './setup';
