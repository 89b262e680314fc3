import { LookaheadError } from '@/lib/core/errors';
import { forecastResponseStatus, parseForecastRequest, runForecastRequest } from '@/lib/server/forecast-service';
import { errorResponse } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Largest request body read (2,000,000 values as JSON is ~40 MB). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** POST /api/forecast: server-side inference with the same JSON as `npm run forecast`; 207 when some series failed. */
export async function POST(request: Request): Promise<Response> {
  try {
    const length = Number(request.headers.get('content-length') ?? 0);
    if (length > MAX_BODY_BYTES) throw new LookaheadError('forecast', 'too_large', `the body is ${length} bytes; the limit is ${MAX_BODY_BYTES}`);
    let json: unknown;
    try {
      json = await request.json();
    } catch (error) {
      throw new LookaheadError('forecast', 'bad_input', `the body is not valid JSON (${(error as Error).message}); send {"model", "horizon", "series":[{"values":[...]}]}`);
    }
    const answer = await runForecastRequest(parseForecastRequest(json), { signal: request.signal });
    return Response.json(answer, { status: forecastResponseStatus(answer) });
  } catch (error) {
    return errorResponse(error);
  }
}
