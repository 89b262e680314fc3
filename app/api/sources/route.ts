import { listDatasetSummaries } from '@/lib/server/datasets';
import { errorResponse } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  try {
    return Response.json({ sources: await listDatasetSummaries() });
  } catch (error) {
    return errorResponse(error);
  }
}
