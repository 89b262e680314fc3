import 'server-only';
import { getJobKind } from './kinds';
import { getJob, getJobProgress, listResults, TERMINAL_JOB_STATES, type DatabaseHandle, type JobState } from '@/db';

/** What GET /api/jobs/<id> and the events stream answer: state, counts, failures, timings, workers. */
export interface JobView {
  id: string;
  kind: string;
  state: JobState;
  title: string;
  params: Record<string, unknown>;
  totalSeries: number;
  totalChunks: number;
  chunks: Record<string, number>;
  seriesDone: number;
  seriesFailed: number;
  /** Chunk attempts so far (more than totalChunks means retries). */
  attempts: number;
  workers: string[];
  failures: { seriesId: string; error: string | null }[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  elapsedMs: number | null;
  /** Series per second since the job started. */
  rate: number | null;
  /** Seconds left at that rate (null until measurable or when finished). */
  etaSeconds: number | null;
  summary: Record<string, unknown> | null;
  /** The kind's live detail (a train job's step, epoch and loss history), when it reports one. */
  detail?: Record<string, unknown> | null;
  error: string | null;
  terminal: boolean;
}

export async function describeJob({ handle, id, failureLimit = 50 }: { handle: DatabaseHandle; id: string; failureLimit?: number }): Promise<JobView | null> {
  const job = await getJob({ handle, id });
  if (!job) return null;
  const progress = await getJobProgress({ handle, id });
  const failures = progress.seriesFailed > 0 ? await listResults({ handle, jobId: id, status: 'failed', limit: failureLimit }) : [];
  const end = job.finishedAt?.getTime() ?? Date.now();
  const elapsedMs = job.startedAt ? Math.max(0, end - job.startedAt.getTime()) : null;
  const finished = progress.seriesDone + progress.seriesFailed;
  const rate = elapsedMs && elapsedMs > 0 && finished > 0 ? finished / (elapsedMs / 1000) : null;
  const terminal = TERMINAL_JOB_STATES.includes(job.state);
  let detail: Record<string, unknown> | null | undefined;
  try {
    const kind = getJobKind(job.kind);
    if (kind.progress) detail = await kind.progress(kind.schema.parse(job.params), { handle, jobId: id });
  } catch {
    detail = null;
  }
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    title: job.title,
    params: job.params,
    totalSeries: job.totalSeries,
    totalChunks: job.totalChunks,
    chunks: progress.chunks,
    seriesDone: progress.seriesDone,
    seriesFailed: progress.seriesFailed,
    attempts: progress.attempts,
    workers: progress.workers,
    failures: failures.map((failure) => ({ seriesId: failure.seriesId, error: failure.error })),
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    elapsedMs,
    rate: rate === null ? null : Math.round(rate * 100) / 100,
    etaSeconds: !terminal && rate ? Math.round((job.totalSeries - finished) / rate) : null,
    summary: job.summary,
    ...(detail === undefined ? {} : { detail }),
    error: job.error,
    terminal,
  };
}
