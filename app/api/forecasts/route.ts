import { getDatabase } from '@/db';
import { errorResponse } from '@/lib/server/http';
import { readJsonBody } from '@/lib/server/json-body';
import { originFromHeaders } from '@/lib/server/public-url';
import { SHARE_ENVELOPE_BYTES, publishShare, shareMaxBytes } from '@/lib/server/shares';
import { snapshotTooLarge } from '@/lib/share';
import { recordAudit } from '@/lib/server/audit';
import { enforceRateLimit } from '@/lib/server/limits';

export const dynamic = 'force-dynamic';

/**
 * POST /api/forecasts {snapshot, expiresInDays?}: stores an immutable snapshot and answers 201
 * {token, url, path, deleteSecret, createdAt, expiresAt, bytes}. 400 for an invalid snapshot
 * (naming each bad field), 413 over the size cap.
 */
export async function POST(request: Request): Promise<Response> {
  try {
    await enforceRateLimit(request.headers);
    const maxBytes = shareMaxBytes();
    const body = await readJsonBody(request, {
      maxBytes: maxBytes + SHARE_ENVELOPE_BYTES,
      subsystem: 'share',
      tooLarge: (bytes) => snapshotTooLarge(bytes, maxBytes),
    });
    const handle = await getDatabase();
    const share = await publishShare({ handle, body, maxBytes });
    await recordAudit(handle, { actor: request.headers, action: 'share.create', target: share.token, details: { bytes: share.bytes, expiresAt: share.expiresAt } });
    const url = new URL(share.path, originFromHeaders(request.headers)).href;
    return Response.json({ ...share, url }, { status: 201, headers: { location: url, 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error);
  }
}
