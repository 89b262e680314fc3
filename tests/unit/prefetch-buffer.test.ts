import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { PrefetchBuffer, rowGroupSpan } from '@/lib/client/prefetch-buffer';

/** A buffer over bytes that records every slice asked of it, as HTTP Range requests would be. */
function recordingBuffer(bytes: Uint8Array) {
  const calls: [number, number][] = [];
  return {
    calls,
    buffer: {
      byteLength: bytes.byteLength,
      slice: async (start: number, end = bytes.byteLength) => {
        calls.push([start, end]);
        return bytes.slice(start, end).buffer;
      },
    },
  };
}

describe('PrefetchBuffer', () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, index) => index % 251);

  it('serves slices inside a prefetched range from it, with the right bytes, and fetches the rest as asked', async () => {
    const { calls, buffer } = recordingBuffer(bytes);
    const prefetching = new PrefetchBuffer(buffer);
    prefetching.prefetch(100, 600);
    expect(new Uint8Array(await prefetching.slice(200, 260))).toEqual(bytes.slice(200, 260));
    expect(new Uint8Array(await prefetching.slice(100, 600))).toEqual(bytes.slice(100, 600));
    expect(calls).toEqual([[100, 600]]);
    // Outside (or straddling) the range: a request of its own.
    expect(new Uint8Array(await prefetching.slice(550, 700))).toEqual(bytes.slice(550, 700));
    expect(calls).toEqual([
      [100, 600],
      [550, 700],
    ]);
  });

  it('ignores ranges it already holds or that leave the file', async () => {
    const { calls, buffer } = recordingBuffer(bytes);
    const prefetching = new PrefetchBuffer(buffer);
    prefetching.prefetch(0, 500);
    prefetching.prefetch(10, 20);
    prefetching.prefetch(900, 1200);
    prefetching.prefetch(50, 50);
    expect(calls).toEqual([[0, 500]]);
  });

  it('a failed prefetch fails the slice that reads it, and is no unhandled rejection before', async () => {
    const failing = { byteLength: 100, slice: () => Promise.reject(new Error('files: HTTP 500')) };
    const prefetching = new PrefetchBuffer(failing);
    prefetching.prefetch(0, 50);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(prefetching.slice(0, 10)).rejects.toThrow('files: HTTP 500');
  });
});

describe('rowGroupSpan', () => {
  it('spans the chosen columns of a row group, and only their bytes', () => {
    const rows = 1000;
    const file = parquetWriteBuffer({
      columnData: [
        { name: 'ts', data: Array.from({ length: rows }, (_, index) => index * 1000), type: 'TIMESTAMP', nullable: false },
        { name: 'value', data: Array.from({ length: rows }, (_, index) => Math.sin(index)), type: 'DOUBLE', nullable: true },
        { name: 'other', data: Array.from({ length: rows }, (_, index) => Math.cos(index)), type: 'DOUBLE', nullable: true },
      ],
      rowGroupSize: 500,
    });
    const metadata = parquetMetadata(file);
    const [first, second] = metadata.row_groups;
    const both = rowGroupSpan(first!, ['ts', 'value'])!;
    const all = rowGroupSpan(first!, ['ts', 'value', 'other'])!;
    const chunks = first!.columns.map((chunk) => ({ name: chunk.meta_data!.path_in_schema[0], start: Number(chunk.meta_data!.data_page_offset), size: Number(chunk.meta_data!.total_compressed_size) }));
    const ts = chunks.find((chunk) => chunk.name === 'ts')!;
    const value = chunks.find((chunk) => chunk.name === 'value')!;
    expect(both).toEqual({ start: Math.min(ts.start, value.start), end: Math.max(ts.start + ts.size, value.start + value.size) });
    expect(all.end).toBeGreaterThan(both.end);
    // The second row group lies after the first.
    expect(rowGroupSpan(second!, ['ts'])!.start).toBeGreaterThanOrEqual(all.end);
    expect(rowGroupSpan(first!, ['missing'])).toBeNull();
  });
});
