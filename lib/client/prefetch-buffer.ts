import type { AsyncBuffer, RowGroup } from 'hyparquet';

/**
 * An AsyncBuffer over HTTP Range that can be told ahead which byte ranges a read will need: it
 * requests them all at once (the browser keeps several in flight), then serves hyparquet's slices
 * from them. Reading row groups one after another paid one round trip each (a million-row window
 * is ten of them); ahead, the wire and the decoding overlap. A slice no prefetched range holds is
 * fetched as before.
 */
export class PrefetchBuffer implements AsyncBuffer {
  readonly byteLength: number;
  private readonly ranges: { start: number; end: number; bytes: Promise<ArrayBuffer> }[] = [];

  constructor(private readonly inner: AsyncBuffer) {
    this.byteLength = inner.byteLength;
  }

  prefetch(start: number, end: number): void {
    if (!(start >= 0 && end <= this.byteLength && start < end)) return;
    if (this.ranges.some((range) => range.start <= start && end <= range.end)) return;
    const bytes = Promise.resolve(this.inner.slice(start, end));
    // A failed prefetch surfaces when its slice is read; until then it must not be an unhandled rejection.
    bytes.catch(() => {});
    this.ranges.push({ start, end, bytes });
  }

  slice(start: number, end = this.byteLength): Promise<ArrayBuffer> | ArrayBuffer {
    const range = this.ranges.find((candidate) => candidate.start <= start && end <= candidate.end);
    if (!range) return this.inner.slice(start, end);
    return range.bytes.then((bytes) => bytes.slice(start - range.start, end - range.start));
  }
}

/** The bytes of `columns` in one row group: from the first chunk's first page to the last chunk's end. */
export function rowGroupSpan(group: RowGroup, columns: readonly string[]): { start: number; end: number } | null {
  let start = Infinity;
  let end = -Infinity;
  for (const chunk of group.columns) {
    const meta = chunk.meta_data;
    if (!meta || !columns.includes(meta.path_in_schema[0]!)) continue;
    const first = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
    const dataStart = Number(meta.data_page_offset);
    const chunkStart = first > 0 && first < dataStart ? first : dataStart;
    start = Math.min(start, chunkStart);
    end = Math.max(end, chunkStart + Number(meta.total_compressed_size));
  }
  return Number.isFinite(start) && Number.isFinite(end) ? { start, end } : null;
}
