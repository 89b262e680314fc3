import { asyncBufferFromUrl } from 'hyparquet';
import { LookaheadError } from '@/lib/core/errors';
import type { WindowBatch } from '@/lib/data/arrow-window';
import { checkFileSeries, openParquetBuffer, planParquetWindow, readParquetWindow, type ParquetFile, type ParquetWindowPlan } from '@/lib/data/parquet';
import { windowRequestFromJson, type WindowRequestJson } from '@/lib/data/window-request';
import { PrefetchBuffer, rowGroupSpan } from './prefetch-buffer';
import { errorFromResponse } from './response-error';

/**
 * A window of a parquet-backed source (the parquet directory, a stored upload) read in the
 * browser straight from its files: GET /api/sources/<id>/tables lists the files the selection
 * needs (and the window as the server validated it), each file is opened over HTTP Range on
 * /api/files/... (footer first), and lib/data/parquet (the server's own window code) reads only
 * the row groups that can hold the window, newest first.
 */

/** One file of GET /api/sources/<id>/tables for a parquet source. */
export interface ParquetFileListing {
  path: string;
  url: string;
  entity: string | null;
  year: number | null;
  month: number | null;
  sizeBytes: number;
}

interface TablesAnswer {
  kind: string;
  files?: ParquetFileListing[];
  seriesFromFileNames?: boolean;
  window?: WindowRequestJson;
}

/** What the read cost on the wire: the footers and row groups it fetched, against the files' size. */
export interface RangeTransfer {
  files: number;
  fileBytes: number;
  requests: number;
  bytesFetched: number;
  rowGroupsRead: number;
  rowGroupsTotal: number;
}

export interface ParquetRangeWindow {
  window: WindowBatch;
  /** Value columns in output order (targets, then covariates). */
  columns: string[];
  /** The bucket when downsampled, else null: the reader infers the rows' frequency. */
  frequencyLabel: string | null;
  transfer: RangeTransfer;
}

export interface ParquetRangeOptions {
  /** Where the app is served from (the worker's own origin). */
  origin: string;
  sourceId: string;
  /** The window's query (lib/config windowParams), as the window route would take it. */
  params: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (message: string, fraction: number) => void;
  /** For tests in Node; the browser's fetch otherwise. */
  fetch?: typeof globalThis.fetch;
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} kB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

async function listFiles({ origin, sourceId, params, signal, fetch }: Required<Pick<ParquetRangeOptions, 'origin' | 'sourceId' | 'params' | 'fetch'>> & { signal?: AbortSignal }) {
  const response = await fetch(new URL(`/api/sources/${encodeURIComponent(sourceId)}/tables?${new URLSearchParams(params)}`, origin), { signal });
  if (!response.ok) throw await errorFromResponse(response, 'sources', `listing the files of source "${sourceId}" failed with HTTP ${response.status}`);
  const answer = (await response.json()) as TablesAnswer;
  if (answer.kind !== 'parquet' || !answer.files || !answer.window) {
    throw new LookaheadError('sources', 'bad_input', `source "${sourceId}" is not made of parquet files (it is ${answer.kind}); read it through its window route`);
  }
  return { files: answer.files, seriesFromFileNames: answer.seriesFromFileNames ?? false, request: windowRequestFromJson(answer.window) };
}

/** Prefetching stops at this many bytes: more is read row group by row group, as it is needed. */
const PREFETCH_MAX_BYTES = 256 * 1024 * 1024;
/** Row groups this close in a file are fetched as one range (the bytes between are other columns'). */
const MERGE_GAP_BYTES = 1024 * 1024;
/** One merged range stays below this, so the first row groups can decode while the rest arrives. */
const MERGE_MAX_BYTES = 32 * 1024 * 1024;

/**
 * Asks for the row groups the window will read, ahead and in few requests: the newest ones until
 * they hold `limit` rows, neighbours in a file merged into one range (each request costs a round
 * trip through the server's file route, ~0.1 s on a loaded machine: ten row groups one by one
 * were most of a million-row read). Filters may drop rows and need older groups too (read when
 * needed); a bucketed window's row count is unknown ahead, so it is not prefetched.
 */
function prefetchRowGroups(plan: ParquetWindowPlan): void {
  if (plan.request.bucket) return;
  const columns = [plan.roles.time.name, ...plan.columns, ...(plan.roles.entity ? [plan.roles.entity.name] : [])];
  const spans = new Map<PrefetchBuffer, { start: number; end: number }[]>();
  let rows = 0;
  let bytes = 0;
  for (const candidate of plan.candidates) {
    if (rows >= plan.request.limit) break;
    const buffer = candidate.file.file;
    const span = rowGroupSpan(candidate.file.metadata.row_groups[candidate.groupIndex]!, columns);
    if (!span || !(buffer instanceof PrefetchBuffer)) break;
    bytes += span.end - span.start;
    if (bytes > PREFETCH_MAX_BYTES) break;
    spans.set(buffer, [...(spans.get(buffer) ?? []), span]);
    rows += candidate.rows;
  }
  for (const [buffer, list] of spans) {
    list.sort((a, b) => a.start - b.start);
    let current = { ...list[0]! };
    for (const span of list.slice(1)) {
      if (span.start - current.end <= MERGE_GAP_BYTES && span.end - current.start <= MERGE_MAX_BYTES) current.end = Math.max(current.end, span.end);
      else {
        buffer.prefetch(current.start, current.end);
        current = { ...span };
      }
    }
    buffer.prefetch(current.start, current.end);
  }
}

export async function readParquetRangeWindow({ origin, sourceId, params, signal, onProgress, fetch = globalThis.fetch.bind(globalThis) }: ParquetRangeOptions): Promise<ParquetRangeWindow> {
  const { files, seriesFromFileNames, request } = await listFiles({ origin, sourceId, params, signal, fetch });
  checkFileSeries({ sourceId, series: request.series, seriesFromFileNames, selectedEntities: files.map((file) => file.entity) });
  const fileBytes = files.reduce((sum, file) => sum + file.sizeBytes, 0);
  const transfer: RangeTransfer = { files: files.length, fileBytes, requests: 0, bytesFetched: 0, rowGroupsRead: 0, rowGroupsTotal: 0 };
  onProgress?.(`opening ${files.length} parquet file(s) of ${formatBytes(fileBytes)}`, 0);

  const opened: ParquetFile[] = await Promise.all(
    files.map((listing) => {
      const url = new URL(listing.url, origin).href;
      /** Counts what comes over the wire, and names the file when the route refuses a range. */
      const counting: typeof globalThis.fetch = async (input, init) => {
        let response: Response;
        try {
          response = await fetch(input, init);
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          throw new LookaheadError('parquet', 'internal', `file "${listing.path}" could not be fetched (${error instanceof Error ? error.message : String(error)})`, { cause: error });
        }
        transfer.requests++;
        if (response.status !== 206 && response.status !== 200) {
          throw await errorFromResponse(response, 'parquet', `file "${listing.path}" could not be read: GET ${listing.url} answered HTTP ${response.status}`);
        }
        const bytes = await response.arrayBuffer();
        transfer.bytesFetched += bytes.byteLength;
        return new Response(bytes, { status: response.status, headers: response.headers });
      };
      // The listing's size saves a HEAD request per file.
      return asyncBufferFromUrl({ url, byteLength: listing.sizeBytes, requestInit: { signal }, fetch: counting }).then((buffer) => openParquetBuffer(new PrefetchBuffer(buffer), listing.path));
    }),
  );
  signal?.throwIfAborted();

  const plan = planParquetWindow(opened, request, { label: `source "${sourceId}"`, seriesFromFileNames });
  transfer.rowGroupsTotal = plan.stats.rowGroupsTotal;
  prefetchRowGroups(plan);
  const window = await readParquetWindow(plan, {
    signal,
    onRowGroup: ({ rowGroupsRead, rowGroupsPlanned, collected, limit }) =>
      onProgress?.(
        `read ${rowGroupsRead} of at most ${rowGroupsPlanned} row group(s), ${collected} of ${limit} rows: ${formatBytes(transfer.bytesFetched)} of ${formatBytes(fileBytes)} fetched`,
        Math.min(1, Math.max(collected / limit, rowGroupsRead / rowGroupsPlanned)),
      ),
  });
  transfer.rowGroupsRead = plan.stats.rowGroupsRead;
  return { window, columns: plan.columns, frequencyLabel: plan.frequencyLabel, transfer };
}
