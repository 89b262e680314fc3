import { z } from 'zod';
import { getDatabase } from '@/db';
import { errorResponse } from '@/lib/server/http';
import { readJsonBody } from '@/lib/server/json-body';
import { purgeSharedResponses } from '@/lib/server/share-cache';
import { readShare, removeShare } from '@/lib/server/shares';
import { LookaheadError } from '@/lib/core/errors';
import { getMonitor, recordShareDelete } from '@/lib/server/monitoring';
import { recordAudit } from '@/lib/server/audit';

export const dynamic = 'force-dynamic';

/** GET /api/forecasts/<token>: the stored snapshot as JSON, byte for byte; 404 when there is none. */
export async function GET(_request: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  try {
    const share = await readShare({ handle: await getDatabase(), token: (await params).token });
    return new Response(share.snapshot, { headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error);
  }
}

const deleteBody = z.strictObject({ deleteSecret: z.string().min(1).max(200) });

/**
 * DELETE /api/forecasts/<token> {deleteSecret}: removes the link; 204. A wrong secret answers the
 * same 404 as a link that does not exist.
 */
export async function DELETE(request: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  try {
    const token = (await params).token;
    const body = deleteBody.safeParse(
      await readJsonBody(request, {
        maxBytes: 1024,
        subsystem: 'share',
        tooLarge: () => new LookaheadError('share', 'too_large', 'a delete request is {"deleteSecret": "..."}; this body is over 1 KiB'),
      }),
    );
    if (!body.success) throw new LookaheadError('share', 'bad_input', 'send the delete secret as JSON: {"deleteSecret": "..."}');
    const handle = await getDatabase();
    await removeShare({ handle, token, deleteSecret: body.data.deleteSecret });
    recordShareDelete({ monitor: getMonitor(), request, token });
    purgeSharedResponses(token);
    await recordAudit(handle, { actor: request.headers, action: 'share.delete', target: token });
    return new Response(null, { status: 204 });
  } catch (error) {
    return errorResponse(error);
  }
}

