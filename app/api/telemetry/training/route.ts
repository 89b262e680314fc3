import { errorResponse } from '@/lib/server/http';
import { acceptTrainingTelemetry, getMonitor, RateLimiter, withRequestMetrics } from '@/lib/server/monitoring';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const globalForLimiter = globalThis as unknown as { lookaheadTrainingTelemetryLimiter?: RateLimiter };

/**
 * POST /api/telemetry/training {run: {id: "browser-…", model, status, device, parameters?, error?},
 * metrics: [{epoch, step, trainLoss, valLoss, learningRate, gradNorm, stepMs}]}: a browser training
 * run and its step/epoch metrics (the page sends them in batches), recorded as training_runs and
 * training_metrics like a server job's, so /monitor charts both. 202 {recorded, metrics}; 400
 * naming a bad field; 429 past LOOKAHEAD_TELEMETRY_RATE_PER_MINUTE per client.
 */
export const POST = withRequestMetrics('/api/telemetry/training', async (request: Request): Promise<Response> => {
  try {
    const monitor = getMonitor();
    globalForLimiter.lookaheadTrainingTelemetryLimiter ??= new RateLimiter(monitor.config.telemetryRatePerMinute);
    const outcome = await acceptTrainingTelemetry(request, { monitor, limiter: globalForLimiter.lookaheadTrainingTelemetryLimiter });
    return Response.json(outcome.body, { status: outcome.status, headers: { 'cache-control': 'no-store', ...outcome.headers } });
  } catch (error) {
    return errorResponse(error);
  }
});
