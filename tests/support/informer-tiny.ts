/** A tiny Informer and synthetic data for trainer and gradient tests (shapes small enough for FD). */
import type { InformerConfig, SeriesSplit } from '@/lib/models/informer';
import { markColumns, timeMarks } from '@/lib/models/informer';

export function tinyConfig(overrides: Partial<InformerConfig> = {}): InformerConfig {
  return {
    encoderInputs: 2, decoderInputs: 2, outputs: 2, contextLength: 16, labelLength: 8, horizon: 4,
    // factor 1: U_part = u = ceil(ln L) = 3 of 16, 8 or 12 queries, so the top-u selection is real.
    factor: 1, dModel: 8, heads: 2, encoderLayers: 2, decoderLayers: 1, dFeedForward: 8, dropout: 0,
    attention: 'prob', timeEmbedding: 'timeF', frequency: 'h', activation: 'gelu', distil: true, mix: true,
    ...overrides,
  };
}

/** Two hourly channels: a daily sine with noise and a slower cosine; deterministic. */
export function syntheticSplit(rows: number, config: InformerConfig, offset = 0, noise = 0.1): SeriesSplit {
  const channels = config.encoderInputs;
  const values = new Float32Array(rows * channels);
  let state = 12345 + offset;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296 - 0.5;
  };
  const timestamps: number[] = [];
  for (let r = 0; r < rows; r++) {
    const t = r + offset;
    timestamps.push(Date.UTC(2020, 0, 1) + t * 3_600_000);
    for (let c = 0; c < channels; c++) values[r * channels + c] = Math.sin((2 * Math.PI * t) / 24 + c) * (c === 0 ? 1 : 0.5) + noise * random();
  }
  return { values, marks: timeMarks(timestamps, config), channels, rows };
}

export { markColumns };
