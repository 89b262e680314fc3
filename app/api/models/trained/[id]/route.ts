import { deleteTrainedModel, getDatabase } from '@/db';
import { LookaheadError } from '@/lib/core/errors';
import { recordAudit } from '@/lib/server/audit';
import { errorResponse } from '@/lib/server/http';
import { forgetTrainedForecaster, listTrainedSummaries } from '@/lib/server/models/trained';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/models/trained/<id>: every revision of a trained model, the current one first. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const { id } = await params;
    const revisions = await listTrainedSummaries(await getDatabase(), { id });
    if (revisions.length === 0) throw new LookaheadError('models', 'not_found', `no trained model "${id.slice(0, 80)}"; GET /api/models lists them under "trained"`);
    return Response.json({ id, current: revisions.find((revision) => revision.current)?.revision ?? null, revisions });
  } catch (error) {
    return errorResponse(error);
  }
}

/** DELETE /api/models/trained/<id> (admin): deletes every revision. */
export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const { id } = await params;
    const handle = await getDatabase();
    const revisions = await listTrainedSummaries(handle, { id });
    if (revisions.length === 0) throw new LookaheadError('models', 'not_found', `no trained model "${id.slice(0, 80)}"; GET /api/models lists them under "trained"`);
    const { deleted } = await deleteTrainedModel(handle, { id });
    for (const revision of revisions) await forgetTrainedForecaster(revision.sha256);
    await recordAudit(handle, { actor: request.headers, action: 'model.delete', target: id, details: { revisions: revisions.map((revision) => revision.revision) } });
    return Response.json({ id, deleted });
  } catch (error) {
    return errorResponse(error);
  }
}
