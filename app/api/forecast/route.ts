import { LookaheadError } from '@/lib/core/errors';
import { forecastResponseStatus, parseForecastRequest, runForecastRequest, type ForecastRequestBody } from '@/lib/server/forecast-service';
import { errorResponse } from '@/lib/server/http';
import { getMonitor, labelRequestModel, recordServerForecast, withRequestMetrics } from '@/lib/server/monitoring';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Largest request body read (2,000,000 values as JSON is ~40 MB). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * POST /api/forecast: server-side inference with the same JSON as `npm run forecast` (207 when some
 * series failed). Every
 * request that names a model is recorded (inference event + audit row, buffered) and counted in
 * /metrics by route and model.
 */
export const POST = withRequestMetrics('/api/forecast', async (request: Request): Promise<Response> => {
  let body: ForecastRequestBody | null = null;
  const started = performance.now();
  try {
    const length = Number(request.headers.get('content-length') ?? 0);
    if (length > MAX_BODY_BYTES) throw new LookaheadError('forecast', 'too_large', `the body is ${length} bytes; the limit is ${MAX_BODY_BYTES}`);
    let json: unknown;
    try {
      json = await request.json();
    } catch (error) {
      throw new LookaheadError('forecast', 'bad_input', `the body is not valid JSON (${(error as Error).message}); send {"model", "horizon", "series":[{"values":[...]}]}`);
    }
    body = parseForecastRequest(json);
    const response = await runForecastRequest(body, { signal: request.signal });
    labelRequestModel(request, response.model.id);
    recordServerForecast({ monitor: getMonitor(), request, body, response, latencyMs: performance.now() - started });
    return Response.json(response, { status: forecastResponseStatus(response) });
  } catch (error) {
    if (body) {
      labelRequestModel(request, body.model.slice(0, 100));
      recordServerForecast({ monitor: getMonitor(), request, body, error, latencyMs: performance.now() - started });
    }
    return errorResponse(error);
  }
});
