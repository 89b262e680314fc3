import { describe, expect, it } from 'vitest';
import { CopyBinaryDecoder } from '@/db/copy-binary';

/**
 * The binary COPY decoder against a payload written by hand from the format's description
 * (signature, flags, extension length; per row a field count, then length-prefixed fields; -1 for
 * NULL; trailer -1), fed whole, byte by byte and split at every offset.
 */
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);

function payload(rows: { ms: number; values: (number | null)[] }[]): Uint8Array {
  const parts: number[] = [...Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), 0, 0, 0, 0, 0, 0, 0, 0];
  for (const row of rows) {
    const buffer = Buffer.alloc(2 + 12 + row.values.reduce<number>((size, value) => size + (value === null ? 4 : 12), 0));
    let offset = buffer.writeInt16BE(1 + row.values.length, 0);
    offset = buffer.writeInt32BE(8, offset);
    offset = buffer.writeBigInt64BE(BigInt(Math.round((row.ms - POSTGRES_EPOCH_MS) * 1000)), offset);
    for (const value of row.values) {
      if (value === null) offset = buffer.writeInt32BE(-1, offset);
      else offset = buffer.writeDoubleBE(value, buffer.writeInt32BE(8, offset));
    }
    parts.push(...buffer);
  }
  parts.push(0xff, 0xff);
  return Uint8Array.from(parts);
}

const rows = Array.from({ length: 7 }, (_, index) => ({ ms: Date.UTC(2024, 0, 1) + index * 3_600_000 + (index === 3 ? 0.5 : 0), values: [index === 2 ? null : index * 1.25, -index] }));

function decodeAll(chunks: Uint8Array[], batchRows: number) {
  const decoder = new CopyBinaryDecoder(2, batchRows);
  const timestamps: number[] = [];
  const first: number[] = [];
  const second: number[] = [];
  const sizes: number[] = [];
  const drain = (flush: boolean) => {
    for (let batch = decoder.take({ flush }); batch; batch = decoder.take({ flush })) {
      sizes.push(batch.timestampsMs.length);
      timestamps.push(...batch.timestampsMs);
      first.push(...batch.columns[0]!);
      second.push(...batch.columns[1]!);
    }
  };
  for (const chunk of chunks) {
    decoder.push(chunk);
    drain(false);
  }
  drain(true);
  return { timestamps, first, second, sizes, done: decoder.done, pending: decoder.pendingBytes };
}

describe('binary COPY decoder', () => {
  const bytes = payload(rows);
  const want = {
    timestamps: rows.map((row) => row.ms),
    first: rows.map((row) => row.values[0] ?? Number.NaN),
    second: rows.map((row) => row.values[1]!),
  };

  it('decodes a whole payload: timestamps (microseconds kept), NULL as NaN, batches of batchRows', () => {
    const got = decodeAll([bytes], 3);
    expect(got).toMatchObject({ ...want, sizes: [3, 3, 1], done: true, pending: 0 });
    expect(got.timestamps[3]! % 1).toBe(0.5);
  });

  it('gives the same rows however the bytes are split', () => {
    for (let cut = 1; cut < bytes.byteLength; cut++) {
      const got = decodeAll([bytes.subarray(0, cut), bytes.subarray(cut)], 4);
      expect({ timestamps: got.timestamps, first: got.first, second: got.second, done: got.done }).toEqual({ ...want, done: true });
    }
    const byteByByte = decodeAll(Array.from(bytes, (_, index) => bytes.subarray(index, index + 1)), 2);
    expect(byteByByte.timestamps).toEqual(want.timestamps);
  });

  it('without the trailer the decoder is not done, and the partial row stays pending', () => {
    const got = decodeAll([bytes.subarray(0, bytes.byteLength - 10)], 100);
    expect(got.done).toBe(false);
    expect(got.timestamps).toEqual(want.timestamps.slice(0, 6));
    expect(got.pending).toBeGreaterThan(0);
  });

  it('refuses text COPY data and rows of another shape, naming the problem', () => {
    expect(() => new CopyBinaryDecoder(2, 10).push(Buffer.from('2024-01-01 00:00:00+00\t1.5\n'.repeat(3)))).toThrow('copy: the server did not send binary COPY data (bad signature)');
    expect(() => new CopyBinaryDecoder(3, 10).push(bytes)).toThrow('copy: expected 4 fields per row, got 3');
  });
});
