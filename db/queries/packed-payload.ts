/**
 * Job result payloads stored compactly: the JSON keeps its shape and its scalars (so SQL such as
 * `payload->>'count'` still works), while every long array of numbers moves into one binary
 * column (`job_results.payload_bin`, float64 little-endian, exact) and leaves a marker in its
 * place. A forecast of horizon 64 with 9 levels and a 256-point history tail was ~25 KB of JSON
 * whose number printing, ISO timestamps and jsonb parsing cost as much as a tiny model; packed it
 * is ~10 KB of bytes that are copied, not formatted. Reading unpacks to exactly what the JSON
 * round trip gave before (non-finite numbers read back as null, -0 as 0), so the API, the page, downloads
 * and shares see the same payloads; rows written before the binary column existed have none and
 * read back as they were stored.
 */

/** Arrays shorter than this stay in the JSON (a marker would not be smaller). */
const MIN_PACKED = 8;
const F64 = '$lookahead_f64';
const ISO = '$lookahead_iso';

/**
 * Timestamps (epoch ms) that read back as ISO-8601 strings: packed as numbers (no per-value
 * toISOString when writing), and JSON.stringify of an unpacked payload still gives the strings.
 */
export class IsoTimestamps {
  constructor(readonly ms: Float64Array) {}
  toJSON(): string[] {
    return Array.from(this.ms, (value) => new Date(value).toISOString());
  }
}

function numericArray(value: unknown): value is readonly (number | null)[] {
  if (!Array.isArray(value) || value.length < MIN_PACKED) return false;
  for (const item of value) if (typeof item !== 'number' && item !== null) return false;
  return true;
}

/** The payload's JSON with markers, and the bytes the markers point into (null when nothing was packed). */
export function packPayload(payload: Record<string, unknown>): { json: Record<string, unknown>; bin: Buffer | null } {
  const parts: Float64Array[] = [];
  let length = 0;
  const take = (values: Float64Array | readonly (number | null)[]): [number, number] => {
    const part = values instanceof Float64Array ? values : Float64Array.from(values, (value) => (value === null ? Number.NaN : value));
    parts.push(part);
    length += part.length;
    return [length - part.length, part.length];
  };
  const walk = (value: unknown): unknown => {
    if (value instanceof IsoTimestamps) return { [ISO]: take(value.ms) };
    if (value instanceof Float64Array) return { [F64]: take(value) };
    if (numericArray(value)) return { [F64]: take(value) };
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object' && (value as object).constructor === Object) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = walk(item);
      return out;
    }
    return value;
  };
  const json = walk(payload) as Record<string, unknown>;
  if (parts.length === 0) return { json, bin: null };
  const all = new Float64Array(length);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return { json, bin: Buffer.from(all.buffer, all.byteOffset, all.byteLength) };
}

/** The payload as written: markers replaced by their numbers (non-finite as null) or ISO strings. */
export function unpackPayload(json: Record<string, unknown>, bin: Uint8Array | null): Record<string, unknown> {
  if (!bin || bin.byteLength === 0) return json;
  // Copied into an aligned buffer (a driver's Buffer may start at any byte offset).
  const numbers = new Float64Array(bin.byteLength / 8);
  new Uint8Array(numbers.buffer).set(bin);
  const slice = ([offset, length]: [number, number]) => numbers.subarray(offset, offset + length);
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length === 1 && keys[0] === F64) return Array.from(slice(record[F64] as [number, number]), (item) => (Number.isFinite(item) ? item + 0 : null));
      if (keys.length === 1 && keys[0] === ISO) return Array.from(slice(record[ISO] as [number, number]), (item) => new Date(item).toISOString());
      const out: Record<string, unknown> = {};
      for (const key of keys) out[key] = walk(record[key]);
      return out;
    }
    return value;
  };
  return walk(json) as Record<string, unknown>;
}
