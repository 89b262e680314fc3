import { ChronosBoltPipeline, type ChronosBoltConfig } from '@/lib/models/chronos-bolt';
import { createNodeOnnxSession } from '@/lib/runtime/onnx-node';
import { createChronosRuntime } from '@/lib/runtime/onnx-session';

/**
 * One raw Chronos-Bolt session (onnxruntime-node, 1 intra-op thread) and its pipeline, with no
 * queue, database or I/O: what `npm run bench -- jobs` measures the queue against, in its own
 * process and in several at once (bench/lib/raw-forecast-process.ts).
 */
export async function openRawForecaster(modelFile: string, config: ChronosBoltConfig, { batch, horizon }: { batch: number; horizon: number }) {
  const session = await createNodeOnnxSession(modelFile, { intraOpNumThreads: 1 });
  const pipeline = new ChronosBoltPipeline(config, createChronosRuntime(session), { maxBatch: batch });
  return {
    /** One batch, untimed. */
    async warmUp(contexts: readonly Float64Array[]): Promise<void> {
      await pipeline.predictQuantiles(contexts.slice(0, batch), horizon);
    },
    /** Every context in batches of `batch`: wall seconds and this process's CPU ms. */
    async time(contexts: readonly Float64Array[]): Promise<{ seconds: number; cpuMs: number }> {
      const started = performance.now();
      const cpu = process.cpuUsage();
      for (let start = 0; start < contexts.length; start += batch) await pipeline.predictQuantiles(contexts.slice(start, start + batch), horizon);
      const used = process.cpuUsage(cpu);
      return { seconds: (performance.now() - started) / 1000, cpuMs: (used.user + used.system) / 1000 };
    },
    release: () => session.release(),
  };
}
