import { getDatabase } from '@/db';
import { errorResponse } from '@/lib/server/http';
import { readJsonBody } from '@/lib/server/json-body';
import { originFromHeaders } from '@/lib/server/public-url';
import { SHARE_ENVELOPE_BYTES, publishShare, shareMaxBytes } from '@/lib/server/shares';
import { snapshotTooLarge } from '@/lib/share';
import { getMonitor, recordShare, withRequestMetrics } from '@/lib/server/monitoring';
import type { ForecastReport } from '@/lib/report/schema';
import { recordAudit } from '@/lib/server/audit';
import { enforceRateLimit } from '@/lib/server/limits';

export const dynamic = 'force-dynamic';

/**
 * POST /api/forecasts {snapshot, expiresInDays?}: stores an immutable snapshot and answers 201
 * {token, url, path, deleteSecret, createdAt, expiresAt, bytes}. 400 for an invalid snapshot
 * (naming each bad field), 413 over the size cap.
 */
export const POST = withRequestMetrics('/api/forecasts', async (request: Request): Promise<Response> => {
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
    // Validated by publishShare: the snapshot is a ForecastReport (recorded in forecast_audit, token hashed).
    recordShare({ monitor: getMonitor(), request, token: share.token, report: (body as { snapshot: ForecastReport }).snapshot, bytes: share.bytes });
    await recordAudit(handle, { actor: request.headers, action: 'share.create', target: share.token, details: { bytes: share.bytes, expiresAt: share.expiresAt } });
    const url = new URL(share.path, originFromHeaders(request.headers)).href;
    return Response.json({ ...share, url }, { status: 201, headers: { location: url, 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error);
  }
});
