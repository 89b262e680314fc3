import { LookaheadError } from '@/lib/core/errors';

/**
 * A reader for the safetensors format (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, then the data.
 * Tensors are returned as float32 (F32 viewed without a copy when aligned; F16 and BF16 widened).
 */

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';

export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range inside the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
  /** The tensor as float32, checked against `expectedShape` when given. */
  float32(name: string, expectedShape?: readonly number[]): Float32Array;
}

const bytesPerElement: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };

function fail(message: string, cause?: unknown): never {
  throw new LookaheadError('safetensors', 'bad_input', message, cause === undefined ? {} : { cause });
}

/** Parses the header and returns lazy float32 views of the tensors in `bytes`. */
export function parseSafetensors(bytes: Uint8Array | ArrayBuffer): SafetensorsFile {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (data.byteLength < 8) fail(`file is ${data.byteLength} bytes, shorter than the 8-byte header length (truncated file?)`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > data.byteLength - 8) {
    fail(`header length ${headerLength} exceeds the ${data.byteLength - 8} bytes after it (truncated file?)`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(8, 8 + headerLength)));
  } catch (error) {
    fail(`header (${headerLength} bytes) is not valid UTF-8 JSON`, error);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');

  const dataStart = 8 + headerLength;
  const dataLength = data.byteLength - dataStart;
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (entry.dtype !== 'F32' && entry.dtype !== 'F16' && entry.dtype !== 'BF16') {
      fail(`tensor \`${name}\` has dtype ${JSON.stringify(entry.dtype)}; supported: F32, F16, BF16`);
    }
    const shape = entry.shape;
    if (!Array.isArray(shape) || !shape.every((dim) => Number.isInteger(dim) && dim >= 0)) {
      fail(`tensor \`${name}\` has an invalid shape ${JSON.stringify(shape)}`);
    }
    const offsets = entry.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((offset) => Number.isInteger(offset) && offset >= 0)) {
      fail(`tensor \`${name}\` has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const elements = (shape as number[]).reduce((product, dim) => product * dim, 1);
    if (end - begin !== elements * bytesPerElement[entry.dtype]) {
      fail(`tensor \`${name}\` data_offsets [${begin}, ${end}) hold ${end - begin} bytes, but ${entry.dtype}${JSON.stringify(shape)} needs ${elements * bytesPerElement[entry.dtype]}`);
    }
    if (end > dataLength) {
      fail(`tensor \`${name}\` ends at byte ${end} of the data section, but the file has only ${dataLength} data bytes (truncated file?)`);
    }
    entries.set(name, { name, dtype: entry.dtype, shape: shape as number[], begin, end });
  }

  function float32(name: string, expectedShape?: readonly number[]): Float32Array {
    const entry = entries.get(name);
    if (entry === undefined) fail(`tensor \`${name}\` is missing (the file has ${entries.size} tensors)`);
    if (expectedShape !== undefined && (entry.shape.length !== expectedShape.length || entry.shape.some((dim, i) => dim !== expectedShape[i]))) {
      fail(`tensor \`${name}\` has shape [${entry.shape.join(', ')}], expected [${expectedShape.join(', ')}] from config.json`);
    }
    const start = data.byteOffset + dataStart + entry.begin;
    const count = (entry.end - entry.begin) / bytesPerElement[entry.dtype];
    if (entry.dtype === 'F32') {
      // Safetensors does not promise 4-byte alignment of the data section; copy when it is off.
      if (start % 4 === 0) return new Float32Array(data.buffer, start, count);
      return new Float32Array(data.slice(dataStart + entry.begin, dataStart + entry.end).buffer);
    }
    const halves = new DataView(data.buffer, start, entry.end - entry.begin);
    const out = new Float32Array(count);
    if (entry.dtype === 'BF16') {
      const word = new Uint32Array(1);
      const asFloat = new Float32Array(word.buffer);
      for (let i = 0; i < count; i++) {
        word[0] = halves.getUint16(i * 2, true) << 16;
        out[i] = asFloat[0]!;
      }
    } else {
      for (let i = 0; i < count; i++) out[i] = float16BitsToNumber(halves.getUint16(i * 2, true));
    }
    return out;
  }

  return { entries, metadata, float32 };
}

/** IEEE 754 binary16 bits to a number (exact). */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
