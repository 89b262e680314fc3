/** Informer (Zhou et al., AAAI'21), ported from the Informer2020 PyTorch code; tf injected by lib/runtime. */
export { configFromPytorch, validateConfig, markColumns, type InformerConfig, type PytorchInformerKwargs, type AttentionKind, type TimeEmbedding } from './config';
export { InformerModel, type InformerInputs, type ForwardOptions } from './model';
export { parameterSpecs, initialParameters, type ParameterSpec } from './parameters';
export { seededKeySampler, replayKeySampler, seededRandom, type KeySampler } from './sampler';
export { probSparseCount } from './prob-attention';
export type { ForwardObservers, ProbSelection } from './context';
