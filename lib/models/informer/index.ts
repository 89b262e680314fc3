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
export { informerPreset, loadInformerPresets, type InformerPresetChoice, type InformerPresetFile } from './presets';
export { encodeSafetensors, decodeSafetensors, encodeCheckpoint, decodeCheckpoint, type WeightMap } from './weights';
export { calibrateResiduals, residualAt, CALIBRATION_LEVELS, type ResidualCalibration } from './calibration';
export { createInformerForecastModel, interpolateGaps, type TrainedInformer, type InformerForecastModel } from './forecaster';
export { trainingSetup, prepareSeries, dataWindowRanges, TRAINING_OPTION_KEYS, type TrainingRequest, type PreparedSeries } from './setup';
