import { LookaheadError } from '@/lib/core/errors';
import { getDatabase } from '@/db';
import { errorResponse } from '@/lib/server/http';
import { dataPlaneConfig } from '@/lib/server/sources';
import { storeCsvUpload } from '@/lib/server/uploads';

export const dynamic = 'force-dynamic';

/** Room for the multipart boundaries and headers around the file itself. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** The body, refused as soon as it passes `maxBytes` (a chunked upload has no Content-Length to check first). */
async function readBodyCapped(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new LookaheadError('upload', 'too_large', `the upload passed ${maxBytes} bytes; uploads are limited to ${maxBytes - MULTIPART_OVERHEAD_BYTES} bytes`);
    }
    parts.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return body;
}

/**
 * POST /api/uploads: a CSV (multipart field "file", or the raw body with ?fileName=) stored as
 * parquet and registered as a source. 201 with the source when new, 200 when the same file was
 * uploaded before.
 */
export async function POST(request: Request): Promise<Response> {
  try {
    const config = dataPlaneConfig();
    const declared = Number(request.headers.get('content-length') ?? '0');
    if (declared > config.uploadMaxBytes + MULTIPART_OVERHEAD_BYTES) {
      throw new LookaheadError('upload', 'too_large', `the upload is ${declared} bytes; uploads are limited to ${config.uploadMaxBytes} bytes`);
    }
    const url = new URL(request.url);
    let bytes = await readBodyCapped(request, config.uploadMaxBytes + MULTIPART_OVERHEAD_BYTES);
    let fileName = url.searchParams.get('fileName') ?? 'upload.csv';
    const contentType = request.headers.get('content-type') ?? '';
    if (contentType.startsWith('multipart/form-data')) {
      const file = (await new Response(bytes, { headers: { 'content-type': contentType } }).formData()).get('file');
      if (!file || typeof file === 'string') throw new LookaheadError('upload', 'bad_input', 'send the CSV in the multipart field "file"');
      bytes = new Uint8Array(await file.arrayBuffer());
      fileName = file.name || fileName;
    }
    const { upload, created } = await storeCsvUpload(
      { bytes, fileName: fileName.slice(0, 255), name: url.searchParams.get('name')?.slice(0, 200) ?? undefined },
      { handle: await getDatabase(), uploadDir: config.uploadDir, maxBytes: config.uploadMaxBytes },
    );
    return Response.json(
      {
        source: {
          kind: 'upload',
          id: upload.id,
          name: upload.name,
          columns: upload.columns,
          textColumns: upload.textColumns,
          timestampColumn: upload.timestampColumn,
          rowCount: upload.rowCount,
          frequency: upload.frequency,
          start: upload.startTs?.toISOString() ?? null,
          end: upload.endTs?.toISOString() ?? null,
          warnings: upload.warnings,
          fileUrl: `/api/files/${upload.id}/${upload.storedFileName}`,
        },
        created,
      },
      { status: created ? 201 : 200 },
    );
  } catch (error) {
    return errorResponse(error);
  }
}
