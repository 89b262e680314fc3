import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHRONOS_BOLT_CATALOG, catalogEntry, checkpointParameters, convertChronosBolt, encodedChunks, formatDownloadSize, parseSafetensors } from '@/lib/models/chronos-bolt';

const dir = 'tests/fixtures/golden/chronos-bolt/tiny-random';

describe('Chronos-Bolt catalog', () => {
  it('counts the parameters of the golden tiny-random checkpoint exactly (393,920, as its README states)', () => {
    const file = parseSafetensors(readFileSync(`${dir}/model.safetensors`));
    const stored = [...file.entries.values()].reduce((sum, entry) => sum + entry.shape.reduce((product, dim) => product * dim, 1), 0);
    const counted = checkpointParameters({ modelDim: 64, feedForwardDim: 256, headDim: 16, numHeads: 4, encoderLayers: 2, decoderLayers: 1 });
    expect(counted).toBe(stored);
    expect(counted).toBe(393_920);
  });

  it('offers tiny, mini, small and base with the model cards’ parameter counts (9M, 21M, 48M, 205M)', () => {
    expect(CHRONOS_BOLT_CATALOG.map((entry) => entry.repo)).toEqual(['amazon/chronos-bolt-tiny', 'amazon/chronos-bolt-mini', 'amazon/chronos-bolt-small', 'amazon/chronos-bolt-base']);
    const millions = CHRONOS_BOLT_CATALOG.map((entry) => Math.round(entry.downloadBytes / 4 / 1e6));
    expect(millions).toEqual([9, 21, 48, 205]);
    expect(formatDownloadSize(catalogEntry('chronos-bolt-small')!.downloadBytes)).toBe('191 MB');
    expect(catalogEntry('amazon/chronos-bolt-base')?.id).toBe('chronos-bolt-base');
  });

  it('streams the converted model: weights are transposed only when their chunk is written, and the bytes add up', () => {
    const converted = convertChronosBolt({ configJson: JSON.parse(readFileSync(`${dir}/config.json`, 'utf8')), safetensors: readFileSync(`${dir}/model.safetensors`) });
    const lazy = converted.onnx.chunks.filter((chunk) => !(chunk instanceof Uint8Array));
    // Every matmul weight of the checkpoint is lazy; nothing was transposed while building.
    expect(lazy.length).toBeGreaterThan(20);
    let total = 0;
    for (const chunk of encodedChunks(converted.onnx)) total += chunk.byteLength;
    expect(total).toBe(converted.onnx.byteLength);
  });
});
