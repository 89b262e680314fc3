/**
 * Child process of the Chronos-Bolt benchmark: one model on one Node runtime (onnxruntime-node CPU,
 * or onnxruntime-web WASM through the app's own lib/runtime/onnx-web.ts), timing cells on request.
 * Messages arrive over the IPC channel; every reply carries the request id, failures included.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ChronosBoltPipeline, parseChronosBoltManifest, type ChronosBoltConfig } from '@/lib/models/chronos-bolt';
import { createChronosRuntime, type OnnxSession } from '@/lib/runtime/onnx-session';
import { repeatTimed } from '@/tests/browser/repeat-timing';
import { syntheticBatch } from '@/tests/browser/synthetic-series';
import type { CellRequest } from './target';

export type NodeWorkerRequest =
  | { id: number; kind: 'load'; runtime: 'onnxruntime-node' | 'onnxruntime-web'; dir: string; threads: number }
  | { id: number; kind: 'time'; request: CellRequest };

export type NodeWorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

let session: OnnxSession | null = null;
let config: ChronosBoltConfig | null = null;
let detail = '';

async function load(runtime: 'onnxruntime-node' | 'onnxruntime-web', dir: string, threads: number): Promise<{ loadMs: number; detail: string }> {
  const started = performance.now();
  config = parseChronosBoltManifest(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'))).config;
  const model = path.join(dir, 'model.onnx');
  if (runtime === 'onnxruntime-node') {
    const { createNodeOnnxSession } = await import('@/lib/runtime/onnx-node');
    session = await createNodeOnnxSession(model, { intraOpNumThreads: threads });
    detail = `cpu, ${threads} intra-op thread(s)`;
  } else {
    // No --liftoff-only here (unlike the tests): V8 tiers hot code up to TurboFan, as a browser does.
    const { createWebOnnxSession } = await import('@/lib/runtime/onnx-web');
    const web = await createWebOnnxSession(await readFile(model), { executionProviders: ['wasm'], numThreads: threads });
    session = web;
    detail = `${web.executionProvider}, ${web.numThreads} thread(s)`;
  }
  return { loadMs: performance.now() - started, detail };
}

async function time({ batch, context, seed, timing }: CellRequest) {
  if (session === null || config === null) throw new Error('bench worker: time before load');
  const series = syntheticBatch(batch, context, seed);
  const pipeline = new ChronosBoltPipeline(config, createChronosRuntime(session), { maxBatch: batch });
  return repeatTimed(() => pipeline.predict(series), timing);
}

process.on('message', (message: NodeWorkerRequest) => {
  const reply = (body: { ok: true; result: unknown } | { ok: false; error: string }) => process.send!({ id: message.id, ...body } satisfies NodeWorkerReply);
  const work = message.kind === 'load' ? load(message.runtime, message.dir, message.threads) : time(message.request);
  work.then(
    (result) => reply({ ok: true, result }),
    (error: unknown) => reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
process.send!({ id: 0, ok: true, result: 'ready' });
