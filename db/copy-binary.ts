/**
 * Decoder for Postgres's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html,
 * "Binary Format") for the one row shape the window reader asks for: a timestamp (timestamptz or
 * timestamp, 8 bytes: microseconds since 2000-01-01) followed by float8 columns. Chunks may split
 * a row anywhere; the decoder keeps the remainder for the next chunk.
 */

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];
/** 2000-01-01T00:00:00Z in Unix milliseconds: Postgres's timestamp epoch. */
const POSTGRES_EPOCH_MS = 946_684_800_000;
const TWO_TO_32 = 4_294_967_296;

export interface CopyBinaryBatch {
  timestampsMs: Float64Array;
  /** One array per float8 column; NULL is NaN. */
  columns: Float64Array[];
}

export class CopyBinaryDecoder {
  private pending: Uint8Array = new Uint8Array(0);
  private headerRead = false;
  private finished = false;
  private readonly valueColumns: number;

  constructor(valueColumns: number) {
    this.valueColumns = valueColumns;
  }

  /** True once the trailer (field count -1) has been read. */
  get done(): boolean {
    return this.finished;
  }

  /**
   * Decodes every complete row of `pending + chunk`, at most `maxRows` of them; call again with
   * an empty chunk to take the rest.
   */
  decode(chunk: Uint8Array, maxRows: number): CopyBinaryBatch {
    const bytes = this.pending.byteLength === 0 ? chunk : concat(this.pending, chunk);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 0;
    if (!this.headerRead) {
      if (bytes.byteLength < 19) {
        this.pending = bytes.slice();
        return emptyBatch(this.valueColumns);
      }
      for (let index = 0; index < SIGNATURE.length; index++) {
        if (bytes[index] !== SIGNATURE[index]) throw new Error('copy: the server did not send binary COPY data (bad signature)');
      }
      const extensionLength = view.getInt32(15);
      if (bytes.byteLength < 19 + extensionLength) {
        this.pending = bytes.slice();
        return emptyBatch(this.valueColumns);
      }
      offset = 19 + extensionLength;
      this.headerRead = true;
    }
    const rowBytes = 2 + 12 + this.valueColumns * 4;
    const capacity = Math.max(0, Math.min(maxRows, Math.floor((bytes.byteLength - offset) / rowBytes) + 1));
    const timestampsMs = new Float64Array(capacity);
    const columns = Array.from({ length: this.valueColumns }, () => new Float64Array(capacity));
    let rows = 0;
    const length = bytes.byteLength;
    while (rows < maxRows && offset + 2 <= length) {
      const fieldCount = view.getInt16(offset);
      if (fieldCount === -1) {
        this.finished = true;
        offset += 2;
        break;
      }
      if (fieldCount !== this.valueColumns + 1) {
        throw new Error(`copy: expected ${this.valueColumns + 1} fields per row, got ${fieldCount}`);
      }
      // Walk the row first: only a complete row is decoded.
      let cursor = offset + 2;
      let complete = true;
      for (let field = 0; field < fieldCount; field++) {
        if (cursor + 4 > length) {
          complete = false;
          break;
        }
        const size = view.getInt32(cursor);
        cursor += 4 + (size > 0 ? size : 0);
        if (cursor > length) {
          complete = false;
          break;
        }
      }
      if (!complete) break;
      let position = offset + 2;
      const timestampSize = view.getInt32(position);
      if (timestampSize !== 8) throw new Error(`copy: the timestamp field has ${timestampSize} bytes; expected 8 (timestamp or timestamptz)`);
      const high = view.getInt32(position + 4);
      const low = view.getUint32(position + 8);
      timestampsMs[rows] = (high * TWO_TO_32 + low) / 1000 + POSTGRES_EPOCH_MS;
      position += 12;
      for (let column = 0; column < this.valueColumns; column++) {
        const size = view.getInt32(position);
        if (size === -1) {
          columns[column]![rows] = Number.NaN;
          position += 4;
        } else if (size === 8) {
          columns[column]![rows] = view.getFloat64(position + 4);
          position += 12;
        } else {
          throw new Error(`copy: value column ${column + 1} has ${size} bytes; expected 8 (float8)`);
        }
      }
      offset = position;
      rows++;
    }
    this.pending = offset < length ? bytes.slice(offset) : new Uint8Array(0);
    return { timestampsMs: timestampsMs.subarray(0, rows), columns: columns.map((values) => values.subarray(0, rows)) };
  }

  /** Bytes received but not yet decoded. */
  get pendingBytes(): number {
    return this.pending.byteLength;
  }
}

function emptyBatch(valueColumns: number): CopyBinaryBatch {
  return { timestampsMs: new Float64Array(0), columns: Array.from({ length: valueColumns }, () => new Float64Array(0)) };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}
