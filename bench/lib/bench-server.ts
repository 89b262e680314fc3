import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Starts bench/lib/route-server.ts as a child process (the server under test, alone in its
 * process) and samples its resident set size from /proc while a client works against it.
 */
export interface BenchServer {
  url: string;
  pid: number;
  rssBytes(): number;
  /** Samples RSS every `everyMs` while `work` runs; returns the work's result and the peak. */
  sampleDuring<T>(work: () => Promise<T>, everyMs?: number): Promise<{ result: T; peakRssBytes: number; startRssBytes: number }>;
  stop(): Promise<void>;
}

export async function startBenchServer(env: Record<string, string | undefined>): Promise<BenchServer> {
  const child: ChildProcess = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', path.resolve('bench/lib/route-server.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`bench: the route server exited with ${code} before listening:\n${output}`)));
  });
  const rssBytes = () => {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    rssBytes,
    async sampleDuring(work, everyMs = 20) {
      const startRssBytes = rssBytes();
      let peakRssBytes = startRssBytes;
      const timer = setInterval(() => {
        peakRssBytes = Math.max(peakRssBytes, rssBytes());
      }, everyMs);
      try {
        const result = await work();
        peakRssBytes = Math.max(peakRssBytes, rssBytes());
        return { result, peakRssBytes, startRssBytes };
      } finally {
        clearInterval(timer);
      }
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
