import 'server-only';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { cancelJob, countActiveJobs, insertJob, setChunkQueueIds, type DatabaseHandle, type JobRow, getJob } from '@/db';
import { LookaheadError } from '@/lib/core/errors';
import { fromZodError } from '@/lib/server/http';
import type { JobSettings } from './config';
import { getJobKind } from './kinds';
import type { JobQueue } from './queue';
import './register-kinds';

/** POST /api/jobs and `npm run jobs -- submit`: {"kind", "params", "chunkSize"?}. */
export const submitSchema = z
  .object({
    kind: z.string().min(1, 'name a job kind, e.g. "forecast-batch"').max(60),
    params: z.record(z.string(), z.unknown()),
    chunkSize: z.number().int('chunkSize must be a whole number').min(1, 'chunkSize must be at least 1').max(10_000, 'chunkSize must be at most 10000').optional(),
  })
  .strict();

export type SubmitRequest = z.infer<typeof submitSchema>;

export async function submitJob({
  handle,
  queue,
  settings,
  request,
  submittedBy,
}: {
  handle: DatabaseHandle;
  queue: JobQueue;
  settings: JobSettings;
  request: unknown;
  /** The caller ("token:alice"); callers other than the local owner are held to maxActiveJobsPerCaller. */
  submittedBy?: string;
}): Promise<JobRow> {
  const parsedRequest = submitSchema.safeParse(request);
  if (!parsedRequest.success) throw fromZodError('jobs', parsedRequest.error);
  const kind = getJobKind(parsedRequest.data.kind);
  const parsedParams = kind.schema.safeParse(parsedRequest.data.params);
  if (!parsedParams.success) {
    const error = fromZodError('jobs', (parsedParams as { error: z.ZodError }).error);
    throw new LookaheadError('jobs', 'bad_input', error.message.replace(/^jobs: /, '').replace(/(^|; )/g, '$1params.'), { cause: error, details: error.details });
  }
  const params = parsedParams.data;
  const limit = settings.maxActiveJobsPerCaller;
  if (submittedBy && !submittedBy.startsWith('local:') && limit > 0) {
    const active = await countActiveJobs({ handle, submittedBy });
    if (active >= limit) {
      throw new LookaheadError('jobs', 'rate_limited', `${submittedBy.replace(/^[a-z]+:/, '')} already has ${active} queued or running jobs; the limit per caller is ${limit} (LOOKAHEAD_JOB_MAX_ACTIVE_PER_CALLER): wait for one to finish or cancel one`, {
        details: { active, limit },
      });
    }
  }
  const plan = await kind.plan(params, { handle, settings });
  const chunkSize = parsedRequest.data.chunkSize ?? settings.chunkSize;
  const chunks: string[][] = [];
  for (let start = 0; start < plan.series.length; start += chunkSize) chunks.push(plan.series.slice(start, start + chunkSize));
  const id = randomUUID();
  await insertJob({ handle, job: { id, kind: kind.kind, params: params as Record<string, unknown>, title: plan.title, totalSeries: plan.series.length, submittedBy: submittedBy ?? null }, chunks });
  try {
    const queueIds = await queue.send(chunks.map((_, chunkIndex) => ({ jobId: id, chunkIndex })));
    await setChunkQueueIds({ handle, jobId: id, queueJobIds: queueIds });
  } catch (error) {
    await cancelJob({ handle, jobId: id }).catch(() => undefined);
    throw new LookaheadError('jobs', 'internal', `could not queue job ${id}: ${(error as Error).message}`, { cause: error });
  }
  return (await getJob({ handle, id }))!;
}

/** Cancels a job: chunks not started are dropped from the queue; running ones stop within a heartbeat and keep what they finished. */
export async function cancelJobById({ handle, queue, id }: { handle: DatabaseHandle; queue: JobQueue; id: string }): Promise<JobRow> {
  const job = await getJob({ handle, id });
  if (!job) throw new LookaheadError('jobs', 'not_found', `no job "${id.slice(0, 80)}"; GET /api/jobs lists them`);
  const cancelled = await cancelJob({ handle, jobId: id });
  if (!cancelled) throw new LookaheadError('jobs', 'conflict', `job ${id} is already ${job.state}; only queued or running jobs can be cancelled`);
  await queue.cancel(cancelled.queueJobIds);
  return (await getJob({ handle, id }))!;
}
