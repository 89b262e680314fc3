import { LookaheadError } from '@/lib/core/errors';
import { listJobs } from '@/db';
import { errorResponse } from '@/lib/server/http';
import { readJsonBody } from '@/lib/server/json-body';
import { describeJob, getJobSystem, submitJob } from '@/lib/server/jobs';
import { principalFromHeaders } from '@/lib/server/access';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** A job names its series by id; 10,000,000 ids of ~20 bytes stay under this. */
const MAX_BODY_BYTES = 256 * 1024 * 1024;

/** POST /api/jobs: {"kind": "forecast-batch"|"backtest-batch", "params": {...}, "chunkSize"?} -> 201 with the job. */
export async function POST(request: Request): Promise<Response> {
  try {
    const body = await readJsonBody(request, {
      maxBytes: MAX_BODY_BYTES,
      subsystem: 'jobs',
      tooLarge: (bytes) => new LookaheadError('jobs', 'too_large', `the body is ${bytes ?? 'over'} ${MAX_BODY_BYTES} bytes; name fewer series or omit "series" to run every series of the table`),
    });
    const system = await getJobSystem();
    // proxy.ts identified the caller; per-caller job limits count by this name.
    const principal = principalFromHeaders(request.headers);
    const job = await submitJob({ handle: system.handle, queue: system.queue, settings: system.settings, request: body, submittedBy: `${principal.via}:${principal.name}` });
    return Response.json(await describeJob({ handle: system.handle, id: job.id }), { status: 201, headers: { location: `/api/jobs/${job.id}` } });
  } catch (error) {
    return errorResponse(error);
  }
}

/** GET /api/jobs: the newest jobs with their state and counts. */
export async function GET(request: Request): Promise<Response> {
  try {
    const limit = Math.min(200, Math.max(1, Number(new URL(request.url).searchParams.get('limit') ?? 50) || 50));
    const system = await getJobSystem();
    const jobs = await listJobs({ handle: system.handle, limit });
    const views = await Promise.all(jobs.map((job) => describeJob({ handle: system.handle, id: job.id, failureLimit: 0 })));
    return Response.json({ jobs: views.filter(Boolean), inProcessWorker: system.worker !== null, database: system.handle.kind });
  } catch (error) {
    return errorResponse(error);
  }
}
