import { errorResponse } from '@/lib/server/http';
import { getJobSystem } from '@/lib/server/jobs';
import { jobEventStream } from '@/lib/server/jobs/events';
import { requireJob } from '@/lib/server/jobs/routes';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/jobs/<id>/events: server-sent events `progress` (on every change), then `done` or `failed`, then the stream ends. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const { id } = await params;
    const system = await getJobSystem();
    await requireJob(system, id);
    return new Response(jobEventStream({ handle: system.handle, id, signal: request.signal }), {
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
