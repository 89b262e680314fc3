import { LookaheadError } from '@/lib/core/errors';
import { errorResponse } from '@/lib/server/http';
import { fileResponse, servedFilePath } from '@/lib/server/parquet';
import { dataPlaneConfig, resolveSource } from '@/lib/server/sources';

export const dynamic = 'force-dynamic';

/**
 * GET|HEAD /api/files/<source>/<path...>: the bytes of a parquet file of a parquet source or an
 * upload, with HTTP Range (206), ETag and 416, for hyparquet's asyncBufferFromUrl in the browser.
 */
async function serve(request: Request, { params }: { params: Promise<{ path: string[] }> }): Promise<Response> {
  try {
    const [sourceId, ...segments] = (await params).path;
    if (!sourceId || segments.length === 0) throw new LookaheadError('files', 'not_found', 'name a file as /api/files/<source>/<path>');
    const source = await resolveSource(sourceId, { config: dataPlaneConfig() });
    if (source.kind !== 'parquet') throw new LookaheadError('files', 'not_found', `source "${sourceId.slice(0, 80)}" has no files`);
    const absolutePath = await servedFilePath(source, segments);
    return await fileResponse(request, absolutePath, { contentType: 'application/vnd.apache.parquet', cacheControl: source.cacheControl });
  } catch (error) {
    return errorResponse(error);
  }
}

export const GET = serve;
export const HEAD = serve;
