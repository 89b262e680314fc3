import { errorResponse } from '@/lib/server/http';
import { enforceRateLimit, withHeavySlot } from '@/lib/server/limits';
import { dataPlaneConfig, parseWindowRequest, resolveSource, windowQuality } from '@/lib/server/sources';

export const dynamic = 'force-dynamic';

/** GET /api/sources/<id>/quality?<window parameters>: missing share, gaps, outliers, duplicates, freshness per column. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    await enforceRateLimit(request.headers);
    const config = dataPlaneConfig();
    const query = parseWindowRequest(new URL(request.url).searchParams, { rowCap: config.rowCap });
    const source = await resolveSource((await params).id, { config });
    return Response.json(await withHeavySlot('the quality report', () => windowQuality(source, query, config)));
  } catch (error) {
    return errorResponse(error);
  }
}
