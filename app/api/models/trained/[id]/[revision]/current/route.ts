import { getDatabase, setCurrentTrainedRevision } from '@/db';
import { recordAudit } from '@/lib/server/audit';
import { errorResponse } from '@/lib/server/http';
import { requireTrainedRevision } from '@/lib/server/models/trained';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST /api/models/trained/<id>/<revision>/current (admin): makes this revision current (rollback to an older one, or forward again). */
export async function POST(request: Request, { params }: { params: Promise<{ id: string; revision: string }> }): Promise<Response> {
  try {
    const { id, revision } = await params;
    const handle = await getDatabase();
    await requireTrainedRevision(handle, id, revision);
    await setCurrentTrainedRevision(handle, { id, revision });
    await recordAudit(handle, { actor: request.headers, action: 'model.rollback', target: `${id}@${revision}` });
    return Response.json({ id, current: revision });
  } catch (error) {
    return errorResponse(error);
  }
}
