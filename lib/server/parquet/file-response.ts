import 'server-only';
import { createReadStream } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { LookaheadError } from '@/lib/core/errors';
import { parseByteRange } from './byte-range';

/**
 * A file as an HTTP response with byte ranges, for hyparquet's asyncBufferFromUrl in the browser:
 * 206 with Content-Range for one range, 416 for a range past the end, 304 for a matching
 * If-None-Match, a strong ETag from size, mtime and inode, and If-Range honoured. The body is
 * streamed from disk; a client that goes away closes the file.
 */
export interface FileResponseOptions {
  contentType: string;
  cacheControl: string;
}

export function etagFor(info: { size: number; mtimeMs: number; ino: number }): string {
  return `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}-${info.ino.toString(16)}"`;
}

/**
 * `relative` resolved under `root`, refusing anything that leaves it (.., symbolic links) and
 * hidden names (a dot-folder such as .staging/ or .git/ is never listed, so never served).
 */
export async function resolveInside(root: string, relative: string[]): Promise<string> {
  const notFound = () => new LookaheadError('files', 'not_found', `no file "${relative.join('/').slice(0, 200)}"`);
  for (const segment of relative) {
    if (!segment || segment.startsWith('.') || segment.includes('/') || segment.includes('\\') || segment.includes('\u0000')) throw notFound();
  }
  const candidate = path.resolve(root, ...relative);
  const rootReal = await realpath(root).catch(() => null);
  if (!rootReal) throw notFound();
  const info = await lstat(candidate).catch(() => null);
  if (!info || !info.isFile() || info.isSymbolicLink()) throw notFound();
  const real = await realpath(candidate);
  if (!real.startsWith(rootReal + path.sep)) throw notFound();
  return real;
}

export async function fileResponse(request: Request, absolutePath: string, options: FileResponseOptions): Promise<Response> {
  const info = await lstat(absolutePath);
  const size = info.size;
  const etag = etagFor(info);
  const headers = new Headers({
    'accept-ranges': 'bytes',
    etag,
    'last-modified': new Date(info.mtimeMs).toUTCString(),
    'cache-control': options.cacheControl,
    'content-type': options.contentType,
  });
  const ifNoneMatch = request.headers.get('if-none-match');
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) {
    return new Response(null, { status: 304, headers });
  }
  // If-Range with a stale validator: the client's cached bytes are of another version, send it all.
  const ifRange = request.headers.get('if-range');
  const range = ifRange && ifRange !== etag ? ({ kind: 'whole' } as const) : parseByteRange(request.headers.get('range'), size);
  if (range.kind === 'unsatisfiable') {
    headers.set('content-range', `bytes */${size}`);
    headers.delete('content-type');
    return new Response(null, { status: 416, headers });
  }
  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : size - 1;
  const length = size === 0 ? 0 : end - start + 1;
  headers.set('content-length', String(length));
  if (range.kind === 'partial') headers.set('content-range', `bytes ${start}-${end}/${size}`);
  const status = range.kind === 'partial' ? 206 : 200;
  if (request.method === 'HEAD' || length === 0) return new Response(null, { status, headers });
  const body = Readable.toWeb(createReadStream(absolutePath, { start, end })) as ReadableStream<Uint8Array>;
  return new Response(body, { status, headers });
}
