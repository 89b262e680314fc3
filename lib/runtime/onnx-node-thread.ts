import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { LookaheadError } from '@/lib/core/errors';
import type { NodeSessionOptions } from './onnx-node';
import { serialisedSession, type OnnxSession, type OnnxTensorData } from './onnx-session';

/**
 * An onnxruntime-node session on a thread of its own. onnxruntime-node's `run` is synchronous on
 * the calling thread (its promise only defers it with setImmediate), so a job worker that runs the
 * model on its main thread cannot read the next batch or write the last one's results meanwhile.
 * Here the main thread only posts the feeds and gets the outputs back; reads, result payloads and
 * database writes overlap the model run. Runs are serialised, like every OnnxSession.
 */

type Reply = { id: number; ok: true; outputs?: Record<string, OnnxTensorData>; inputNames?: string[]; outputNames?: string[] } | { id: number; ok: false; message: string };

// Plain CommonJS so it runs in a worker thread without the app's TypeScript loader.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const ort = createRequire(workerData.resolveFrom)('onnxruntime-node');
let session = null;
parentPort.on('message', async (message) => {
  try {
    if (message.type === 'create') {
      session = await ort.InferenceSession.create(message.model, message.options);
      parentPort.postMessage({ id: message.id, ok: true, inputNames: [...session.inputNames], outputNames: [...session.outputNames] });
    } else if (message.type === 'run') {
      const feeds = {};
      for (const [name, tensor] of Object.entries(message.feeds)) feeds[name] = new ort.Tensor('float32', tensor.data, tensor.dims);
      const results = await session.run(feeds, message.outputNames);
      const outputs = {};
      const transfer = [];
      for (const name of message.outputNames) {
        const output = results[name];
        if (!output || !(output.data instanceof Float32Array)) throw new Error('output \`' + name + '\` is missing or not float32');
        const data = output.data.slice();
        outputs[name] = { data, dims: [...output.dims] };
        transfer.push(data.buffer);
      }
      for (const tensor of Object.values(feeds)) tensor.dispose?.();
      for (const tensor of Object.values(results)) tensor.dispose?.();
      parentPort.postMessage({ id: message.id, ok: true, outputs }, transfer);
    } else if (message.type === 'release') {
      await session?.release();
      session = null;
      parentPort.postMessage({ id: message.id, ok: true });
    }
  } catch (error) {
    parentPort.postMessage({ id: message.id, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
`;

/** Like createNodeOnnxSession (same options and errors), with the session on its own thread. */
export async function createThreadedNodeOnnxSession(model: Uint8Array | string, options: NodeSessionOptions = {}): Promise<OnnxSession> {
  const executionProviders = [...(options.executionProviders ?? ['cpu'])];
  const resolveFrom = createRequire(path.join(process.cwd(), 'package.json')).resolve('onnxruntime-node');
  const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { resolveFrom } });
  // The thread must not keep a finished process alive; pending calls hold it with their own promises.
  worker.unref();
  const pending = new Map<number, { resolve(reply: Reply): void; reject(error: Error): void }>();
  let nextId = 0;
  let dead: Error | null = null;
  const failAll = (error: Error) => {
    dead = error;
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  };
  worker.on('message', (reply: Reply) => {
    const call = pending.get(reply.id);
    pending.delete(reply.id);
    call?.resolve(reply);
  });
  worker.on('error', (error) => failAll(new LookaheadError('onnx', 'internal', `onnxruntime-node thread failed: ${error.message}`, { cause: error })));
  worker.on('exit', (code) => failAll(new LookaheadError('onnx', 'internal', `onnxruntime-node thread exited (code ${code})`)));
  const call = (message: Record<string, unknown>): Promise<Reply> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<Reply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  };

  const created = await call({
    type: 'create',
    model,
    options: {
      executionProviders,
      graphOptimizationLevel: 'all',
      ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
    },
  });
  if (!created.ok) {
    await worker.terminate();
    const source = typeof model === 'string' ? model : `${model.byteLength} bytes`;
    throw new LookaheadError('onnx', 'bad_input', `onnxruntime-node could not load the model (${source}): ${created.message}`);
  }
  const inputNames = created.inputNames ?? [];
  const outputNames = created.outputNames ?? [];
  async function runNow(feeds: Readonly<Record<string, OnnxTensorData>>, wanted: readonly string[]): Promise<Record<string, OnnxTensorData>> {
    const plain: Record<string, OnnxTensorData> = {};
    for (const [name, tensor] of Object.entries(feeds)) plain[name] = { data: tensor.data, dims: [...tensor.dims] };
    const reply = await call({ type: 'run', feeds: plain, outputNames: [...wanted] });
    if (!reply.ok) throw new LookaheadError('onnx', 'internal', `onnxruntime-node run failed: ${reply.message}`);
    return reply.outputs!;
  }

  return serialisedSession({
    inputNames,
    outputNames,
    executionProvider: executionProviders[0] ?? 'cpu',
    runNow,
    async release() {
      if (!dead) await call({ type: 'release' }).catch(() => undefined);
      await worker.terminate();
    },
  });
}
