import { errorResponse } from '@/lib/server/http';
import { acceptTelemetry, getMonitor, RateLimiter, withRequestMetrics } from '@/lib/server/monitoring';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const globalForLimiter = globalThis as unknown as { lookaheadTelemetryLimiter?: RateLimiter };

/**
 * POST /api/telemetry {model, device, deviceLabel, latencyMs, points, horizon, outcome, ...}: the
 * browser worker's report of one run. 202 {recorded}; 400 naming a bad field; 429 with
 * Retry-After past LOOKAHEAD_TELEMETRY_RATE_PER_MINUTE per client; 202 {recorded: false} when
 * the server has telemetry off.
 */
export const POST = withRequestMetrics('/api/telemetry', async (request: Request): Promise<Response> => {
  try {
    const monitor = getMonitor();
    globalForLimiter.lookaheadTelemetryLimiter ??= new RateLimiter(monitor.config.telemetryRatePerMinute);
    const outcome = await acceptTelemetry(request, { monitor, limiter: globalForLimiter.lookaheadTelemetryLimiter });
    return Response.json(outcome.body, { status: outcome.status, headers: { 'cache-control': 'no-store', ...outcome.headers } });
  } catch (error) {
    return errorResponse(error);
  }
});
