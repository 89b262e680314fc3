/**
 * The job workers' onnxruntime-node session on a thread of its own against the same model on
 * the caller's thread (onnx-node.ts): the same forecasts bit for bit, concurrent runs kept apart,
 * and the session's lifecycle (release, bad models). (That the caller's thread is free meanwhile
 * shows in `npm run bench -- jobs`, not in a timed test.)
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChronosBoltPipeline, concatChunks, convertChronosBolt, type ChronosBoltConfig } from '@/lib/models/chronos-bolt';
import { createNodeOnnxSession } from '@/lib/runtime/onnx-node';
import { createThreadedNodeOnnxSession } from '@/lib/runtime/onnx-node-thread';
import { createChronosRuntime, type OnnxSession } from '@/lib/runtime/onnx-session';
import { checkpointDir } from '@/tests/support/chronos-golden';

describe('onnxruntime-node session on its own thread', () => {
  let bytes: Uint8Array;
  let config: ChronosBoltConfig;
  let inline: OnnxSession;
  let threaded: OnnxSession;

  beforeAll(async () => {
    const converted = convertChronosBolt({
      configJson: JSON.parse(await readFile(path.join(checkpointDir('tiny-random'), 'config.json'), 'utf8')),
      safetensors: await readFile(path.join(checkpointDir('tiny-random'), 'model.safetensors')),
    });
    config = converted.config;
    bytes = concatChunks(converted.onnx);
    inline = await createNodeOnnxSession(bytes, { intraOpNumThreads: 1 });
    threaded = await createThreadedNodeOnnxSession(bytes, { intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    await inline?.release();
    await threaded?.release();
  });

  const contexts = Array.from({ length: 8 }, (_, series) => Array.from({ length: 300 }, (_, step) => 50 + 10 * Math.sin((step + series) / 4) + (step % 7)));

  it('has the same inputs, outputs and provider as the inline session', () => {
    expect(threaded.inputNames).toEqual(inline.inputNames);
    expect(threaded.outputNames).toEqual(inline.outputNames);
    expect(threaded.executionProvider).toBe('cpu');
  });

  it('forecasts a batch exactly as the inline session does', async () => {
    const expected = await new ChronosBoltPipeline(config, createChronosRuntime(inline)).predictQuantiles(contexts, 24);
    const actual = await new ChronosBoltPipeline(config, createChronosRuntime(threaded)).predictQuantiles(contexts, 24);
    expect(actual.quantiles).toEqual(expected.quantiles);
    expect(actual.mean).toEqual(expected.mean);
  });

  it('serialises concurrent runs and answers each with its own batch', async () => {
    const pipeline = new ChronosBoltPipeline(config, createChronosRuntime(threaded));
    const [first, second] = await Promise.all([pipeline.predictQuantiles(contexts.slice(0, 3), 12), pipeline.predictQuantiles(contexts.slice(3), 12)]);
    const whole = await pipeline.predictQuantiles(contexts, 12);
    expect([...first.mean, ...second.mean]).toEqual(whole.mean);
  });

  it('names the model when it cannot load it', async () => {
    await expect(createThreadedNodeOnnxSession(new Uint8Array([1, 2, 3]), { intraOpNumThreads: 1 })).rejects.toThrow(/^onnx: onnxruntime-node could not load the model \(3 bytes\): /);
  });

  it('refuses runs after release, and releasing twice is safe', async () => {
    const own = await createThreadedNodeOnnxSession(bytes, { intraOpNumThreads: 1 });
    const pipeline = new ChronosBoltPipeline(config, createChronosRuntime(own));
    expect(await pipeline.predict([[1, 2, 3]], 4)).toHaveLength(9 * 4);
    await own.release();
    await own.release();
    await expect(pipeline.predict([[1, 2, 3]], 4)).rejects.toThrow('onnx: session was released; create a new one');
  });
});
