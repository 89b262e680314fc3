import { describe, expect, it } from 'vitest';
import { IsoTimestamps, packPayload, unpackPayload } from '@/db/queries/packed-payload';

/** What storing a payload as plain jsonb gave back: the JSON round trip. */
const viaJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('packed job result payloads', () => {
  const start = Date.UTC(2024, 0, 1);
  const payload = {
    model: 'seasonal-naive',
    levels: [0.1, 0.5, 0.9],
    quantiles: [0, 1, 2].map((level) => Array.from({ length: 12 }, (_, step) => level * 1000 + step / 3 + 1e-13)),
    mean: Array.from({ length: 12 }, (_, step) => (step === 4 ? Number.NaN : step === 5 ? Number.POSITIVE_INFINITY : -step * 1.1)),
    timestamps: new IsoTimestamps(Float64Array.from({ length: 12 }, (_, step) => start + step * 3_600_000)),
    frequency: '1h',
    history: { timestamps: new IsoTimestamps(Float64Array.from({ length: 30 }, (_, step) => start - (30 - step) * 3_600_000)), values: Array.from({ length: 30 }, (_, step) => (step % 7 === 0 ? null : step + 0.1)) },
    count: 3,
    short: [1, 2, 3],
    mixed: [1, 'a', 2, 3, 4, 5, 6, 7, 8],
    notes: ['one note'],
    absent: undefined,
  };

  it('moves long number arrays out of the JSON and reads back exactly what the JSON round trip gave', () => {
    const { json, bin } = packPayload(payload);
    expect(bin).not.toBeNull();
    // Scalars, short arrays and non-numeric arrays stay in the JSON (SQL like payload->>'count' still works).
    expect(json).toMatchObject({ model: 'seasonal-naive', count: 3, short: [1, 2, 3], mixed: payload.mixed, notes: ['one note'], frequency: '1h' });
    const stored = JSON.stringify(json);
    expect(stored.length).toBeLessThan(JSON.stringify(payload).length / 3);
    expect(bin!.byteLength).toBe((3 * 12 + 12 + 12 + 30 + 30) * 8);
    const read = unpackPayload(JSON.parse(stored) as Record<string, unknown>, new Uint8Array(bin!));
    expect(read).toEqual(viaJson(payload));
    // Exact doubles; non-finite numbers read as null, as JSON stored them; timestamps as ISO strings.
    expect((read.quantiles as number[][])[2]![1]).toBe(2000 + 1 / 3 + 1e-13);
    expect((read.mean as (number | null)[]).slice(3, 7)).toEqual([-3.3000000000000003, null, null, -6.6000000000000005]);
    expect((read.timestamps as string[])[1]).toBe('2024-01-01T01:00:00.000Z');
  });

  it('an unaligned driver buffer reads the same; rows without packed bytes read as stored', () => {
    const { json, bin } = packPayload(payload);
    const shifted = Buffer.alloc(bin!.byteLength + 3);
    bin!.copy(shifted, 3);
    expect(unpackPayload(viaJson(json) as Record<string, unknown>, shifted.subarray(3))).toEqual(viaJson(payload));
    const old = viaJson({ ...payload, timestamps: payload.timestamps.toJSON() }) as Record<string, unknown>;
    expect(unpackPayload(old, null)).toBe(old);
    expect(packPayload({ count: 2, series: ['a'] })).toEqual({ json: { count: 2, series: ['a'] }, bin: null });
  });
});
