import 'server-only';
import { randomUUID } from 'node:crypto';
import { LookaheadError } from '@/lib/core/errors';
import type { WeightDtype } from '@/lib/models/chronos-bolt';
import { parseHubReference } from './hub';
import { pullModel } from './pull';

/**
 * "Install on the server" from the page: the same pull and convert as npm run models:pull, run in
 * the background of the server process, with progress the page polls. The installed model is read
 * from disk by every GET /api/models, so it appears for everyone without a restart. One install per
 * repo at a time; finished jobs are kept (bounded) so a late poll still sees the outcome.
 */
export interface ServerInstallJob {
  id: string;
  repo: string;
  revision: string;
  dtype: WeightDtype;
  status: 'running' | 'done' | 'failed';
  phase: 'download' | 'convert' | 'done';
  file: string | null;
  receivedBytes: number;
  totalBytes: number | null;
  /** 0..1 over download (0-0.9) and convert (0.9-1). */
  fraction: number;
  message: string;
  /** The installed model id@revision when done. */
  installed: string | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

const KEPT_JOBS = 50;

// Route handlers may be bundled separately; the jobs must be one map per server process.
const registry = globalThis as typeof globalThis & { __lookaheadInstallJobs?: Map<string, ServerInstallJob> };
const jobs = (registry.__lookaheadInstallJobs ??= new Map());

export function listServerInstalls(): ServerInstallJob[] {
  return [...jobs.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

export function getServerInstall(id: string): ServerInstallJob | null {
  return jobs.get(id) ?? null;
}

/** Starts (or joins, for the same repo already running) a background install; returns at once. */
export function startServerInstall({ reference, dtype = 'fp32' }: { reference: string; dtype?: WeightDtype }): ServerInstallJob {
  const parsed = parseHubReference(reference);
  if (dtype !== 'fp32' && dtype !== 'fp16') throw new LookaheadError('models', 'bad_input', `dtype must be fp32 or fp16, got ${JSON.stringify(dtype)}`);
  const running = [...jobs.values()].find((job) => job.status === 'running' && job.repo === parsed.repo);
  if (running) return running;
  const job: ServerInstallJob = {
    id: randomUUID(),
    repo: parsed.repo,
    revision: parsed.revision,
    dtype,
    status: 'running',
    phase: 'download',
    file: null,
    receivedBytes: 0,
    totalBytes: null,
    fraction: 0,
    message: `asking the hub for ${parsed.repo}`,
    installed: null,
    error: null,
    startedAt: new Date().toISOString(),
    finishedAt: null,
  };
  jobs.set(job.id, job);
  for (const old of listServerInstalls().slice(KEPT_JOBS)) jobs.delete(old.id);
  const weightsShare = 0.9;
  void pullModel({
    reference: `${parsed.repo}@${parsed.revision}`,
    dtype,
    onProgress: (progress) => {
      job.file = progress.file;
      job.receivedBytes = progress.receivedBytes;
      job.totalBytes = progress.totalBytes;
      // config.json is a few hundred bytes: the bar follows model.safetensors.
      if (progress.file === 'model.safetensors' && progress.totalBytes) job.fraction = (weightsShare * progress.receivedBytes) / progress.totalBytes;
      job.message = `server downloading ${progress.file}: ${(progress.receivedBytes / 1e6).toFixed(1)}${progress.totalBytes ? ` of ${(progress.totalBytes / 1e6).toFixed(1)}` : ''} MB`;
    },
    onConvert: () => {
      job.phase = 'convert';
      job.fraction = weightsShare;
      job.message = `server converting ${parsed.repo} to ONNX (${dtype})`;
    },
  }).then(
    (result) => {
      job.status = 'done';
      job.phase = 'done';
      job.fraction = 1;
      job.installed = `${result.manifest.id}@${result.manifest.revision}`;
      job.message = `${parsed.repo} is installed on the server as ${job.installed}`;
      job.finishedAt = new Date().toISOString();
    },
    (error: unknown) => {
      job.status = 'failed';
      job.error = (error as Error).message;
      job.message = `installing ${parsed.repo} on the server failed: ${job.error}`;
      job.finishedAt = new Date().toISOString();
    },
  );
  return job;
}
