import { describe, expect, it } from 'vitest';
import { LookaheadError } from '@/lib/core/errors';
import { readJsonBody } from '@/lib/server/json-body';

const tooLarge = (bytes: number | null) => new LookaheadError('share', 'too_large', `too large: ${bytes ?? 'streamed'}`);
const options = { maxBytes: 100, subsystem: 'share', tooLarge };

function streamed(text: string, chunk = 10): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, (offset += chunk)));
    },
  });
}

describe('readJsonBody', () => {
  it('parses a body within the limit', async () => {
    const request = new Request('http://x/', { method: 'POST', body: JSON.stringify({ a: [1, 2] }) });
    expect(await readJsonBody(request, options)).toEqual({ a: [1, 2] });
  });

  it('refuses by Content-Length before reading anything', async () => {
    const request = new Request('http://x/', { method: 'POST', body: 'x'.repeat(101), headers: { 'content-length': '101' } });
    await expect(readJsonBody(request, options)).rejects.toThrow('share: too large: 101');
  });

  it('refuses a streamed body (no Content-Length) as soon as it passes the limit', async () => {
    let pulled = 0;
    const source = streamed(`[${'1,'.repeat(500)}1]`);
    const reader = source.getReader();
    const counting = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        pulled += value.length;
        controller.enqueue(value);
      },
    });
    const request = new Request('http://x/', { method: 'POST', body: counting, duplex: 'half' } as RequestInit);
    await expect(readJsonBody(request, options)).rejects.toThrow('share: too large: streamed');
    // It stopped reading shortly after the limit instead of taking all 1 kB.
    expect(pulled).toBeLessThan(200);
  });

  it('names a body that is not JSON', async () => {
    const request = new Request('http://x/', { method: 'POST', body: '{"a":' });
    await expect(readJsonBody(request, options)).rejects.toThrow(/^share: the request body is not JSON: /);
  });
});
