import 'server-only';
import { LookaheadError } from '@/lib/core/errors';

/**
 * Reads a request body, refusing it as soon as it passes `maxBytes` (by Content-Length when the
 * client sends one, else while streaming), so an oversized upload is never held in memory.
 * `tooLarge` builds the 413 the caller wants to answer with.
 */
export async function readBodyCapped(
  request: Request,
  { maxBytes, tooLarge }: { maxBytes: number; tooLarge: (bytes: number | null) => LookaheadError },
): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared);
  if (!request.body) return null;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel();
      throw tooLarge(null);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** A JSON request body read with `readBodyCapped`. */
export async function readJsonBody(
  request: Request,
  { maxBytes, subsystem, tooLarge }: { maxBytes: number; subsystem: string; tooLarge: (bytes: number | null) => LookaheadError },
): Promise<unknown> {
  const bytes = await readBodyCapped(request, { maxBytes, tooLarge });
  if (!bytes) throw new LookaheadError(subsystem, 'bad_input', 'the request has no body; send JSON');
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new LookaheadError(subsystem, 'bad_input', `the request body is not JSON: ${(error as Error).message}`, { cause: error });
  }
}
