import { getDatabase } from '@/db';
import { errorResponse } from '@/lib/server/http';
import { dashboardData, getMonitor, parseDashboardRange, withRequestMetrics } from '@/lib/server/monitoring';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/monitor?range=1h|6h|24h|7d|30d: what /monitor draws (raw events up to a day, 1-hour rollups beyond). */
export const GET = withRequestMetrics('/api/monitor', async (request: Request): Promise<Response> => {
  try {
    const range = parseDashboardRange(new URL(request.url).searchParams.get('range'));
    const monitor = getMonitor();
    // What this process has buffered is shown too, so a forecast just made appears at once.
    await monitor.flush();
    return Response.json(await dashboardData({ handle: await getDatabase(), range, monitor }), { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error);
  }
});
