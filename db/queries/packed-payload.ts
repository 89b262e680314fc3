/**
 * Job result payloads are small JSON objects whose bulk is long arrays: quantiles, a history tail,
 * and the ISO timestamps of both. Stored whole as jsonb, a 64-step, 9-level Chronos forecast is
 * ~25 KB of text that the worker prints (17 digits a float) and Postgres parses number by number
 * into jsonb numerics: together more CPU than a tiny model's forecast of the series (bench jobs).
 *
 * So a result row keeps its payload's shape in `payload` (jsonb) and the long arrays as float64 in
 * `arrays` (bytea, little-endian): each packed array is replaced in the JSON by a reference
 *   {"$f64": [offset, length]}   numbers; null (what JSON makes of NaN and ±Infinity) is stored as NaN
 *   {"$iso": [offset, length]}   ISO-8601 UTC timestamps (`toISOString()` form), stored as epoch ms
 *   {"$isoStep": [firstMs, stepMs, length]}   timestamps a fixed step apart (hourly, daily...): no bytes at all
 * with offset and length counted in float64 elements. `unpackPayload` puts them back, so every
 * reader sees exactly what a JSON round trip of the payload would have given: null for NaN and
 * ±Infinity, 0 for -0, the same timestamp strings. Short arrays, arrays that mix types and strings
 * that are not in that one ISO form stay in the JSON. Producers may hand `Float64Array`s and
 * `IsoTimestamps` (epoch ms) directly to skip building numbers and strings only to pack them.
 * Keys starting with "$f64"/"$iso" are reserved: a payload that uses them is refused.
 */

/** Arrays shorter than this stay in the JSON (a reference costs ~20 bytes of it). */
export const PACK_MIN_LENGTH = 16;

const RESERVED = new Set(['$f64', '$iso', '$isoStep']);
const ISO_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

if (new Uint8Array(new Float64Array([1]).buffer)[7] !== 0x3f) {
  throw new Error('packed job results assume a little-endian platform; this one is big-endian');
}

/** Timestamps held as epoch milliseconds; JSON.stringify gives their ISO strings, packing stores the numbers. */
export class IsoTimestamps {
  constructor(readonly ms: Float64Array) {}
  toJSON(): string[] {
    return Array.from(this.ms, (ms) => new Date(ms).toISOString());
  }
}

export interface PackedPayload {
  json: Record<string, unknown>;
  /** float64 little-endian; null when nothing was packed. */
  bytes: Uint8Array | null;
}

type Segment = { offset: number; values: ArrayLike<number>; kind: 'f64' | 'iso' | 'numbers' };

/** Splits a payload into its JSON shape and its packed arrays (see the module comment). */
export function packPayload(payload: Record<string, unknown>): PackedPayload {
  const segments: Segment[] = [];
  let length = 0;
  const take = (values: ArrayLike<number>, kind: Segment['kind']) => {
    const offset = length;
    segments.push({ offset, values, kind });
    length += values.length;
    return [offset, values.length];
  };
  const packTimes = (ms: Float64Array) => {
    const step = ms[1]! - ms[0]!;
    let even = Number.isSafeInteger(ms[0]) && Number.isSafeInteger(step);
    for (let i = 2; even && i < ms.length; i++) even = ms[i]! - ms[i - 1]! === step;
    return even ? { $isoStep: [ms[0], step, ms.length] } : { $iso: take(ms, 'iso') };
  };
  const walk = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (value instanceof Float64Array || value instanceof Float32Array) {
      return value.length >= PACK_MIN_LENGTH ? { $f64: take(value, 'f64') } : Array.from(value, jsonNumber);
    }
    if (value instanceof IsoTimestamps) return value.ms.length >= PACK_MIN_LENGTH ? packTimes(value.ms) : value.toJSON();
    if (Array.isArray(value)) {
      if (value.length >= PACK_MIN_LENGTH) {
        if (value.every((item) => item === null || typeof item === 'number')) return { $f64: take(value as number[], 'numbers') };
        const ms = isoMilliseconds(value);
        if (ms) return packTimes(ms);
      }
      return value.map(walk);
    }
    if ('toJSON' in value && typeof value.toJSON === 'function') return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (RESERVED.has(key)) throw new Error(`a job result payload may not use the reserved key "${key}"`);
      if (item !== undefined) out[key] = walk(item);
    }
    return out;
  };
  const json = walk(payload) as Record<string, unknown>;
  if (!segments.length) return { json, bytes: null };
  const packed = new Float64Array(length);
  for (const { offset, values, kind } of segments) {
    if (kind === 'iso') packed.set(values, offset);
    else for (let i = 0; i < values.length; i++) packed[offset + i] = storedNumber(values[i] as number | null);
  }
  return { json, bytes: new Uint8Array(packed.buffer) };
}

/** The payload `packPayload` split: references replaced by their arrays. */
export function unpackPayload(json: Record<string, unknown>, bytes: Uint8Array | null): Record<string, unknown> {
  if (!bytes) bytes = new Uint8Array(0);
  if (bytes.byteLength % 8 !== 0) throw new Error(`packed job result arrays are ${bytes.byteLength} bytes, not a whole number of float64s`);
  // A copy: the driver's buffer need not be 8-byte aligned.
  const packed = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(packed.buffer).set(bytes);
  const slice = (reference: unknown): Float64Array => {
    const [offset, length] = reference as [number, number];
    if (!(Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && length >= 0 && offset + length <= packed.length)) {
      throw new Error(`a packed job result reference [${String(reference)}] lies outside its ${packed.length} stored numbers`);
    }
    return packed.subarray(offset, offset + length);
  };
  const walk = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(walk);
    const record = value as Record<string, unknown>;
    if ('$f64' in record) return Array.from(slice(record.$f64), (number) => (Number.isNaN(number) ? null : number));
    if ('$iso' in record) return Array.from(slice(record.$iso), (ms) => new Date(ms).toISOString());
    if ('$isoStep' in record) {
      const [first, step, length] = record.$isoStep as [number, number, number];
      return Array.from({ length }, (_, index) => new Date(first + index * step).toISOString());
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) out[key] = walk(item);
    return out;
  };
  return walk(json) as Record<string, unknown>;
}

/** NaN and ±Infinity become NaN (read back as null, as JSON would make them); -0 becomes 0. */
function storedNumber(value: number | null): number {
  if (value === null || !Number.isFinite(value)) return Number.NaN;
  return value === 0 ? 0 : value;
}

function jsonNumber(value: number): number | null {
  return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
}

/** Epoch ms of an array of `toISOString()` strings, or null when any item is something else. */
function isoMilliseconds(values: readonly unknown[]): Float64Array | null {
  const ms = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const item = values[i];
    if (typeof item !== 'string' || !ISO_FORM.test(item)) return null;
    const parsed = Date.parse(item);
    // Date.parse accepts some impossible dates (day 31 of a 30-day month rolls over); keep only exact round trips.
    if (!Number.isFinite(parsed) || new Date(parsed).toISOString() !== item) return null;
    ms[i] = parsed;
  }
  return ms;
}
