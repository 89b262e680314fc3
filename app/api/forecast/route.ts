import { LookaheadError } from '@/lib/core/errors';
import { forecastResponseStatus, parseForecastRequest, runForecastRequest, type ForecastRequestBody } from '@/lib/server/forecast-service';
import { errorResponse } from '@/lib/server/http';
import { getMonitor, labelRequestModel, recordServerForecast, withRequestMetrics } from '@/lib/server/monitoring';
import { DEFAULT_QUANTILE_LEVELS } from '@/lib/core/forecast';
import { getDatabase } from '@/db';
import { readBodyCapped } from '@/lib/server/json-body';
import { recordAudit } from '@/lib/server/audit';
import { authMode } from '@/lib/server/access';
import { checkForecastOutput, enforceRateLimit, withHeavySlot } from '@/lib/server/limits';

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
    await enforceRateLimit(request.headers);
    // Streamed cap: a chunked body (no Content-Length) is cut off as soon as it passes the limit.
    const bytes = await readBodyCapped(request, {
      maxBytes: MAX_BODY_BYTES,
      tooLarge: (declared) =>
        new LookaheadError('forecast', 'too_large', declared === null ? `the body is over ${MAX_BODY_BYTES} bytes; the limit is ${MAX_BODY_BYTES} bytes` : `the body is ${declared} bytes; the limit is ${MAX_BODY_BYTES}`),
    });
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes ?? new Uint8Array()));
    } catch (error) {
      throw new LookaheadError('forecast', 'bad_input', `the body is not valid JSON (${(error as Error).message}); send {"model", "horizon", "series":[{"values":[...]}]}`);
    }
    const parsed = parseForecastRequest(json);
    body = parsed;
    checkForecastOutput({ series: parsed.series.length, horizon: parsed.horizon, levels: parsed.levels?.length ?? DEFAULT_QUANTILE_LEVELS.length });
    const response = await withHeavySlot('the forecast', () => runForecastRequest(parsed, { signal: request.signal }));
    labelRequestModel(request, response.model.id);
    recordServerForecast({ monitor: getMonitor(), request, body: parsed, response, latencyMs: performance.now() - started });
    // Local use (LOOKAHEAD_AUTH unset) has one caller, and this route stores nothing: no audit row there.
    if (authMode(process.env) !== 'off') await recordAudit(await getDatabase(), { actor: request.headers, action: 'forecast.run', target: response.model.id, details: { series: parsed.series.length, horizon: parsed.horizon } });
    return Response.json(response, { status: forecastResponseStatus(response) });
  } catch (error) {
    if (body) {
      labelRequestModel(request, body.model.slice(0, 100));
      recordServerForecast({ monitor: getMonitor(), request, body, error, latencyMs: performance.now() - started });
    }
    return errorResponse(error);
  }
});
