import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Starts the production build (scripts/server.mjs, what `npm start` runs) on a free port with a fresh embedded PGlite
 * database in a temp folder: the same path a new user's `npm start` takes.
 */
export interface AppServer {
  url: string;
  dataDir: string;
  /** The server process (benchmarks read its memory from /proc). */
  pid: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** `root`: the project folder whose build to serve (another checkout's, for a side-by-side benchmark); default the current one. */
export async function startAppServer(extraEnv: Record<string, string> = {}, { root = process.cwd() }: { root?: string } = {}): Promise<AppServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lookahead-e2e-'));
  const env = { ...process.env, LOOKAHEAD_DATA_DIR: dataDir, DATABASE_URL: '', ...extraEnv };
  const prepared = spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), '--conditions=react-server', 'scripts/migrate.ts'], {
    env,
    cwd: root,
    encoding: 'utf8',
  });
  if (prepared.status !== 0) throw new Error(`e2e: preparing the database failed:\n${prepared.stdout}\n${prepared.stderr}`);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(root, serverEntry(root)), ...serverArguments(root, port)], {
    env,
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  let healthy = false;
  let lastProblem = 'no answer yet';
  while (!healthy) {
    if (child.exitCode !== null) throw new Error(`e2e: the server exited early (code ${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`e2e: ${url}/api/health did not answer 200 within 120 s (last: ${lastProblem}):\n${output}`);
    }
    try {
      const response = await fetch(`${url}/api/health`);
      healthy = response.ok;
      if (!healthy) lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = (error as Error).message; // not listening yet
    }
    if (!healthy) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    dataDir,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** scripts/server.mjs, or `next start` for an older checkout without it (a benchmark's "before" build). */
function serverEntry(root: string): string {
  return existsSync(path.join(root, 'scripts/server.mjs')) ? 'scripts/server.mjs' : 'node_modules/next/dist/bin/next';
}

function serverArguments(root: string, port: number): string[] {
  return serverEntry(root) === 'scripts/server.mjs' ? ['--port', String(port), '--host', '127.0.0.1'] : ['start', '-p', String(port), '-H', '127.0.0.1'];
}
