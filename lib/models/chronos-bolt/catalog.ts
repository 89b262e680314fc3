/**
 * The official Chronos-Bolt checkpoints a user can install from the hub, with their download size.
 *
 * Sizes are model.safetensors' tensor bytes (float32) computed from each checkpoint's published
 * architecture (t5-efficient tiny/mini/small/base: d_model, d_ff, d_kv, heads, layers), which gives
 * 8.65M / 21.2M / 47.7M / 205.3M parameters: the 9M / 21M / 48M / 205M the model cards state.
 * They are shown before the download; the install itself trusts only the hub's own metadata (size and
 * LFS sha256 from /api/models/<repo>/revision/<revision>?blobs=true).
 */
export interface ChronosBoltArchitecture {
  modelDim: number;
  feedForwardDim: number;
  headDim: number;
  numHeads: number;
  encoderLayers: number;
  decoderLayers: number;
}

export interface CatalogEntry {
  /** Model id in the app (the repo's name), e.g. "chronos-bolt-small". */
  id: string;
  size: 'tiny' | 'mini' | 'small' | 'base';
  /** Hub repository, e.g. "amazon/chronos-bolt-small". */
  repo: string;
  label: string;
  architecture: ChronosBoltArchitecture;
  /** model.safetensors bytes, approximately (tensor data; the JSON header adds a few KB). */
  downloadBytes: number;
}

/** Chronos-Bolt's fixed parts: 9 quantiles x 64 steps out, patches of 16 values + 16 mask in, 32 buckets. */
const QUANTILE_OUTPUTS = 9 * 64;
const PATCH_INPUTS = 2 * 16;
const BUCKETS = 32;

/** Float32 parameters of a Chronos-Bolt checkpoint of this shape (every tensor model.safetensors holds). */
export function checkpointParameters(a: ChronosBoltArchitecture): number {
  const d = a.modelDim;
  const ff = a.feedForwardDim;
  const inner = a.numHeads * a.headDim;
  const encoder = a.encoderLayers * (4 * d * inner + 2 * d * ff + 2 * d) + BUCKETS * a.numHeads;
  const decoder = a.decoderLayers * (8 * d * inner + 2 * d * ff + 3 * d) + BUCKETS * a.numHeads;
  const embeddings = 2 * d + 2 * d; // shared [2, d] and the two final norms
  const inputPatch = PATCH_INPUTS * ff + ff + ff * d + d + PATCH_INPUTS * d + d;
  const outputPatch = d * ff + ff + ff * QUANTILE_OUTPUTS + QUANTILE_OUTPUTS + d * QUANTILE_OUTPUTS + QUANTILE_OUTPUTS;
  return encoder + decoder + embeddings + inputPatch + outputPatch;
}

function entry(size: CatalogEntry['size'], architecture: ChronosBoltArchitecture): CatalogEntry {
  return {
    id: `chronos-bolt-${size}`,
    size,
    repo: `amazon/chronos-bolt-${size}`,
    label: `Chronos-Bolt ${size}`,
    architecture,
    downloadBytes: checkpointParameters(architecture) * 4,
  };
}

export const CHRONOS_BOLT_CATALOG: readonly CatalogEntry[] = [
  entry('tiny', { modelDim: 256, feedForwardDim: 1024, headDim: 64, numHeads: 4, encoderLayers: 4, decoderLayers: 4 }),
  entry('mini', { modelDim: 384, feedForwardDim: 1536, headDim: 64, numHeads: 8, encoderLayers: 4, decoderLayers: 4 }),
  entry('small', { modelDim: 512, feedForwardDim: 2048, headDim: 64, numHeads: 8, encoderLayers: 6, decoderLayers: 6 }),
  entry('base', { modelDim: 768, feedForwardDim: 3072, headDim: 64, numHeads: 12, encoderLayers: 12, decoderLayers: 12 }),
];

export function catalogEntry(idOrRepo: string): CatalogEntry | undefined {
  return CHRONOS_BOLT_CATALOG.find((candidate) => candidate.id === idOrRepo || candidate.repo === idOrRepo);
}

/** "191 MB" */
export function formatDownloadSize(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${Math.round(bytes / 1e6)} MB`;
}
