import { errorResponse } from '@/lib/server/http';
import { cancelJobById, describeJob, getJobSystem } from '@/lib/server/jobs';
import { requireJob } from '@/lib/server/jobs/routes';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST /api/jobs/<id>/cancel: no new chunks start; running ones stop within a heartbeat; finished results stay. 409 when already over. */
export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const { id } = await params;
    const system = await getJobSystem();
    await requireJob(system, id);
    await cancelJobById({ handle: system.handle, queue: system.queue, id });
    return Response.json(await describeJob({ handle: system.handle, id }));
  } catch (error) {
    return errorResponse(error);
  }
}
