import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * CPU time and resident memory of any process on this machine (Linux /proc), so Node children and
 * Chromium's renderer are measured the same way, from outside.
 */

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux this runs on.

/** A process's (or, under /proc/<pid>/task/<tid>, a thread's) command name and the stat fields after it (fields[1] is the parent pid, 11-14 utime, stime, cutime, cstime). */
function processStat(pid: number | string, statFile = `/proc/${pid}/stat`): { name: string; fields: string[] } {
  const stat = readFileSync(statFile, 'utf8');
  // The command name may hold spaces and parentheses: it runs from the first '(' to the last ')'.
  return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), fields: stat.slice(stat.lastIndexOf(')') + 2).split(' ') };
}

/** User + system CPU time in stat fields, in ms (10 ms resolution). */
function userSystemMs(fields: string[]): number {
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** User + system CPU time of all of a process's threads, in ms (10 ms resolution). */
export function cpuTimeMs(pid: number): number {
  return userSystemMs(processStat(pid).fields);
}

/** User + system CPU time of each of a process's threads (thread id -> ms); the thread whose id is the pid is a Node process's main thread. */
export function threadCpuMs(pid: number): Map<string, number> {
  const threads = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(tid, userSystemMs(processStat(pid, `/proc/${pid}/task/${tid}/stat`).fields));
    } catch {
      // the thread exited meanwhile
    }
  }
  return threads;
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  if (!match) throw new Error(`bench: /proc/${pid}/status has no ${field}`);
  return Number(match[1]);
}

export function residentBytes(pid: number): number {
  return statusKiB(pid, 'VmRSS') * 1024;
}

/** Peak resident memory since the process started or since the last resetPeakResident. */
export function peakResidentBytes(pid: number): number {
  return statusKiB(pid, 'VmHWM') * 1024;
}

/** Resets VmHWM to the current RSS (clear_refs 5, Linux >= 4.0), so the next peak is one cell's. */
export function resetPeakResident(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/**
 * Waits until a process stops using CPU (under `threshold` of one core over `windowMs`), up to
 * `maxMs`; returns the ms waited. V8 in Node TurboFan-compiles all of onnxruntime-web's wasm in
 * the background after loading (about a minute of CPU here), which would skew every cell measured
 * meanwhile, on every runtime.
 */
export async function waitUntilIdle(pid: number, { windowMs = 1000, threshold = 0.05, maxMs = 240_000 } = {}): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < maxMs) {
    const before = cpuTimeMs(pid);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    if (cpuTimeMs(pid) - before <= threshold * windowMs) break;
  }
  return performance.now() - started;
}

/**
 * CPU time of every process named `postgres` on this machine (a local server: the bench's own
 * database), plus what the postmasters' exited children used (backends of closed connections):
 * null where /proc shows none, e.g. a remote server.
 */
export function postgresCpuMs(): number | null {
  const postgres = new Map<string, string[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const { name, fields } = processStat(entry);
      if (name === 'postgres') postgres.set(entry, fields);
    } catch {
      // exited meanwhile
    }
  }
  if (postgres.size === 0) return null;
  let ticks = 0;
  for (const fields of postgres.values()) {
    ticks += Number(fields[11]) + Number(fields[12]);
    // A postmaster (its parent is not postgres) also counts the CPU of its reaped backends.
    if (!postgres.has(fields[1]!)) ticks += Number(fields[13]) + Number(fields[14]);
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}
