import type { ChronosBoltConfig } from './config';
import { maxEncoderTokens } from './config';

/**
 * Series per batched call: as many as fit a memory budget for one encoder layer's activations at
 * full context (the largest live tensors: attention scores heads x tokens^2, the feed-forward
 * tokens x d_ff, a few tokens x d_model copies), capped so one call stays short enough to cancel
 * between calls. Long horizons multiply rows by the number of quantiles; the pipeline's own
 * maxBatch still bounds each runtime call.
 */
export const BATCH_MEMORY_BUDGET_BYTES = 256 * 1024 * 1024;
export const MAX_SERIES_PER_BATCH = 64;

export function chronosBatchSize(config: ChronosBoltConfig, budgetBytes = BATCH_MEMORY_BUDGET_BYTES): number {
  const tokens = maxEncoderTokens(config);
  const floatsPerRow = config.numHeads * tokens * tokens + tokens * config.feedForwardDim + 6 * tokens * config.modelDim;
  const rows = Math.floor(budgetBytes / (floatsPerRow * 4));
  return Math.max(1, Math.min(MAX_SERIES_PER_BATCH, rows));
}
