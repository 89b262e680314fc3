import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TimeReply } from '@/tests/browser/chronos-protocol';
import type { NodeWorkerReply, NodeWorkerRequest } from './node-worker';
import type { BenchModel, CellRequest, RuntimeName, RuntimeTarget } from './target';

type Payload = NodeWorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** onnxruntime-node or onnxruntime-web (WASM) in a Node child process (node-worker.ts), one per model. */
export function nodeTarget(runtime: Extract<RuntimeName, 'onnxruntime-node' | 'onnxruntime-web-node'>, threads: number): RuntimeTarget {
  let child: ChildProcess | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  async function start(): Promise<ChildProcess> {
    const started = spawn(process.execPath, ['--import', 'tsx', '--conditions=react-server', path.resolve('bench/chronos/node-worker.ts')], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      started.once('message', () => resolve());
      started.once('exit', (code) => reject(new Error(`bench: ${runtime} worker exited with code ${code} before it was ready`)));
    });
    started.on('message', (reply: NodeWorkerReply) => {
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.ok) waiter?.resolve(reply.result);
      else waiter?.reject(new Error(`bench: ${runtime} worker: ${reply.error}`));
    });
    started.on('exit', (code, signal) => {
      for (const waiter of pending.values()) waiter.reject(new Error(`bench: ${runtime} worker died (code ${code}, signal ${signal})`));
      pending.clear();
    });
    return started;
  }

  function ask<T>(payload: Payload): Promise<T> {
    if (child === null) return Promise.reject(new Error(`bench: ${runtime} worker is not running`));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child!.send({ id, ...payload });
    });
  }

  return {
    runtime,
    get pid() {
      if (child?.pid === undefined) throw new Error(`bench: ${runtime} worker is not running`);
      return child.pid;
    },
    async load(model: BenchModel) {
      child = await start();
      return ask<{ loadMs: number; detail: string }>({
        kind: 'load',
        runtime: runtime === 'onnxruntime-node' ? 'onnxruntime-node' : 'onnxruntime-web',
        dir: model.dir,
        threads,
      });
    },
    time: (request: CellRequest) => ask<TimeReply>({ kind: 'time', request }),
    reportedMemoryBytes: async () => null,
    async unload() {
      if (child === null) return;
      const exiting = child;
      child = null;
      // SIGKILL: V8 would otherwise finish TurboFan-compiling onnxruntime-web's 27 MB wasm before exiting.
      if (exiting.exitCode !== null || exiting.signalCode !== null) return;
      await new Promise((resolve) => {
        exiting.once('exit', resolve);
        exiting.kill('SIGKILL');
      });
    },
  };
}
