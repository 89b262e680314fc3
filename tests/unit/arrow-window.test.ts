import { describe, expect, it } from 'vitest';
import { ARROW_STREAM_END, WindowStreamEncoder, decodeWindow, encodeWindow } from '@/lib/data/arrow-window';
import { tableFromIPC } from 'apache-arrow';

async function* chunks(parts: Uint8Array[]) {
  for (const part of parts) yield part;
}

describe('Arrow window codec', () => {
  it('round-trips timestamps (before and after 1970, ms precision) and values with nulls', async () => {
    const timestampsMs = Float64Array.from([-2_208_988_800_000, -1, 0, 1, 1_467_331_200_000, 4_102_444_800_123]);
    const values = Float64Array.from([1.5, Number.NaN, -3, 0, 1e300, 7]);
    const window = await decodeWindow(encodeWindow({ timestampsMs, columns: { OT: values } }));
    expect(Array.from(window.timestampsMs)).toEqual(Array.from(timestampsMs));
    expect(Array.from(window.columns.OT!)).toEqual(Array.from(values));
  });

  it('streams page by page: one schema, many batches, one end marker', async () => {
    const encoder = new WindowStreamEncoder(['a', 'b']);
    const page = (start: number) => ({
      timestampsMs: Float64Array.from([start, start + 1000]),
      columns: { a: Float64Array.from([start, start + 1]), b: Float64Array.from([Number.NaN, 2]) },
    });
    const parts = [encoder.header(), encoder.batch(page(0)), encoder.batch(page(5000)), encoder.end()];
    const batches: number[] = [];
    const window = await decodeWindow(chunks(parts), (rows) => batches.push(rows));
    expect(batches).toEqual([2, 4]);
    expect(Array.from(window.timestampsMs)).toEqual([0, 1000, 5000, 6000]);
    expect(Array.from(window.columns.b!)).toEqual([Number.NaN, 2, Number.NaN, 2]);
    expect(Array.from(parts.at(-1)!)).toEqual(Array.from(ARROW_STREAM_END));
  });

  it('is a standard Arrow IPC stream that apache-arrow reads as a table with a UTC timestamp column', () => {
    const bytes = encodeWindow({ timestampsMs: Float64Array.from([86_400_000]), columns: { v: Float64Array.from([2]) } });
    const table = tableFromIPC(bytes);
    expect(table.schema.fields.map((field) => `${field.name}:${field.type}`)).toEqual(['ts:Timestamp<MILLISECOND, UTC>', 'v:Float64']);
    expect(Number(table.getChild('ts')!.get(0))).toBe(86_400_000);
    expect(table.getChild('v')!.nullCount).toBe(0);
  });
});
