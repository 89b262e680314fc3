import { LookaheadError } from '@/lib/core/errors';
import { getDatabase, getUploadLayout } from '@/db';
import { errorResponse } from '@/lib/server/http';
import { readBodyCapped } from '@/lib/server/json-body';
import { dataPlaneConfig, summarizeUpload } from '@/lib/server/sources';
import { storeCsvUpload } from '@/lib/server/uploads';
import { recordAudit } from '@/lib/server/audit';
import { enforceRateLimit, withHeavySlot } from '@/lib/server/limits';

export const dynamic = 'force-dynamic';

/** Room for the multipart boundaries and headers around the file itself. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * POST /api/uploads: a CSV or parquet file (multipart field "file", or the raw body with
 * ?fileName=; parquet is told by its "PAR1" magic bytes) of one or many series (single, long or wide; a wide file takes ?frequency=&start=, else integer steps)
 * stored as parquet and registered as a source. 201 with the source when new, 200 when the same
 * file was uploaded before.
 */
export async function POST(request: Request): Promise<Response> {
  try {
    const config = dataPlaneConfig();
    const handle = await getDatabase();
    await enforceRateLimit(request.headers, { handle });
    const maxBytes = config.uploadMaxBytes + MULTIPART_OVERHEAD_BYTES;
    const url = new URL(request.url);
    let bytes =
      (await readBodyCapped(request, {
        maxBytes,
        tooLarge: (declared) =>
          new LookaheadError(
            'upload',
            'too_large',
            declared === null
              ? `the upload passed ${maxBytes} bytes; uploads are limited to ${config.uploadMaxBytes} bytes`
              : `the upload is ${declared} bytes; uploads are limited to ${config.uploadMaxBytes} bytes`,
          ),
      })) ?? new Uint8Array(0);
    let fileName = url.searchParams.get('fileName') ?? 'upload.csv';
    const contentType = request.headers.get('content-type') ?? '';
    if (contentType.startsWith('multipart/form-data')) {
      let form: FormData;
      try {
        form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
      } catch (error) {
        throw new LookaheadError('upload', 'bad_input', 'the multipart body is malformed (boundary or part headers); send the CSV or parquet file in the multipart field "file", or the raw file with ?fileName=', { cause: error });
      }
      const file = form.get('file');
      if (!file || typeof file === 'string') throw new LookaheadError('upload', 'bad_input', 'send the CSV or parquet file in the multipart field "file"');
      bytes = new Uint8Array(await file.arrayBuffer());
      fileName = file.name || fileName;
    }
    const frequency = url.searchParams.get('frequency')?.trim().slice(0, 20);
    const start = url.searchParams.get('start')?.trim().slice(0, 40);
    if (Boolean(frequency) !== Boolean(start)) {
      throw new LookaheadError('upload', 'bad_input', `a wide file needs both frequency and start (e.g. ?frequency=1M&start=2000-01-01), got ${frequency ? `frequency=${frequency}` : `start=${start}`} alone`);
    }
    const input = {
      bytes,
      fileName: fileName.slice(0, 255),
      name: url.searchParams.get('name')?.slice(0, 200) ?? undefined,
      ...(frequency && start ? { wide: { frequency, start } } : {}),
    };
    const { upload, created } = await withHeavySlot('the upload', () =>
      storeCsvUpload(input, { handle, uploadDir: config.uploadDir, maxBytes: config.uploadMaxBytes, maxSeries: config.uploadMaxSeries, maxPoints: config.uploadMaxPoints }),
    );
    if (created) await recordAudit(handle, { actor: request.headers, action: 'upload.create', target: upload.id, details: { name: upload.name, bytes: upload.sizeBytes, rows: upload.rowCount } });
    return Response.json(
      {
        source: summarizeUpload(upload, await getUploadLayout({ handle, id: upload.id })),
        created,
      },
      { status: created ? 201 : 200 },
    );
  } catch (error) {
    return errorResponse(error);
  }
}
