/**
 * Decoders for Postgres's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html,
 * "Binary Format") for the two row shapes the window readers ask for. CopyBinaryDecoder: rows of
 * a timestamp (timestamptz or timestamp, 8 bytes: microseconds since 2000-01-01) followed by
 * float8 columns. Chunks may split a row anywhere (Postgres happens to send one row per message,
 * which is the fast case); decoded rows are written straight into batches of `batchRows`.
 * CopyBinarySeriesDecoder (below): one row of arrays per series of a list.
 */

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];
const HEADER_BYTES = 19;
/** 2000-01-01T00:00:00Z in Unix milliseconds: Postgres's timestamp epoch. */
const POSTGRES_EPOCH_MS = 946_684_800_000;
const TWO_TO_32 = 4_294_967_296;

// Postgres sends one row per message, so a DataView per chunk (about 100 ns to create) cost more
// than decoding the row; big-endian fields are read byte by byte instead.
const scratch = new ArrayBuffer(8);
const scratchBytes = new Uint8Array(scratch);
const scratchFloat = new Float64Array(scratch);
const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function int16(bytes: Uint8Array, at: number): number {
  return (((bytes[at]! << 8) | bytes[at + 1]!) << 16) >> 16;
}

function int32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}

function float64(bytes: Uint8Array, at: number): number {
  if (littleEndianHost) {
    for (let index = 0; index < 8; index++) scratchBytes[index] = bytes[at + 7 - index]!;
  } else {
    for (let index = 0; index < 8; index++) scratchBytes[index] = bytes[at + index]!;
  }
  return scratchFloat[0]!;
}

/** What a COPY reader needs of a decoder: chunks in, decoded batches out (db/read-session.ts). */
export interface CopyDecoder<Batch> {
  push(chunk: Uint8Array): void;
  take(options?: { flush?: boolean }): Batch | null;
  /** How much is decoded and not yet taken (the reader pauses the stream above a high-water mark); > 0 when take() has something. */
  readonly completedRows: number;
  /** True once the trailer has been read. */
  readonly done: boolean;
}

export interface CopyBinaryBatch {
  timestampsMs: Float64Array;
  /** One array per float8 column; NULL is NaN. */
  columns: Float64Array[];
}

/**
 * What both decoders share: the bytes of a row cut by a chunk's end wait for the next chunk, the
 * header is checked and skipped once, and the trailer ends the data. A decoder decodes the rows.
 */
abstract class CopyFrames {
  private pending: Uint8Array = EMPTY;
  private headerRead = false;
  protected finished = false;

  /** True once the trailer (field count -1) has been read. */
  get done(): boolean {
    return this.finished;
  }

  /** Bytes received but not yet decoded (a partial row). */
  get pendingBytes(): number {
    return this.pending.byteLength;
  }

  /** Decodes every complete row in `pending + chunk`; keeps the rest for the next chunk. */
  push(chunk: Uint8Array): void {
    const bytes = this.pending.byteLength === 0 ? chunk : concat(this.pending, chunk);
    let offset = 0;
    if (!this.headerRead) {
      const end = headerEnd(bytes);
      if (end === null) {
        this.pending = bytes.slice();
        return;
      }
      offset = end;
      this.headerRead = true;
    }
    offset = this.decodeRows(bytes, offset);
    this.pending = offset < bytes.byteLength ? bytes.slice(offset) : EMPTY;
  }

  /**
   * Decodes the complete rows of `bytes` from `offset` (setting `finished` at the trailer) and
   * returns where the undecoded rest starts.
   */
  protected abstract decodeRows(bytes: Uint8Array, offset: number): number;
}

export class CopyBinaryDecoder extends CopyFrames implements CopyDecoder<CopyBinaryBatch> {
  private readonly valueColumns: number;
  private readonly batchRows: number;
  // Allocated as rows arrive and grown by doubling up to batchRows: a reader of a 512-point series
  // with 65,536-row batches would otherwise allocate (and zero) megabytes per read.
  private timestamps: Float64Array = EMPTY_FLOATS;
  private values: Float64Array[];
  private capacity = 0;
  private filled = 0;
  private readonly completed: CopyBinaryBatch[] = [];
  private completedRowCount = 0;

  constructor(valueColumns: number, batchRows: number) {
    super();
    this.valueColumns = valueColumns;
    this.batchRows = batchRows;
    this.values = Array.from({ length: valueColumns }, () => EMPTY_FLOATS);
  }

  /** Rows decoded into full batches and not yet taken. */
  get completedRows(): number {
    return this.completedRowCount;
  }

  protected decodeRows(bytes: Uint8Array, start: number): number {
    const length = bytes.byteLength;
    let offset = start;
    const fields = this.valueColumns + 1;
    const valueColumns = this.valueColumns;
    // One pass per row: values are written at row `filled`, which only counts once the row is
    // complete, so a row cut by the chunk's end is simply decoded again with the next chunk.
    rows: while (offset + 2 <= length) {
      const fieldCount = int16(bytes, offset);
      if (fieldCount === -1) {
        this.finished = true;
        offset += 2;
        break;
      }
      if (fieldCount !== fields) throw new Error(`copy: expected ${fields} fields per row, got ${fieldCount}`);
      let position = offset + 2;
      if (position + 12 > length) break;
      const timestampSize = int32(bytes, position);
      if (timestampSize !== 8) throw new Error(`copy: the timestamp field has ${timestampSize} bytes; expected 8 (timestamp or timestamptz)`);
      const row = this.filled;
      if (row === this.capacity) this.grow();
      this.timestamps[row] = timestampMs(int32(bytes, position + 4), int32(bytes, position + 8) >>> 0);
      position += 12;
      for (let column = 0; column < valueColumns; column++) {
        if (position + 4 > length) break rows;
        const size = int32(bytes, position);
        if (size === -1) {
          this.values[column]![row] = Number.NaN;
          position += 4;
        } else if (size === 8) {
          if (position + 12 > length) break rows;
          this.values[column]![row] = float64(bytes, position + 4);
          position += 12;
        } else {
          throw new Error(`copy: value column ${column + 1} has ${size} bytes; expected 8 (float8)`);
        }
      }
      offset = position;
      if (++this.filled === this.batchRows) this.completeBatch();
    }
    return offset;
  }

  /** The oldest full batch; with `flush`, the partial one too once nothing else is left. */
  take({ flush = false }: { flush?: boolean } = {}): CopyBinaryBatch | null {
    if (this.completed.length === 0 && flush && this.filled > 0) this.completeBatch();
    const batch = this.completed.shift() ?? null;
    if (batch) this.completedRowCount -= batch.timestampsMs.length;
    return batch;
  }

  private grow(): void {
    this.capacity = Math.min(this.batchRows, Math.max(INITIAL_ROWS, this.capacity * 2));
    const timestamps = new Float64Array(this.capacity);
    timestamps.set(this.timestamps.subarray(0, this.filled));
    this.timestamps = timestamps;
    this.values = this.values.map((column) => {
      const grown = new Float64Array(this.capacity);
      grown.set(column.subarray(0, this.filled));
      return grown;
    });
  }

  private completeBatch(): void {
    const rows = this.filled;
    this.completed.push({ timestampsMs: this.timestamps.subarray(0, rows), columns: this.values.map((column) => column.subarray(0, rows)) });
    this.completedRowCount += rows;
    this.timestamps = EMPTY_FLOATS;
    this.values = this.values.map(() => EMPTY_FLOATS);
    this.capacity = 0;
    this.filled = 0;
  }
}

/** One row of a list-of-series COPY: the series' number in the list and its arrays. */
export interface CopySeriesRow {
  /** The series' 1-based position in the list it was asked in. */
  ord: number;
  /** The window's timestamps as the statement ordered them; null when the series had no rows (a NULL array). */
  timestampsMs: Float64Array | null;
  /** One array per float8[] column, aligned with timestampsMs; a NULL element is NaN. */
  columns: Float64Array[];
}

/**
 * Decoder for binary COPY rows of (float8 ord, timestamp[] ts, float8[] c0, ...): a list of
 * series, one row (one COPY message) per series, each window as arrays (lib/server/sources/
 * sql-window.ts). Array fields are Postgres's binary array format: ndim, has-null flag, element
 * type, then per dimension its length and lower bound, then each element as a length (-1: NULL)
 * and its bytes. A row is decoded once all of it has arrived.
 */
export class CopyBinarySeriesDecoder extends CopyFrames implements CopyDecoder<CopySeriesRow> {
  private readonly arrayColumns: number;
  private readonly completed: CopySeriesRow[] = [];
  private completedValues = 0;

  /** `valueColumns`: the float8[] columns after ts[]. */
  constructor(valueColumns: number) {
    super();
    this.arrayColumns = valueColumns + 1;
  }

  /** Series rows plus their points decoded and not yet taken (a series without rows still counts). */
  get completedRows(): number {
    return this.completedValues;
  }

  protected decodeRows(bytes: Uint8Array, start: number): number {
    const length = bytes.byteLength;
    let offset = start;
    const fields = this.arrayColumns + 1;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    while (offset + 2 <= length) {
      const fieldCount = view.getInt16(offset);
      if (fieldCount === -1) {
        this.finished = true;
        offset += 2;
        break;
      }
      if (fieldCount !== fields) throw new Error(`copy: expected ${fields} fields per series row, got ${fieldCount}`);
      // The whole row first (every field's length is in its header), then decode it.
      let end = offset + 2;
      const starts: number[] = [];
      for (let field = 0; field < fields; field++) {
        if (end + 4 > length) break;
        starts.push(end);
        const size = view.getInt32(end);
        end += 4 + Math.max(0, size);
      }
      if (starts.length < fields || end > length) break;
      if (view.getInt32(starts[0]!) !== 8) throw new Error('copy: the series number is not a float8');
      const ord = view.getFloat64(starts[0]! + 4);
      const timestampsMs = readArray(view, starts[1]!, 'timestamp');
      const columns: Float64Array[] = [];
      for (let column = 2; column < fields; column++) {
        const values = readArray(view, starts[column]!, 'float8');
        if ((values?.length ?? 0) !== (timestampsMs?.length ?? 0)) throw new Error(`copy: value column ${column - 1} has ${values?.length ?? 0} elements for ${timestampsMs?.length ?? 0} timestamps`);
        columns.push(values ?? EMPTY_FLOATS);
      }
      this.completed.push({ ord, timestampsMs, columns });
      this.completedValues += 1 + (timestampsMs?.length ?? 0);
      offset = end;
    }
    return offset;
  }

  take(): CopySeriesRow | null {
    const row = this.completed.shift() ?? null;
    if (row) this.completedValues -= 1 + (row.timestampsMs?.length ?? 0);
    return row;
  }
}

/** A binary timestamp (microseconds since 2000-01-01, as its signed high and unsigned low 32 bits) in Unix ms. */
function timestampMs(high: number, low: number): number {
  return (high * TWO_TO_32 + low) / 1000 + POSTGRES_EPOCH_MS;
}

/** Where the binary COPY header ends, or null while it has not all arrived. */
function headerEnd(bytes: Uint8Array): number | null {
  for (let index = 0; index < Math.min(bytes.byteLength, SIGNATURE.length); index++) {
    if (bytes[index] !== SIGNATURE[index]) throw new Error('copy: the server did not send binary COPY data (bad signature)');
  }
  if (bytes.byteLength < HEADER_BYTES || bytes.byteLength < HEADER_BYTES + int32(bytes, 15)) return null;
  return HEADER_BYTES + int32(bytes, 15);
}

/**
 * A one-dimensional array field at `at` (its length word): timestamps as Unix ms, or float8
 * values (NULL elements as NaN); null for a NULL field. An empty array (no dimensions) is empty.
 */
function readArray(view: DataView, at: number, kind: 'timestamp' | 'float8'): Float64Array | null {
  const size = view.getInt32(at);
  if (size === -1) return null;
  const dimensions = view.getInt32(at + 4);
  if (dimensions === 0) return new Float64Array(0);
  if (dimensions !== 1) throw new Error(`copy: expected a one-dimensional array, got ${dimensions} dimensions`);
  const count = view.getInt32(at + 16);
  const out = new Float64Array(count);
  let position = at + 24;
  for (let index = 0; index < count; index++) {
    const length = view.getInt32(position);
    if (length === -1) {
      if (kind === 'timestamp') throw new Error('copy: a NULL timestamp in a series array');
      out[index] = Number.NaN;
      position += 4;
      continue;
    }
    if (length !== 8) throw new Error(`copy: a ${kind} array element has ${length} bytes; expected 8`);
    out[index] = kind === 'float8' ? view.getFloat64(position + 4) : timestampMs(view.getInt32(position + 4), view.getUint32(position + 8));
    position += 12;
  }
  return out;
}

const EMPTY = new Uint8Array(0);
const EMPTY_FLOATS = new Float64Array(0);
const INITIAL_ROWS = 1024;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}
