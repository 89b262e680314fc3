import { describe, expect, it } from 'vitest';
import { CopyBinarySeriesDecoder, type CopySeriesRow } from '@/db/copy-binary';
import { oldestFirst } from '@/lib/server/sources/sql-source';

/**
 * The list-of-series binary COPY decoder (rows of float8 ord, timestamp[] ts, float8[] values...)
 * against a payload written by hand from the format's description: per array its dimensions,
 * has-null flag, element type, (length, lower bound) per dimension, then length-prefixed
 * elements (-1: NULL). Fed whole, and split at every offset. Also: a window put oldest first.
 */
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);
const FLOAT8 = 701;
const TIMESTAMPTZ = 1184;

function arrayField(elementType: number, elements: (bigint | number | null)[] | null, { empty = false } = {}): Buffer {
  if (elements === null) return int32(-1);
  if (empty) {
    const body = Buffer.concat([int32(0), int32(0), int32(elementType)]);
    return Buffer.concat([int32(body.length), body]);
  }
  const parts = [int32(1), int32(elements.some((element) => element === null) ? 1 : 0), int32(elementType), int32(elements.length), int32(1)];
  for (const element of elements) {
    if (element === null) parts.push(int32(-1));
    else {
      const value = Buffer.alloc(8);
      if (typeof element === 'bigint') value.writeBigInt64BE(element);
      else value.writeDoubleBE(element);
      parts.push(int32(8), value);
    }
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([int32(body.length), body]);
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

interface Row {
  ord: number;
  ms: number[] | null;
  columns: (number | null)[][];
  empty?: boolean;
}

function payload(rows: Row[]): Uint8Array {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  for (const row of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(2 + row.columns.length);
    const ord = Buffer.alloc(12);
    ord.writeInt32BE(8);
    ord.writeDoubleBE(row.ord, 4);
    parts.push(count, ord, arrayField(TIMESTAMPTZ, row.ms && row.ms.map((ms) => BigInt(Math.round((ms - POSTGRES_EPOCH_MS) * 1000))), { empty: row.empty ?? false }));
    for (const column of row.columns) parts.push(arrayField(FLOAT8, row.ms === null ? null : column, { empty: row.empty ?? false }));
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Uint8Array.from(Buffer.concat(parts));
}

const HOUR = 3_600_000;
const START = Date.UTC(2024, 0, 1);
const rows: Row[] = [
  // Newest first, as the list statement sends it; a NULL value; a timestamp before 2000 (negative microseconds) in the next row.
  { ord: 1, ms: [START + 2 * HOUR, START + HOUR, START + 0.5], columns: [[3.5, null, -1e300], [30, 20, 10]] },
  { ord: 2, ms: null, columns: [[], []] },
  { ord: 3, ms: [Date.UTC(1999, 11, 31, 23), Date.UTC(1970, 0, 1)], columns: [[1, 2], [Number.MAX_VALUE, -0]] },
  { ord: 4, ms: [], columns: [[], []], empty: true },
];

function decode(chunks: Uint8Array[]): { rows: CopySeriesRow[]; done: boolean } {
  const decoder = new CopyBinarySeriesDecoder(2);
  const out: CopySeriesRow[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (let row = decoder.take(); row; row = decoder.take()) out.push(row);
  }
  return { rows: out, done: decoder.done };
}

function plain(row: CopySeriesRow) {
  return { ord: row.ord, ms: row.timestampsMs && Array.from(row.timestampsMs), columns: row.columns.map((column) => Array.from(column)) };
}

describe('binary COPY decoder for lists of series', () => {
  const bytes = payload(rows);
  const want = [
    { ord: 1, ms: rows[0]!.ms, columns: [[3.5, Number.NaN, -1e300], [30, 20, 10]] },
    { ord: 2, ms: null, columns: [[], []] },
    { ord: 3, ms: rows[2]!.ms, columns: [[1, 2], [Number.MAX_VALUE, -0]] },
    { ord: 4, ms: [], columns: [[], []] },
  ];

  it('decodes every row: the number, timestamps (sub-millisecond and pre-2000 kept), NULL values as NaN, a NULL array as null, an empty array as empty', () => {
    const got = decode([bytes]);
    expect(got.done).toBe(true);
    expect(got.rows.map(plain)).toEqual(want);
  });

  it('gives the same rows however the bytes are split', () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      const got = decode([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(got.done).toBe(true);
      expect(got.rows.map(plain)).toEqual(want);
    }
    const byteByByte = decode(Array.from(bytes, (_, index) => bytes.subarray(index, index + 1)));
    expect(byteByByte.rows.map(plain)).toEqual(want);
  });

  it('counts what waits to be taken (a row without points counts too), and rejects a row shape it was not built for', () => {
    const decoder = new CopyBinarySeriesDecoder(2);
    decoder.push(bytes);
    expect(decoder.completedRows).toBe(4 + 3 + 2);
    decoder.take();
    expect(decoder.completedRows).toBe(3 + 2);
    expect(() => new CopyBinarySeriesDecoder(1).push(bytes)).toThrow('copy: expected 3 fields per series row, got 4');
    const mismatched = payload([{ ord: 1, ms: [START], columns: [[1, 2], [3]] }]);
    expect(() => new CopyBinarySeriesDecoder(2).push(mismatched)).toThrow('copy: value column 1 has 2 elements for 1 timestamps');
    expect(() => new CopyBinarySeriesDecoder(2).push(Uint8Array.from(Buffer.from('PGCOPX\n\xff\r\n\0', 'latin1')))).toThrow('bad signature');
  });
});

describe('a window put oldest first', () => {
  it('keeps an ascending window as it is, reverses a descending one (ties included) in place, sorts any other order stably', () => {
    const ascending = Float64Array.of(1, 2, 2, 3);
    const kept = oldestFirst(ascending, [Float64Array.of(10, 20, 21, 30)]);
    expect(kept.timestampsMs).toBe(ascending);
    const reversed = oldestFirst(Float64Array.of(3, 2, 2, 1), [Float64Array.of(30, 21, 20, 10), Float64Array.of(-3, -2.1, -2, -1)]);
    expect(Array.from(reversed.timestampsMs)).toEqual([1, 2, 2, 3]);
    expect(reversed.columns.map((column) => Array.from(column))).toEqual([[10, 20, 21, 30], [-1, -2, -2.1, -3]]);
    const mixed = oldestFirst(Float64Array.of(2, 1, 3, 1), [Float64Array.of(20, 10, 30, 11)]);
    expect(Array.from(mixed.timestampsMs)).toEqual([1, 1, 2, 3]);
    expect(Array.from(mixed.columns[0]!)).toEqual([10, 11, 20, 30]);
  });
});
