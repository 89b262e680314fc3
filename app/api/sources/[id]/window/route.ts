import { errorResponse } from '@/lib/server/http';
import { enforceRateLimit } from '@/lib/server/limits';
import { dataPlaneConfig, openWindowStream, parseWindowRequest, resolveSource } from '@/lib/server/sources';

export const dynamic = 'force-dynamic';

/**
 * GET /api/sources/<id>/window?columns=OT&limit=512: an Apache Arrow IPC stream, oldest first.
 * SQL and parquet sources also take table=, time=, entity=, covariates=, series=, start=, end=,
 * min=, max=, excludeNulls=, bucket= and agg= (avg, min, max, last), years= and months=.
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    await enforceRateLimit(request.headers);
    const config = dataPlaneConfig();
    const query = parseWindowRequest(new URL(request.url).searchParams, { rowCap: config.rowCap });
    const source = await resolveSource((await params).id, { config });
    const { body, frequencyLabel } = await openWindowStream(source, query, config);
    return new Response(body, {
      headers: {
        'content-type': 'application/vnd.apache.arrow.stream',
        'cache-control': 'no-store',
        'x-lookahead-frequency': frequencyLabel ?? '',
        'x-lookahead-row-cap': String(config.rowCap),
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
