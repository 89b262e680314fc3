import { requireDataset } from '@/lib/server/datasets';
import { errorResponse } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Sample datasets hold one series each (entity ''); external sources list their entities. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const dataset = await requireDataset((await params).id);
    return Response.json({
      series: [{ id: '', label: dataset.name, rowCount: dataset.rowCount, start: dataset.startTs, end: dataset.endTs, columns: dataset.columns }],
    });
  } catch (error) {
    return errorResponse(error);
  }
}
