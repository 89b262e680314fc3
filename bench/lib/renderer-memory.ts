import { readdirSync, readFileSync } from 'node:fs';

/**
 * Resident memory of the Chromium renderer processes this benchmark started (descendants of this
 * Node process whose command line has --type=renderer), read from /proc. A renderer holds a tab's
 * page, its workers and their WASM memory, so its peak (VmHWM) is what "the tab grew to" means.
 */
export interface RendererMemory {
  /** Renderers found. */
  processes: number;
  /** The largest renderer's peak resident set (VmHWM), MiB. */
  peakMB: number;
  /** The largest renderer's resident set now (VmRSS), MiB. */
  currentMB: number;
}

function statusField(status: string, field: string): number {
  const match = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return match ? Number(match[1]) / 1024 : 0;
}

export function rendererMemory(root = process.pid): RendererMemory {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the 2nd field after the command name, which may hold spaces: read after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const descends = (pid: number): boolean => {
    for (let current = parents.get(pid), hops = 0; current !== undefined && hops < 16; current = parents.get(current), hops++) if (current === root) return true;
    return false;
  };
  let processes = 0;
  let peakMB = 0;
  let currentMB = 0;
  for (const pid of parents.keys()) {
    if (!descends(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      processes++;
      peakMB = Math.max(peakMB, statusField(status, 'VmHWM'));
      currentMB = Math.max(currentMB, statusField(status, 'VmRSS'));
    } catch {
      // Gone already.
    }
  }
  return { processes, peakMB: Math.round(peakMB), currentMB: Math.round(currentMB) };
}
