import 'server-only';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { ProcessRole, ProcessSampleRow } from '@/db';

const MB = 1024 * 1024;

/**
 * This process's CPU and memory between two samples: CPU is process CPU time (user + system)
 * over wall time since the previous sample, in percent of one core (above 100 when several
 * threads ran); memory is the resident set and the V8 heap in use at the sample. The role is
 * what the process recorded since its previous sample (server events, job events, or both).
 */
export class ProcessSampler {
  readonly processId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private previous: { cpu: NodeJS.CpuUsage; wallMs: number } | null = null;
  private roles = new Set<'server' | 'worker'>();
  private lastRole: ProcessRole | null = null;

  /** Notes that this process served a request or ran a job chunk; the first call starts the CPU baseline. */
  served(role: 'server' | 'worker'): void {
    this.roles.add(role);
    this.previous ??= { cpu: process.cpuUsage(), wallMs: performance.now() };
  }

  sample(now = new Date()): ProcessSampleRow | null {
    if (!this.previous) return null;
    const role: ProcessRole | null = this.roles.size === 2 ? 'server+worker' : this.roles.size === 1 ? [...this.roles][0]! : this.lastRole;
    const cpu = process.cpuUsage();
    const wallMs = performance.now();
    const elapsedMs = wallMs - this.previous.wallMs;
    // Too soon after the previous sample for a CPU share to mean anything: keep the baseline.
    if (elapsedMs < 100 || !role) return null;
    const cpuMs = (cpu.user - this.previous.cpu.user + cpu.system - this.previous.cpu.system) / 1000;
    this.previous = { cpu, wallMs };
    this.lastRole = role;
    this.roles.clear();
    const memory = process.memoryUsage();
    return {
      time: now.toISOString(),
      processId: this.processId,
      role,
      host: os.hostname(),
      pid: process.pid,
      cpuPercent: (100 * cpuMs) / elapsedMs,
      rssMb: memory.rss / MB,
      heapUsedMb: memory.heapUsed / MB,
    };
  }
}
