import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/**
 * Real `npm run worker` processes for the fault tests (the same entry, workers/jobs/main.ts,
 * through tsx), and a TCP proxy in front of Postgres that can cut every connection: the network
 * dropping, with no word from the server. (A real restart, where the server ends each session
 * with 57P01 first, runs on a throwaway server: tests/support/pg-cluster.ts.)
 */

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  output: string[];
  exited: Promise<number | null>;
}

export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const root = process.cwd();
  // node itself (not the tsx CLI, which runs node as a child): a SIGKILL must reach the worker.
  // BENCH_WORKER_PROFILE=<dir> writes each worker's V8 CPU profile there (`npm run bench -- jobs` profiling).
  const child = spawn(process.execPath, [...(process.env.BENCH_WORKER_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WORKER_PROFILE}`] : []), '--import', 'tsx', '--conditions=react-server', 'workers/jobs/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, pid: child.pid!, output, exited };
}

export async function stopWorkerProcess(worker: WorkerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return worker.child.exitCode;
  worker.child.kill(signal);
  const timeout = setTimeout(() => worker.child.kill('SIGKILL'), 60_000);
  const code = await worker.exited;
  clearTimeout(timeout);
  return code;
}

export interface CuttableProxy {
  port: number;
  /** Destroys every open connection and refuses new ones for `downMs`. */
  cut(downMs: number): Promise<void>;
  cuts: number;
  close(): Promise<void>;
}

export async function startProxy(target: { host: string; port: number }): Promise<CuttableProxy> {
  const sockets = new Set<net.Socket>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const proxy: CuttableProxy = {
    port,
    cuts: 0,
    async cut(downMs) {
      down = true;
      proxy.cuts++;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      down = false;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}

export interface NpmWorker {
  /** The `npm run worker` process (leader of its own process group: npm, tsx and the worker under it). */
  child: ChildProcess;
  output: string[];
  /** The worker's id as it registers it (host:pid:random), once its "started" line is out. */
  ready: Promise<string>;
  exited: Promise<number | null>;
}

/**
 * `npm run worker` exactly as a user types it (npm, then tsx, then the worker), in a process group
 * of its own so that stopping it reaches the worker under npm and tsx. `ready` resolves with the
 * worker id from its "jobs: worker <id> started" line; it rejects if the process exits first.
 */
export function spawnNpmWorker(env: Record<string, string>): NpmWorker {
  const child = spawn('npm', ['run', '--silent', 'worker'], { cwd: process.cwd(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const seen = (chunk: Buffer) => {
      output.push(chunk.toString());
      const started = /jobs: worker (\S+) started/.exec(output.join(''));
      if (started) resolve(started[1]!);
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    void exited.then((code) => reject(new Error(`npm run worker exited (code ${code}) before it started:\n${output.join('')}`)));
  });
  ready.catch(() => undefined);
  return { child, output, ready, exited };
}

/** SIGTERM to the worker's process group (npm, tsx, the worker), SIGKILL after `graceMs`. */
export async function stopNpmWorker(worker: NpmWorker, graceMs = 30_000): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  const group = -worker.child.pid!;
  try {
    process.kill(group, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const timer = setTimeout(() => {
    try {
      process.kill(group, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }, graceMs);
  await worker.exited;
  clearTimeout(timer);
}
