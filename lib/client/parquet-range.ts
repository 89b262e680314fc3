import { asyncBufferFromUrl } from 'hyparquet';
import { LookaheadError } from '@/lib/core/errors';
import type { WindowBatch } from '@/lib/data/arrow-window';
import { checkFileSeries, openParquetBuffer, planParquetWindow, readParquetWindow, type ParquetFile } from '@/lib/data/parquet';
import { windowRequestFromJson, type WindowRequestJson } from '@/lib/data/window-request';
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
      return asyncBufferFromUrl({ url, byteLength: listing.sizeBytes, requestInit: { signal }, fetch: counting }).then((buffer) => openParquetBuffer(buffer, listing.path));
    }),
  );
  signal?.throwIfAborted();

  const plan = planParquetWindow(opened, request, { label: `source "${sourceId}"`, seriesFromFileNames });
  transfer.rowGroupsTotal = plan.stats.rowGroupsTotal;
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
