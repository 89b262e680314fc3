import { describe, expect, it } from 'vitest';
import { IsoTimestamps, PACK_MIN_LENGTH, packPayload, unpackPayload } from '@/db/queries/packed-payload';

/**
 * Job results keep their long arrays as float64 bytes beside a small jsonb shape
 * (db/queries/packed-payload.ts). Whatever is packed must read back exactly as a JSON round trip
 * of the payload would: that is what every reader (page, downloads, share snapshots) saw before.
 */
const HOUR = 3_600_000;
const start = Date.UTC(2021, 0, 31, 22);
const iso = (ms: number) => new Date(ms).toISOString();

function forecastLike() {
  const quantiles = Array.from({ length: 9 }, (_, level) => Array.from({ length: 64 }, (_, step) => Math.fround(Math.sin(step / 7) * 40 + level) * 1.37 + 0.1));
  return {
    model: 'chronos-bolt-tiny',
    levels: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
    quantiles,
    mean: quantiles[4]!.slice(),
    timestamps: Array.from({ length: 64 }, (_, step) => iso(start + (step + 1) * HOUR)),
    frequency: '1h',
    history: {
      timestamps: Array.from({ length: 256 }, (_, step) => iso(start - (255 - step) * HOUR)),
      values: Array.from({ length: 256 }, (_, step) => (step === 17 ? null : step * 0.1 - 3)),
    },
    notes: ['one note'],
  };
}

const jsonRoundTrip = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('packed job result payloads', () => {
  it('reads back a forecast payload exactly as its JSON round trip, with only the shape left in the JSON', () => {
    const payload = forecastLike();
    const packed = packPayload(payload);
    expect(packed.bytes).not.toBeNull();
    // 9 x 64 quantiles + 64 mean + 256 history values, 8 bytes each; hourly timestamps are a first value and a step.
    expect(packed.bytes!.byteLength).toBe((9 * 64 + 64 + 256) * 8);
    expect(packed.json.timestamps).toEqual({ $isoStep: [start + HOUR, HOUR, 64] });
    const shape = JSON.stringify(packed.json);
    expect(shape.length).toBeLessThan(800);
    expect(JSON.stringify(payload).length).toBeGreaterThan(20_000);
    expect(packed.json.levels).toEqual(payload.levels); // short arrays stay in the JSON
    expect(unpackPayload(jsonRoundTrip(packed.json) as Record<string, unknown>, packed.bytes)).toEqual(jsonRoundTrip(payload));
  });

  it('turns NaN and ±Infinity into null and -0 into 0, as JSON does, and keeps every other double bit for bit', () => {
    const values = [1 / 3, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MIN_VALUE, Number.MAX_VALUE, -1e-300, 0.1 + 0.2, null, ...Array.from({ length: 8 }, (_, index) => Math.PI ** index)];
    const payload = { values, typed: Float64Array.from(values, (value) => value ?? Number.NaN), short: Float64Array.from([Number.NaN, -0, 2]) };
    const packed = packPayload(payload);
    const read = unpackPayload(packed.json, packed.bytes);
    const expected = jsonRoundTrip(values);
    expect(read.values).toEqual(expected);
    expect(read.typed).toEqual(expected);
    expect(Object.is((read.values as number[])[1], 0)).toBe(true);
    expect(read.short).toEqual([null, 0, 2]);
  });

  it('packs IsoTimestamps and typed arrays handed in directly, reading them back as ISO strings and number arrays', () => {
    const ms = Float64Array.from({ length: 40 }, (_, step) => start + step * HOUR);
    const payload = { timestamps: new IsoTimestamps(ms), few: new IsoTimestamps(ms.subarray(0, 3)), values: new Float32Array([1.5, 2.25, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]) };
    const packed = packPayload(payload);
    expect(packed.json.timestamps).toEqual({ $isoStep: [start, HOUR, 40] });
    expect(packed.json.few).toEqual(Array.from(ms.subarray(0, 3), iso));
    expect(unpackPayload(packed.json, packed.bytes)).toEqual({ timestamps: Array.from(ms, iso), few: Array.from(ms.subarray(0, 3), iso), values: [1.5, 2.25, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] });
  });

  it('stores timestamps that are not a fixed step apart (months, gaps) as epoch ms', () => {
    const months = Array.from({ length: 30 }, (_, index) => iso(Date.UTC(2020, index, 1)));
    const gap = Array.from({ length: 30 }, (_, index) => iso(start + (index < 20 ? index : index + 5) * HOUR));
    const packed = packPayload({ months, gap, typed: new IsoTimestamps(Float64Array.from(months, Date.parse)) });
    expect(packed.json).toEqual({ months: { $iso: [0, 30] }, gap: { $iso: [30, 30] }, typed: { $iso: [60, 30] } });
    expect(packed.bytes!.byteLength).toBe(90 * 8);
    expect(unpackPayload(packed.json, packed.bytes)).toEqual({ months, gap, typed: months });
  });

  it('leaves in the JSON what it cannot pack exactly: mixed arrays, other strings, impossible and non-UTC dates, arrays of objects', () => {
    const long = (make: (index: number) => unknown) => Array.from({ length: PACK_MIN_LENGTH + 2 }, (_, index) => make(index));
    const payload = {
      mixed: long((index) => (index === 3 ? 'three' : index)),
      labels: long((index) => `series-${index}`),
      impossible: long((index) => (index === 5 ? '2021-02-30T00:00:00.000Z' : iso(start + index * HOUR))),
      offsets: long((index) => iso(start + index * HOUR).replace('Z', '+00:00')),
      seconds: long((index) => iso(start + index * HOUR).replace('.000Z', 'Z')),
      rows: long((index) => ({ step: index, values: long((inner) => inner * index) })),
      nested: [long((index) => index), long((index) => -index)],
      empty: [],
      nothing: null,
      flag: true,
    };
    const packed = packPayload(payload);
    for (const key of ['mixed', 'labels', 'impossible', 'offsets', 'seconds'] as const) expect(packed.json[key]).toEqual(payload[key]);
    expect((packed.json.rows as { values: unknown }[])[1]!.values).toHaveProperty('$f64');
    expect((packed.json.nested as unknown[])[0]).toHaveProperty('$f64');
    expect(unpackPayload(jsonRoundTrip(packed.json) as Record<string, unknown>, packed.bytes)).toEqual(jsonRoundTrip(payload));
  });

  it('answers a payload with nothing to pack with no bytes, and reads rows written before packing unchanged', () => {
    const payload = { count: 3, anomalies: [{ at: iso(start), score: 4.2 }] };
    const packed = packPayload(payload);
    expect(packed.bytes).toBeNull();
    expect(packed.json).toEqual(payload);
    const old = jsonRoundTrip(forecastLike()) as Record<string, unknown>;
    expect(unpackPayload(old, null)).toEqual(old);
  });

  it('decodes bytes that a driver hands back at an unaligned offset', () => {
    const packed = packPayload(forecastLike());
    const holder = new Uint8Array(packed.bytes!.byteLength + 3);
    holder.set(packed.bytes!, 3);
    expect(unpackPayload(packed.json, holder.subarray(3))).toEqual(jsonRoundTrip(forecastLike()));
  });

  it('refuses the reserved keys and references outside the stored numbers', () => {
    expect(() => packPayload({ inner: { $f64: [0, 1] } })).toThrow(/reserved key "\$f64"/);
    expect(() => packPayload({ $isoStep: [0, 1, 2] })).toThrow(/reserved key "\$isoStep"/);
    const packed = packPayload({ values: Array.from({ length: 20 }, (_, index) => index) });
    expect(packed.json).toEqual({ values: { $f64: [0, 20] } });
    expect(() => unpackPayload({ values: { $f64: [5, 20] } }, packed.bytes)).toThrow(/outside its 20 stored numbers/);
    expect(() => unpackPayload(packed.json, packed.bytes!.subarray(0, 13))).toThrow(/not a whole number of float64s/);
  });
});
