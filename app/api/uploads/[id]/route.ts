import { getDatabase } from '@/db';
import { recordAudit } from '@/lib/server/audit';
import { errorResponse } from '@/lib/server/http';
import { enforceRateLimit } from '@/lib/server/limits';
import { dataPlaneConfig } from '@/lib/server/sources';
import { removeUpload } from '@/lib/server/uploads';

export const dynamic = 'force-dynamic';

/** DELETE /api/uploads/<id>: removes a stored upload (its row and parquet file); 204, or 404. */
export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const handle = await getDatabase();
    await enforceRateLimit(request.headers, { handle });
    const upload = await removeUpload((await params).id, { handle, uploadDir: dataPlaneConfig().uploadDir });
    await recordAudit(handle, { actor: request.headers, action: 'upload.delete', target: upload.id, details: { name: upload.name, bytes: upload.sizeBytes } });
    return new Response(null, { status: 204 });
  } catch (error) {
    return errorResponse(error);
  }
}
