import { getDatabase } from '@/db';
import { recordAudit } from '@/lib/server/audit';
import { errorResponse } from '@/lib/server/http';
import { acceptTrainedUpload } from '@/lib/server/models/trained-upload';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * POST /api/models/trained (editor): stores a model trained in the browser as a new current
 * revision (multipart: `record` JSON + `weights` safetensors; capped at LOOKAHEAD_TRAINED_MAX_BYTES).
 * 201 {id, revision, sha256, inserted, bytes}; 400 naming the bad field; 413 over the cap.
 */
export async function POST(request: Request): Promise<Response> {
  try {
    const handle = await getDatabase();
    const saved = await acceptTrainedUpload(request, handle);
    await recordAudit(handle, { actor: request.headers, action: 'model.upload-trained', target: `${saved.id}@${saved.revision}`, details: { bytes: saved.bytes, origin: 'browser' } });
    return Response.json(saved, { status: 201 });
  } catch (error) {
    return errorResponse(error);
  }
}
