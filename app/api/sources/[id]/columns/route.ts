import { errorResponse } from '@/lib/server/http';
import { dataPlaneConfig, parseWindowRequest, resolveSource, sourceColumns } from '@/lib/server/sources';

export const dynamic = 'force-dynamic';

/** GET /api/sources/<id>/columns?table=: introspected columns and suggested roles (time, targets, entity). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const config = dataPlaneConfig();
    const query = parseWindowRequest(new URL(request.url).searchParams, { rowCap: config.rowCap, listing: true });
    const source = await resolveSource((await params).id, { config });
    return Response.json(await sourceColumns(source, query, config));
  } catch (error) {
    return errorResponse(error);
  }
}
