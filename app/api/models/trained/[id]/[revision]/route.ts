import { deleteTrainedModel, getDatabase, latestModelDriftChecks } from '@/db';
import { recordAudit } from '@/lib/server/audit';
import { errorResponse } from '@/lib/server/http';
import { forgetTrainedForecaster, requireTrainedRevision, summarizeTrained } from '@/lib/server/models/trained';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

type Params = { params: Promise<{ id: string; revision: string }> };

/**
 * GET /api/models/trained/<id>/<revision>: the revision's record: config, data window, metrics, loss
 * history, calibration, and its drift: the newest check of its training window against the data
 * after it (the schedule's, rule null, and each drift rule's naming it), newest first.
 */
export async function GET(_request: Request, { params }: Params): Promise<Response> {
  try {
    const { id, revision } = await params;
    const handle = await getDatabase();
    const row = await requireTrainedRevision(handle, id, revision);
    const drift = await latestModelDriftChecks(handle, { models: [id], revision });
    return Response.json({ ...summarizeTrained(row), history: row.history, calibration: row.calibration, drift });
  } catch (error) {
    return errorResponse(error);
  }
}

/** DELETE /api/models/trained/<id>/<revision> (admin): deletes one revision; if it was current, the newest remaining one becomes current. */
export async function DELETE(request: Request, { params }: Params): Promise<Response> {
  try {
    const { id, revision } = await params;
    const handle = await getDatabase();
    const row = await requireTrainedRevision(handle, id, revision);
    const { current } = await deleteTrainedModel(handle, { id, revision });
    await forgetTrainedForecaster(row.sha256);
    await recordAudit(handle, { actor: request.headers, action: 'model.delete', target: `${id}@${revision}`, details: { current } });
    return Response.json({ id, deleted: revision, current });
  } catch (error) {
    return errorResponse(error);
  }
}
