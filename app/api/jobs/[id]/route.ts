import { errorResponse } from '@/lib/server/http';
import { describeJob, getJobSystem } from '@/lib/server/jobs';
import { requireJob } from '@/lib/server/jobs/routes';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/jobs/<id>: state, counts, failures with reasons, timings, rate, time left, workers, summary. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const { id } = await params;
    const system = await getJobSystem();
    await requireJob(system, id);
    return Response.json(await describeJob({ handle: system.handle, id }));
  } catch (error) {
    return errorResponse(error);
  }
}
