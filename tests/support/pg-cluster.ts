import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A throwaway Postgres server of its own (initdb + pg_ctl in a temp folder, trust auth, loopback
 * only), for fault tests that really restart Postgres: the shared server on 5432 is never touched.
 * As root (CI, the development machines) the server runs as the `postgres` user; as anyone else,
 * as that user. The binaries come from LOOKAHEAD_PG_BINDIR, else the newest
 * /usr/lib/postgresql/<version>/bin (Debian's layout), else PATH.
 *
 * `drop()` stops the server (immediate) and deletes the folder. Should a test process die before
 * that, the folder names its owner's pid, and the next start of a cluster removes every cluster
 * whose owner is gone; a process that exits normally stops its clusters on 'exit'.
 */
export interface ThrowawayCluster {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  /** `pg_ctl restart -m <mode>`: every session is ended (fast: 57P01 to each; immediate: the sockets drop), then the server is back. */
  restart(options?: { mode?: 'fast' | 'immediate'; downMs?: number }): Promise<void>;
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  /** The server's log so far (for a failing test's message). */
  log(): string;
  drop(): Promise<void>;
}

const PREFIX = 'lookahead-pg-';

function binDir(): string {
  if (process.env.LOOKAHEAD_PG_BINDIR) return process.env.LOOKAHEAD_PG_BINDIR;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((entry) => existsSync(path.join(root, entry, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return path.join(root, versions[0]!, 'bin');
  }
  return '';
}

function tool(name: string): string {
  const dir = binDir();
  return dir ? path.join(dir, name) : name;
}

/** uid/gid to run the server under: `postgres` when we are root (Postgres refuses to run as root). */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function run(command: string, args: string[], user: { uid: number; gid: number } | null, what: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', ...(user ? { uid: user.uid, gid: user.gid } : {}), env: { ...process.env, LC_ALL: 'C' }, timeout: 120_000 });
  if (result.error || result.status !== 0) {
    throw new Error(`pg-cluster: ${what} failed (${command} ${args.join(' ')}): ${result.error?.message ?? `exit ${result.status}`}\n${result.stdout ?? ''}\n${result.stderr ?? ''}`);
  }
  return result.stdout;
}

/** `run` without blocking the event loop, so the clients under test see the restart as it happens. */
function runAsync(command: string, args: string[], user: { uid: number; gid: number } | null, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', ...(user ? { uid: user.uid, gid: user.gid } : {}), env: { ...process.env, LC_ALL: 'C' }, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`pg-cluster: ${what} failed (${command} ${args.join(' ')}): ${error.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Clusters left by test processes that died before dropping them. */
function sweepOrphans(user: { uid: number; gid: number } | null): void {
  for (const entry of readdirSync(os.tmpdir())) {
    if (!entry.startsWith(PREFIX)) continue;
    const folder = path.join(os.tmpdir(), entry);
    let owner = 0;
    try {
      owner = Number(readFileSync(path.join(folder, 'owner.pid'), 'utf8'));
    } catch {
      continue; // being created right now, or not ours
    }
    if (!owner || alive(owner)) continue;
    if (existsSync(path.join(folder, 'data', 'postmaster.pid'))) {
      spawnSync(tool('pg_ctl'), ['stop', '-D', path.join(folder, 'data'), '-m', 'immediate', '-w'], { ...(user ? { uid: user.uid, gid: user.gid } : {}), timeout: 60_000 });
    }
    rmSync(folder, { recursive: true, force: true });
  }
}

const live = new Set<() => void>();
let exitHookInstalled = false;

export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const user = serverUser();
  sweepOrphans(user);
  const folder = mkdtempSync(path.join(os.tmpdir(), PREFIX));
  if (user) chownSync(folder, user.uid, user.gid);
  const data = path.join(folder, 'data');
  const logFile = path.join(folder, 'server.log');
  const port = await freePort();
  const pgCtl = tool('pg_ctl');
  let dropped = false;

  const stopNow = (mode: 'fast' | 'immediate') => {
    if (existsSync(path.join(data, 'postmaster.pid'))) run(pgCtl, ['stop', '-D', data, '-m', mode, '-w', '-t', '60'], user, `stopping the throwaway server (${mode})`);
  };
  const stopQuietly = () => {
    try {
      stopNow('immediate');
    } catch {
      // already gone
    }
    rmSync(folder, { recursive: true, force: true });
  };

  try {
    writeFileSync(path.join(folder, 'owner.pid'), String(process.pid));
    run(tool('initdb'), ['-D', data, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--no-sync'], user, 'initdb');
    // Loopback only, its own socket folder, durability off (a test server), few resources.
    appendFileSync(
      path.join(data, 'postgresql.conf'),
      [
        '',
        '# lookahead throwaway test cluster',
        `port = ${port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${folder}'`,
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        'shared_buffers = 32MB',
        'max_connections = 60',
        `timezone = 'UTC'`,
        '',
      ].join('\n'),
    );
    if (user) chownSync(path.join(data, 'postgresql.conf'), user.uid, user.gid);
    run(pgCtl, ['start', '-D', data, '-l', logFile, '-w', '-t', '60'], user, 'starting the throwaway server');
  } catch (error) {
    stopQuietly();
    throw error;
  }

  live.add(stopQuietly);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const stop of live) stop();
    });
  }

  const cluster: ThrowawayCluster = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async restart({ mode = 'fast', downMs = 0 } = {}) {
      if (downMs <= 0) {
        await runAsync(pgCtl, ['restart', '-D', data, '-m', mode, '-l', logFile, '-w', '-t', '60'], user, `restarting the throwaway server (${mode})`);
        return;
      }
      await runAsync(pgCtl, ['stop', '-D', data, '-m', mode, '-w', '-t', '60'], user, `stopping the throwaway server (${mode})`);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await runAsync(pgCtl, ['start', '-D', data, '-l', logFile, '-w', '-t', '60'], user, 'starting the throwaway server');
    },
    stop: (mode = 'fast') => stopNow(mode),
    start() {
      run(pgCtl, ['start', '-D', data, '-l', logFile, '-w', '-t', '60'], user, 'starting the throwaway server');
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async drop() {
      if (dropped) return;
      dropped = true;
      live.delete(stopQuietly);
      try {
        stopNow('immediate');
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  };
  return cluster;
}
