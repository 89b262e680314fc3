import { LookaheadError } from '@/lib/core/errors';
import { getDatabase } from '@/db';
import { errorResponse } from '@/lib/server/http';
import { dataPlaneConfig } from '@/lib/server/sources';
import { storeCsvUpload } from '@/lib/server/uploads';

export const dynamic = 'force-dynamic';

/**
 * POST /api/uploads: a CSV (multipart field "file", or the raw body with ?fileName=) stored as
 * parquet and registered as a source. 201 with the source when new, 200 when the same file was
 * uploaded before.
 */
export async function POST(request: Request): Promise<Response> {
  try {
    const config = dataPlaneConfig();
    const declared = Number(request.headers.get('content-length') ?? '0');
    if (declared > config.uploadMaxBytes + 64 * 1024) {
      throw new LookaheadError('upload', 'too_large', `the upload is ${declared} bytes; uploads are limited to ${config.uploadMaxBytes} bytes`);
    }
    const url = new URL(request.url);
    let bytes: Uint8Array;
    let fileName = url.searchParams.get('fileName') ?? 'upload.csv';
    if ((request.headers.get('content-type') ?? '').startsWith('multipart/form-data')) {
      const file = (await request.formData()).get('file');
      if (!file || typeof file === 'string') throw new LookaheadError('upload', 'bad_input', 'send the CSV in the multipart field "file"');
      bytes = new Uint8Array(await file.arrayBuffer());
      fileName = file.name || fileName;
    } else {
      bytes = new Uint8Array(await request.arrayBuffer());
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
