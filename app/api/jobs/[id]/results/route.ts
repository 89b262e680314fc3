import { z } from 'zod';
import { getResult, listResults } from '@/db';
import { LookaheadError } from '@/lib/core/errors';
import { errorResponse, fromZodError } from '@/lib/server/http';
import { getJobSystem, resultsCsvStream, resultsLongCsvStream, resultsParquetStream } from '@/lib/server/jobs';
import { requireJob } from '@/lib/server/jobs/routes';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const query = z
  .object({
    format: z.enum(['json', 'csv', 'parquet', 'long']).default('json'),
    series: z.string().max(1000).optional(),
    search: z.string().max(200).optional(),
    status: z.enum(['ok', 'failed']).optional(),
    after: z.coerce.number().int().min(-1).default(-1),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

/**
 * GET /api/jobs/<id>/results: `format=csv|parquet` downloads every result, streamed page by page
 * (`format=long`: a forecast job as unique_id, ds, mean, <levels>, as the page exports it);
 * `format=json` (default) lists a page (`after`=last position, `limit`, `search` in the series id,
 * `status`), or one series' full result with `series=<id>`.
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const { id } = await params;
    const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!parsed.success) throw fromZodError('jobs', parsed.error);
    const options = parsed.data;
    const system = await getJobSystem();
    const job = await requireJob(system, id);
    if (options.format === 'csv') {
      return new Response(resultsCsvStream(system.handle, job), {
        headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="lookahead-job-${job.id}.csv"` },
      });
    }
    if (options.format === 'long') {
      // A forecast job's results as unique_id, ds, mean, <levels>: what statsforecast and AutoGluon read.
      return new Response(resultsLongCsvStream(system.handle, job), {
        headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="lookahead-job-${job.id}-long.csv"` },
      });
    }
    if (options.format === 'parquet') {
      return new Response(resultsParquetStream(system.handle, job), {
        headers: { 'content-type': 'application/vnd.apache.parquet', 'content-disposition': `attachment; filename="lookahead-job-${job.id}.parquet"` },
      });
    }
    if (options.series !== undefined) {
      const result = await getResult({ handle: system.handle, jobId: id, seriesId: options.series });
      if (!result) throw new LookaheadError('jobs', 'not_found', `job ${id} has no result for series "${options.series.slice(0, 100)}" (yet)`);
      return Response.json(result);
    }
    const rows = await listResults({ handle: system.handle, jobId: id, afterPosition: options.after, limit: options.limit, status: options.status, search: options.search });
    // The list carries no payloads: the page fetches a series' numbers when it shows its chart.
    return Response.json({ results: rows.map(({ payload: _payload, ...rest }) => rest), next: rows.length === options.limit ? rows[rows.length - 1]!.position : null });
  } catch (error) {
    return errorResponse(error);
  }
}
