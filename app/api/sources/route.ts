import { errorResponse } from '@/lib/server/http';
import { listSources } from '@/lib/server/sources';

export const dynamic = 'force-dynamic';

/** GET /api/sources: every source (sample datasets, databases, parquet files, uploads), without credentials. */
export async function GET(): Promise<Response> {
  try {
    return Response.json({ sources: await listSources() });
  } catch (error) {
    return errorResponse(error);
  }
}
