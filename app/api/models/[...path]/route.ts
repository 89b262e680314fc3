import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { LookaheadError } from '@/lib/core/errors';
import { errorResponse } from '@/lib/server/http';
import { findInstalledModel } from '@/lib/server/models/store';

export const dynamic = 'force-dynamic';

/**
 * GET /api/models/<id>/<revision>/<file>: bytes of a file listed in an installed model's
 * manifest (never any other path). Paths are immutable, so clients may cache them forever.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ path: string[] }> }): Promise<Response> {
  try {
    const parts = (await params).path;
    if (parts.length !== 3) throw new LookaheadError('models', 'not_found', 'expected /api/models/<id>/<revision>/<file>');
    const [id, revision, name] = parts as [string, string, string];
    const installed = findInstalledModel(`${id}@${revision}`);
    const file = installed?.manifest.files.find((candidate) => candidate.name === name) ?? (name === 'manifest.json' ? { name, sha256: '' } : undefined);
    if (!installed || !file) throw new LookaheadError('models', 'not_found', `no file ${name} in model ${id}@${revision}`);
    const fullPath = path.join(installed.directory, file.name);
    const size = statSync(fullPath).size;
    const stream = Readable.toWeb(createReadStream(fullPath)) as ReadableStream<Uint8Array>;
    return new Response(stream, {
      headers: {
        'content-type': name.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        'content-length': String(size),
        'cache-control': name === 'manifest.json' ? 'no-cache' : 'public, max-age=31536000, immutable',
        ...(file.sha256 ? { etag: `"${file.sha256}"` } : {}),
        'cross-origin-resource-policy': 'same-origin',
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
