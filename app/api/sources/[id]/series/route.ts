import { errorResponse } from '@/lib/server/http';
import { dataPlaneConfig, parseWindowRequest, resolveSource, sourceSeries } from '@/lib/server/sources';

export const dynamic = 'force-dynamic';

/**
 * GET /api/sources/<id>/series: the entities of a source with row counts and time ranges.
 * SQL sources take table=, time=, entity= and the filters start=, end=, ids=.
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const config = dataPlaneConfig();
    const query = parseWindowRequest(new URL(request.url).searchParams, { rowCap: config.rowCap, listing: true });
    const source = await resolveSource((await params).id, { config });
    return Response.json(await sourceSeries(source, query, config));
  } catch (error) {
    return errorResponse(error);
  }
}
