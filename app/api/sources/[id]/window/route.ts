import { z } from 'zod';
import { getDatabase } from '@/db';
import { requireDataset } from '@/lib/server/datasets';
import { errorResponse, fromZodError } from '@/lib/server/http';
import { streamDatasetWindow } from '@/lib/server/window-stream';

export const dynamic = 'force-dynamic';

const MAX_WINDOW_ROWS = 1_000_000;

const windowParams = z.object({
  series: z.string().max(200).default(''),
  columns: z
    .string()
    .min(1, 'name at least one column, e.g. columns=OT')
    .max(2000)
    .transform((value) => value.split(',').map((column) => column.trim())),
  start: z.iso.datetime({ offset: true }).optional().transform((value) => (value ? new Date(value) : undefined)),
  end: z.iso.datetime({ offset: true }).optional().transform((value) => (value ? new Date(value) : undefined)),
  limit: z.coerce.number().int().min(1).max(MAX_WINDOW_ROWS).default(10_000),
});

/** GET /api/sources/<id>/window?columns=OT&limit=512: an Apache Arrow IPC stream, oldest first. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const url = new URL(request.url);
    const parsed = windowParams.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) throw fromZodError('window', parsed.error);
    const handle = await getDatabase();
    const dataset = await requireDataset((await params).id, handle);
    const stream = streamDatasetWindow(handle, dataset, {
      seriesId: parsed.data.series,
      columns: parsed.data.columns,
      start: parsed.data.start,
      end: parsed.data.end,
      limit: parsed.data.limit,
    });
    return new Response(stream, {
      headers: {
        'content-type': 'application/vnd.apache.arrow.stream',
        'cache-control': 'no-store',
        'x-lookahead-frequency': dataset.frequency ?? '',
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
