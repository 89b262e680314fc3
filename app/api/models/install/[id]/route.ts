import { LookaheadError } from '@/lib/core/errors';
import { errorResponse } from '@/lib/server/http';
import { getServerInstall } from '@/lib/server/models/install-jobs';

export const dynamic = 'force-dynamic';

/** GET /api/models/install/<id>: one server install's status and progress. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const { id } = await params;
    const job = getServerInstall(id);
    if (!job) throw new LookaheadError('models', 'not_found', `no server install ${JSON.stringify(id)} (jobs are kept in memory until the server restarts)`);
    return Response.json({ job });
  } catch (error) {
    return errorResponse(error);
  }
}
