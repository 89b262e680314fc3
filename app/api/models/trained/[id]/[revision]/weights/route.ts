import { getDatabase, getTrainedWeights } from '@/db';
import { errorResponse } from '@/lib/server/http';
import { requireTrainedRevision } from '@/lib/server/models/trained';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * GET /api/models/trained/<id>/<revision>/weights: the revision's weights (safetensors, F32,
 * PyTorch names), for the browser worker. A revision's bytes never change: cacheable forever, ETag
 * = sha256.
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string; revision: string }> }): Promise<Response> {
  try {
    const { id, revision } = await params;
    const handle = await getDatabase();
    const row = await requireTrainedRevision(handle, id, revision);
    const etag = `"${row.sha256}"`;
    const headers = { etag, 'cache-control': 'public, max-age=31536000, immutable', 'x-content-sha256': row.sha256 };
    if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
    const bytes = await getTrainedWeights(handle, { id, revision });
    return new Response(bytes as BodyInit, { headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(bytes!.byteLength) } });
  } catch (error) {
    return errorResponse(error);
  }
}
