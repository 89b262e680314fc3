import { detectAnomalies } from '@/lib/server/anomalies';
import { errorResponse } from '@/lib/server/http';
import { withRequestMetrics } from '@/lib/server/monitoring';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * GET /api/sources/<id>/anomalies?<window parameters>&method=zscore&window=48&threshold=3.5
 * or ...&method=interval&model=seasonal-naive&level=0.8&horizon=24: the scored series and the
 * anomalies in it (see lib/server/anomalies).
 */
export const GET = withRequestMetrics('/api/sources/[id]/anomalies', async (request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> => {
  try {
    const report = await detectAnomalies({ sourceId: (await params).id, searchParams: new URL(request.url).searchParams });
    return Response.json(report, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error);
  }
});
