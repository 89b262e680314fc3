/**
 * The converter's parts against independent references: T5's bucket table, the safetensors
 * format, config validation, IEEE half precision, the official shapes' parameter counts, and the
 * CLI's manifest against the golden env.json hashes.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ChronosBoltPipeline,
  concatChunks,
  convertChronosBolt,
  modelFileFor,
  parseChronosBoltConfig,
  parseChronosBoltManifest,
  parseSafetensors,
  relativePositionBucket,
} from '@/lib/models/chronos-bolt';
import { float32ToFloat16Bits } from '@/lib/models/onnx/builder';
import { float16BitsToNumber } from '@/lib/models/onnx/safetensors';
import { createNodeOnnxSession } from '@/lib/runtime/onnx-node';
import { createChronosRuntime } from '@/lib/runtime/onnx-session';
import { convertCheckpointDir, parseConvertArgs } from '@/scripts/models-convert';
import {
  CHRONOS_BOLT_PARAMETERS,
  CHRONOS_BOLT_SHAPES,
  chronosBoltTensorShapes,
  makeRandomCheckpoint,
  type ChronosBoltSize,
} from '@/tests/support/chronos-checkpoint';
import { checkpointDir, GOLDEN_ROOT } from '@/tests/support/chronos-golden';

const goldenConfig = async (checkpoint: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(path.join(GOLDEN_ROOT, checkpoint, 'config.json'), 'utf8')) as Record<string, unknown>;

describe('relative position buckets', () => {
  it.each([true, false])('match transformers for -300..300 (bidirectional %s)', async (bidirectional) => {
    const table = JSON.parse(await readFile(path.join(GOLDEN_ROOT, 'relative_position_buckets.json'), 'utf8')) as {
      relative_position: number[];
      bucket_bidirectional_true: number[];
      bucket_bidirectional_false: number[];
    };
    const want = bidirectional ? table.bucket_bidirectional_true : table.bucket_bidirectional_false;
    const got = table.relative_position.map((position) => relativePositionBucket(position, bidirectional, 32, 128));
    expect(got).toEqual(want);
  });
});

describe('safetensors', () => {
  it('reads the golden checkpoint written by the safetensors library', async () => {
    const file = parseSafetensors(await readFile(path.join(checkpointDir('upstream-dummy'), 'model.safetensors')));
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.entries.get('shared.weight')?.shape).toEqual([2, 8]);
    expect(file.float32('encoder.block.0.layer.0.SelfAttention.q.weight', [16, 8])).toHaveLength(128);
  });

  it('names the tensor and the byte counts when the file is truncated', async () => {
    const bytes = await readFile(path.join(checkpointDir('tiny-random'), 'model.safetensors'));
    expect(() => parseSafetensors(bytes.subarray(0, bytes.length - 100))).toThrow(
      /^safetensors: tensor `[\w.]+` ends at byte \d+ of the data section, but the file has only \d+ data bytes \(truncated file\?\)$/,
    );
    expect(() => parseSafetensors(bytes.subarray(0, 100))).toThrow('safetensors: header length 5048 exceeds the 92 bytes after it (truncated file?)');
    expect(() => parseSafetensors(bytes.subarray(0, 5))).toThrow('safetensors: file is 5 bytes, shorter than the 8-byte header length (truncated file?)');
  });

  it('says which tensor is missing or mis-shaped', async () => {
    const file = parseSafetensors(await readFile(path.join(checkpointDir('tiny-random'), 'model.safetensors')));
    expect(() => file.float32('decoder.block.7.layer.0.layer_norm.weight')).toThrow('safetensors: tensor `decoder.block.7.layer.0.layer_norm.weight` is missing');
    expect(() => file.float32('shared.weight', [2, 32])).toThrow('safetensors: tensor `shared.weight` has shape [2, 64], expected [2, 32] from config.json');
  });

  it('widens F16 and BF16 tensors exactly', () => {
    const header = JSON.stringify({ h: { dtype: 'F16', shape: [3], data_offsets: [0, 6] }, b: { dtype: 'BF16', shape: [2], data_offsets: [6, 10] } });
    const bytes = new Uint8Array(8 + header.length + 10);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, BigInt(header.length), true);
    bytes.set(new TextEncoder().encode(header), 8);
    const data = 8 + header.length;
    [0x3c00, 0xc000, 0x0001].forEach((bits, i) => view.setUint16(data + 2 * i, bits, true));
    [0x3f80, 0xc0a0].forEach((bits, i) => view.setUint16(data + 6 + 2 * i, bits, true));
    const file = parseSafetensors(bytes);
    expect(Array.from(file.float32('h'))).toEqual([1, -2, Math.fround(2 ** -24)]);
    expect(Array.from(file.float32('b'))).toEqual([1, -5]);
  });
});

describe('config.json validation', () => {
  it('reads both golden configs, including inner (heads x d_kv) != d_model', async () => {
    const config = parseChronosBoltConfig(await goldenConfig('upstream-dummy'));
    expect(config).toMatchObject({ modelDim: 8, headDim: 4, numHeads: 4, encoderLayers: 4, decoderLayers: 4, contextLength: 512, patchSize: 16, predictionLength: 64, useRegToken: true });
    const tiny = parseChronosBoltConfig(await goldenConfig('tiny-random'));
    expect(tiny).toMatchObject({ modelDim: 64, feedForwardDim: 256, encoderLayers: 2, decoderLayers: 1 });
    // The manifest stores the camelCase form; it parses back to the same config.
    expect(parseChronosBoltConfig(JSON.parse(JSON.stringify(tiny)))).toEqual(tiny);
  });

  it.each([
    ['d_model', (json: Record<string, unknown>) => ({ ...json, d_model: '64' }), 'chronos-bolt: config.json field `d_model` must be a positive integer, got "64"'],
    ['num_heads', (json: Record<string, unknown>) => ({ ...json, num_heads: 0 }), 'chronos-bolt: config.json field `num_heads` must be a positive integer, got 0'],
    ['chronos_config', (json: Record<string, unknown>) => ({ ...json, chronos_config: undefined }), 'chronos-bolt: config.json field `chronos_config` must be an object (is this a Chronos-Bolt checkpoint?)'],
    ['input_patch_stride', (json: Record<string, unknown>) => ({ ...json, chronos_config: { ...(json.chronos_config as object), input_patch_stride: 8 } }), 'field `chronos_config.input_patch_stride` must equal input_patch_size (16)'],
    ['quantiles order', (json: Record<string, unknown>) => ({ ...json, chronos_config: { ...(json.chronos_config as object), quantiles: [0.5, 0.1] } }), 'field `chronos_config.quantiles` must be strictly ascending'],
    ['quantile value', (json: Record<string, unknown>) => ({ ...json, chronos_config: { ...(json.chronos_config as object), quantiles: [0, 0.5] } }), 'field `chronos_config.quantiles[0]` must be a number in (0, 1), got 0'],
    ['activation', (json: Record<string, unknown>) => ({ ...json, dense_act_fn: 'gelu_new' }), 'field `dense_act_fn` must be "relu"'],
    ['reg_token_id', (json: Record<string, unknown>) => ({ ...json, reg_token_id: 2 }), 'field `reg_token_id` must be below vocab_size (2), got 2'],
  ])('names the bad field: %s', async (_, corrupt, message) => {
    const json = corrupt(await goldenConfig('tiny-random'));
    expect(() => parseChronosBoltConfig(json)).toThrow(message);
  });
});

describe('float16 weights', () => {
  it('rounds to nearest even, overflows to infinity and keeps subnormals', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00);
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000);
    expect(float32ToFloat16Bits(3 * 2 ** -26)).toBe(0x0001);
    expect(float32ToFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
  });

  it('round-trips every finite half-precision value', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue;
      if (float32ToFloat16Bits(float16BitsToNumber(bits)) !== bits) throw new Error(`half ${bits.toString(16)} does not round-trip`);
    }
  });
});

describe('official shapes', () => {
  it.each(Object.keys(CHRONOS_BOLT_SHAPES) as ChronosBoltSize[])('%s: the random checkpoint has the spec\'s exact parameter count', (size) => {
    const count = chronosBoltTensorShapes(CHRONOS_BOLT_SHAPES[size]).reduce((total, [, dims]) => total + dims.reduce((product, dim) => product * dim, 1), 0);
    expect(count).toBe(CHRONOS_BOLT_PARAMETERS[size]);
  });

  it('mini (inner 512 != d_model 384) converts to a graph that runs with the right shapes', async () => {
    // context 512 instead of 2048 only shrinks the position-bias table; every weight has mini's shape.
    const checkpoint = makeRandomCheckpoint('mini', { contextLength: 512 });
    expect(checkpoint.parameters).toBe(CHRONOS_BOLT_PARAMETERS.mini);
    const converted = convertChronosBolt({ configJson: checkpoint.configJson, safetensors: checkpoint.safetensorsBytes });
    expect(converted.config).toMatchObject({ modelDim: 384, numHeads: 8, headDim: 64, feedForwardDim: 1536 });
    const session = await createNodeOnnxSession(concatChunks(converted.onnx), { intraOpNumThreads: 1 });
    try {
      const batch = 2;
      const numPatches = 5;
      const patches = Float32Array.from({ length: batch * numPatches * 32 }, (_, i) => (i % 32 < 16 ? Math.sin(i) : 1));
      const patchMask = new Float32Array(batch * numPatches).fill(1);
      patchMask[0] = 0;
      const outputs = await session.run({ patches: { data: patches, dims: [batch, numPatches, 32] }, patch_mask: { data: patchMask, dims: [batch, numPatches] } });
      expect(outputs.quantiles!.dims).toEqual([batch, 9, 64]);
      expect(outputs.encoder_output!.dims).toEqual([batch, numPatches + 1, 384]);
      expect(outputs.quantiles!.data.every(Number.isFinite)).toBe(true);
      expect(outputs.encoder_output!.data.every(Number.isFinite)).toBe(true);

      const pipeline = new ChronosBoltPipeline(converted.config, createChronosRuntime(session));
      const series = [Array.from({ length: 100 }, (_, t) => 10 + Math.sin(t / 3)), Array.from({ length: 37 }, (_, t) => t)];
      const forecast = await pipeline.predict(series, 80);
      expect(forecast).toHaveLength(2 * 9 * 80);
      expect(forecast.every(Number.isFinite)).toBe(true);
    } finally {
      await session.release();
    }
  });
});

describe('npm run models:convert', () => {
  it('writes model.onnx, model.fp16.onnx and a manifest whose hashes check out', async () => {
    const outDir = await mkdtemp(path.join(tmpdir(), 'chronos-convert-'));
    try {
      const args = parseConvertArgs([checkpointDir('tiny-random'), outDir, '--dtype', 'fp16', '--repo', 'lookahead/tiny-random', '--revision', 'abc123']);
      const manifest = await convertCheckpointDir(args);
      const onDisk = parseChronosBoltManifest(JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8')));
      expect(onDisk).toEqual(manifest);
      expect(manifest).toMatchObject({ id: 'tiny-random', sourceRepo: 'lookahead/tiny-random', revision: 'abc123', dtype: 'fp16', opset: 17 });
      expect(manifest.config).toMatchObject({ contextLength: 512, predictionLength: 64, patchSize: 16, modelDim: 64 });
      expect(manifest.files.map((file) => [file.name, file.dtype])).toEqual([['model.onnx', 'fp32'], ['model.fp16.onnx', 'fp16']]);
      for (const file of manifest.files) {
        const bytes = await readFile(path.join(outDir, file.name));
        expect(bytes.length).toBe(file.bytes);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
      }
      // An independent record of the checkpoint's hash: the golden generator's env.json.
      const env = JSON.parse(await readFile(path.join(GOLDEN_ROOT, 'env.json'), 'utf8')) as { tiny_random_safetensors_sha256: string };
      expect(manifest.inputs.find((input) => input.name === 'model.safetensors')?.sha256).toBe(env.tiny_random_safetensors_sha256);
      expect(modelFileFor(manifest, 'fp16').name).toBe('model.fp16.onnx');
      expect(modelFileFor(manifest).name).toBe('model.onnx');
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });

  it('rejects bad arguments with the usage', () => {
    expect(() => parseConvertArgs(['only-one'])).toThrow('models:convert: expected <checkpoint-dir> <out-dir>, got 1 paths');
    expect(() => parseConvertArgs(['a', 'b', '--dtype', 'int4'])).toThrow('models:convert: --dtype must be fp32 or fp16, got "int4"');
    expect(() => parseConvertArgs(['a', 'b', '--revison', 'x'])).toThrow('models:convert: unknown option --revison');
    expect(() => parseConvertArgs(['a', 'b', '--repo'])).toThrow('models:convert: --repo needs a value');
  });

  it('names the missing checkpoint file', async () => {
    await expect(convertCheckpointDir({ checkpointDir: '/nonexistent/checkpoint', outDir: tmpdir() })).rejects.toThrow(
      'models:convert: cannot read /nonexistent/checkpoint/config.json',
    );
  });
});
