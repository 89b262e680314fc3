import {
  Field,
  Float64,
  RecordBatch,
  RecordBatchReader,
  Schema,
  Table,
  TimestampMillisecond,
  makeData,
  tableToIPC,
  Struct,
} from 'apache-arrow';

/**
 * The wire format of a series window: an Apache Arrow IPC stream whose schema is
 * `ts: Timestamp(ms, UTC)` followed by one Float64 column per requested value column (null =
 * missing). The server encodes one record batch per page it reads, so the browser can decode and
 * show progress while the rest is still arriving.
 */
export interface WindowBatch {
  timestampsMs: Float64Array;
  columns: Record<string, Float64Array>;
}

export function windowSchema(columns: readonly string[]): Schema {
  return new Schema([
    new Field('ts', new TimestampMillisecond('UTC'), false),
    ...columns.map((name) => new Field(name, new Float64(), true)),
  ]);
}

function float64Data(values: Float64Array) {
  let nullCount = 0;
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]!)) nullCount++;
    else validity[i >> 3]! |= 1 << (i & 7);
  }
  return makeData({ type: new Float64(), length: values.length, nullCount, data: values, nullBitmap: nullCount ? validity : undefined });
}

const TWO_32 = 2 ** 32;

function timestampData(timestampsMs: Float64Array) {
  // int64 little-endian as two 32-bit words: exact for |ms| < 2^53 (every real date), and without
  // a BigInt per row, which showed up on the server's hot path.
  const words = new Int32Array(timestampsMs.length * 2);
  for (let i = 0; i < timestampsMs.length; i++) {
    const ms = Math.round(timestampsMs[i]!);
    const high = Math.floor(ms / TWO_32);
    words[2 * i] = ms - high * TWO_32; // low word, two's complement via Int32Array wrap-around
    words[2 * i + 1] = high;
  }
  return makeData({ type: new TimestampMillisecond('UTC'), length: timestampsMs.length, nullCount: 0, data: words });
}

export function windowRecordBatch(schema: Schema, batch: WindowBatch): RecordBatch {
  const length = batch.timestampsMs.length;
  const children = [timestampData(batch.timestampsMs), ...schema.fields.slice(1).map((field) => float64Data(batch.columns[field.name]!))];
  const struct = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return new RecordBatch(schema, struct);
}

/** Bytes that end an IPC stream (continuation marker + zero length). */
export const ARROW_STREAM_END = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/**
 * Incremental IPC stream encoder: `header()` once, `batch()` per page, `end()` once.
 * tableToIPC writes schema + batch + end-of-stream; the schema prefix is the same for every page,
 * so each page's bytes are the full encoding minus that prefix and minus the end marker.
 */
export class WindowStreamEncoder {
  readonly schema: Schema;
  private readonly schemaBytes: number;

  constructor(columns: readonly string[]) {
    this.schema = windowSchema(columns);
    const empty = tableToIPC(new Table(this.schema), 'stream');
    this.schemaBytes = empty.byteLength - ARROW_STREAM_END.byteLength;
    this.headerBytes = empty.subarray(0, this.schemaBytes);
  }

  private readonly headerBytes: Uint8Array;

  header(): Uint8Array {
    return this.headerBytes;
  }

  batch(batch: WindowBatch): Uint8Array {
    const bytes = tableToIPC(new Table([windowRecordBatch(this.schema, batch)]), 'stream');
    return bytes.subarray(this.schemaBytes, bytes.byteLength - ARROW_STREAM_END.byteLength);
  }

  end(): Uint8Array {
    return ARROW_STREAM_END;
  }
}

/** Encodes a whole window at once (tests, small windows). */
export function encodeWindow(batch: WindowBatch, columns: readonly string[] = Object.keys(batch.columns)): Uint8Array {
  const encoder = new WindowStreamEncoder(columns);
  const parts = [encoder.header(), encoder.batch(batch), encoder.end()];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** Decodes an IPC stream batch by batch (null -> NaN). */
export async function* decodeWindowStream(
  source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Uint8Array,
): AsyncGenerator<WindowBatch> {
  const reader = await RecordBatchReader.from(source as AsyncIterable<Uint8Array>);
  for await (const batch of reader) {
    const length = batch.numRows;
    const ts = batch.getChildAt(0)!;
    const timestampsMs = new Float64Array(length);
    for (let i = 0; i < length; i++) timestampsMs[i] = Number(ts.get(i));
    const columns: Record<string, Float64Array> = {};
    batch.schema.fields.slice(1).forEach((field, index) => {
      const vector = batch.getChildAt(index + 1)!;
      const values = new Float64Array(length);
      for (let i = 0; i < length; i++) {
        const value = vector.get(i) as number | null;
        values[i] = value === null ? Number.NaN : value;
      }
      columns[field.name] = values;
    });
    yield { timestampsMs, columns };
  }
}

/** Decodes a whole stream into one window. */
export async function decodeWindow(source: Parameters<typeof decodeWindowStream>[0], onBatch?: (rows: number) => void): Promise<WindowBatch> {
  const parts: WindowBatch[] = [];
  let rows = 0;
  for await (const part of decodeWindowStream(source)) {
    parts.push(part);
    rows += part.timestampsMs.length;
    onBatch?.(rows);
  }
  const timestampsMs = new Float64Array(rows);
  const names = parts[0] ? Object.keys(parts[0].columns) : [];
  const columns = Object.fromEntries(names.map((name) => [name, new Float64Array(rows)]));
  let offset = 0;
  for (const part of parts) {
    timestampsMs.set(part.timestampsMs, offset);
    for (const name of names) columns[name]!.set(part.columns[name]!, offset);
    offset += part.timestampsMs.length;
  }
  return { timestampsMs, columns };
}
