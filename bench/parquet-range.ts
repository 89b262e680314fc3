import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { asyncBufferFromUrl, parquetMetadataAsync, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { readParquetRangeWindow } from '@/lib/client/parquet-range';
import { startBenchServer } from './lib/bench-server';
import { printTable, writeResult } from './lib/report';

/**
 * `npm run bench -- parquet-range`: a 1,000-row window of a 1,000,000-row parquet file (ts, value;
 * 100 row groups of 10,000 rows), read the way the browser worker reads it: hyparquet's
 * asyncBufferFromUrl over HTTP Range requests to the file route (a separate server process).
 * Reports the body bytes transferred against the compressed size of the row groups that hold the
 * window, plus the footer; then the same for the browser worker's own reader (file listing, footer
 * and the row groups lib/data/parquet plans), including the newest rows without start/end. The
 * file is generated once into .data/bench/ (git-ignored).
 */
const ROWS = 1_000_000;
const ROW_GROUP_ROWS = 10_000;
const WINDOW_ROWS = 1_000;
/**
 * The 8-byte tail gives the footer's length, the next read fetches exactly the footer: footer
 * bytes are then the footer itself (hyparquet's default guesses 512 kB, most of it row data here).
 */
const INITIAL_FETCH_BYTES = 8;
const START_MS = Date.UTC(2020, 0, 1);
const MINUTE = 60_000;

const lake = path.resolve('.data/bench/parquet-range');
const fileName = 'bench_1000000.parquet';
const file = path.join(lake, fileName);
if (!existsSync(file)) {
  console.log(`bench parquet-range: writing ${ROWS} rows to ${file}...`);
  mkdirSync(lake, { recursive: true });
  const ts = Array.from({ length: ROWS }, (_, index) => START_MS + index * MINUTE);
  const value = Array.from({ length: ROWS }, (_, index) => Math.sin(index / 100) * 100 + ((index * 7919) % 1000) / 1000);
  writeFileSync(
    file,
    new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'ts', data: ts, type: 'TIMESTAMP', nullable: false },
          { name: 'value', data: value, type: 'DOUBLE', nullable: true },
        ],
        rowGroupSize: ROW_GROUP_ROWS,
      }),
    ),
  );
}
const fileBytes = statSync(file).size;

function groupsHolding(metadata: FileMetaData, fromMs: number, toMs: number) {
  const groups: { index: number; start: number; rows: number; compressedBytes: number }[] = [];
  let start = 0;
  metadata.row_groups.forEach((group, index) => {
    const stats = group.columns.find((chunk) => chunk.meta_data?.path_in_schema[0] === 'ts')?.meta_data?.statistics;
    const min = Number(stats?.min_value);
    const max = Number(stats?.max_value);
    if (max >= fromMs && min <= toMs) {
      const compressedBytes = group.columns.reduce((sum, chunk) => sum + Number(chunk.meta_data?.total_compressed_size ?? 0), 0);
      groups.push({ index, start, rows: Number(group.num_rows), compressedBytes });
    }
    start += Number(group.num_rows);
  });
  return groups;
}

const server = await startBenchServer({ LOOKAHEAD_PARQUET_DIR: lake, LOOKAHEAD_PARQUET_PATTERN: '{*}.parquet', DATABASE_URL: '', LOOKAHEAD_DATA_DIR: '.data/bench/pglite' });
try {
  const url = `${server.url}/api/files/parquet/${fileName}`;
  const windows = [
    { name: 'inside one row group', firstRow: 500_500 },
    { name: 'across a row-group boundary', firstRow: 509_500 },
  ];
  const results = [];
  for (const window of windows) {
    let bodyBytes = 0;
    let requests = 0;
    const counting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      requests++;
      if (init?.method === 'HEAD') return response;
      const bytes = await response.arrayBuffer();
      bodyBytes += bytes.byteLength;
      return new Response(bytes, { status: response.status, headers: response.headers });
    };
    const started = performance.now();
    const remote = await asyncBufferFromUrl({ url, fetch: counting });
    const metadata = await parquetMetadataAsync(remote, { initialFetchSize: INITIAL_FETCH_BYTES, parsers: { timestampFromMilliseconds: (value: bigint) => Number(value) } });
    const footerBytes = bodyBytes;
    const fromMs = START_MS + window.firstRow * MINUTE;
    const toMs = fromMs + (WINDOW_ROWS - 1) * MINUTE;
    // The browser finds the row groups by their time statistics, then reads just those rows.
    const groups = groupsHolding(metadata, fromMs, toMs);
    const rowStart = groups[0]!.start;
    const rowEnd = groups[groups.length - 1]!.start + groups[groups.length - 1]!.rows;
    const rows = await parquetReadObjects({ file: remote, metadata, rowStart, rowEnd, columns: ['ts', 'value'], parsers: { timestampFromMilliseconds: (value: bigint) => Number(value) } });
    const windowRows = rows.filter((row) => row.ts >= fromMs && row.ts <= toMs);
    const elapsedMs = performance.now() - started;
    if (windowRows.length !== WINDOW_ROWS) throw new Error(`bench parquet-range: expected ${WINDOW_ROWS} rows, got ${windowRows.length}`);
    const dataBytes = bodyBytes - footerBytes;
    const containing = groups.reduce((sum, group) => sum + group.compressedBytes, 0);
    results.push({
      window: window.name,
      rowGroups: groups.map((group) => group.index),
      requests,
      footerBytes,
      metadataLength: metadata.metadata_length,
      dataBytes,
      containingRowGroupBytes: containing,
      ratio: dataBytes / containing,
      totalBytes: bodyBytes,
      fileBytes,
      elapsedMs,
    });
  }
  // The worker's own reader (lib/client/parquet-range.ts): file listing, footer, and the row groups
  // lib/data/parquet plans from the statistics, for a start/end window and for the newest rows.
  const footerMetadata = await parquetMetadataAsync(await asyncBufferFromUrl({ url }), { initialFetchSize: INITIAL_FETCH_BYTES, parsers: { timestampFromMilliseconds: (value: bigint) => Number(value) } });
  const footerLength = Number(footerMetadata.metadata_length) + 8;
  const iso = (ms: number) => new Date(ms).toISOString();
  const workerWindows = [
    ...windows.map((window) => {
      const fromMs = START_MS + window.firstRow * MINUTE;
      return { name: window.name, params: { columns: 'value', start: iso(fromMs), end: iso(fromMs + (WINDOW_ROWS - 1) * MINUTE), limit: String(WINDOW_ROWS) }, fromMs, toMs: fromMs + (WINDOW_ROWS - 1) * MINUTE };
    }),
    { name: `newest ${WINDOW_ROWS} rows`, params: { columns: 'value', limit: String(WINDOW_ROWS) }, fromMs: START_MS + (ROWS - WINDOW_ROWS) * MINUTE, toMs: START_MS + (ROWS - 1) * MINUTE },
  ];
  const workerResults = [];
  for (const window of workerWindows) {
    const started = performance.now();
    const read = await readParquetRangeWindow({ origin: server.url, sourceId: 'parquet', params: window.params });
    const elapsedMs = performance.now() - started;
    if (read.window.timestampsMs.length !== WINDOW_ROWS) throw new Error(`bench parquet-range: the worker's reader returned ${read.window.timestampsMs.length} rows, not ${WINDOW_ROWS}`);
    const needed = groupsHolding(footerMetadata, window.fromMs, window.toMs).reduce((sum, group) => sum + group.compressedBytes, 0) + footerLength;
    workerResults.push({ window: window.name, ...read.transfer, neededBytes: needed, ratio: read.transfer.bytesFetched / needed, elapsedMs });
  }

  const kib = (bytes: number) => (bytes / 1024).toFixed(1);
  console.log(`\nparquet-range: ${WINDOW_ROWS}-row windows of a ${ROWS}-row file (${(fileBytes / 2 ** 20).toFixed(1)} MiB, ${ROWS / ROW_GROUP_ROWS} row groups) over HTTP Range\n`);
  printTable({
    columns: ['window', 'row groups', 'requests', 'footer KiB', 'data KiB', 'row groups KiB', 'data / row groups', 'total KiB', '% of file'],
    rows: results.map((result) => [
      result.window,
      result.rowGroups.join(','),
      result.requests,
      kib(result.footerBytes),
      kib(result.dataBytes),
      kib(result.containingRowGroupBytes),
      result.ratio.toFixed(3),
      kib(result.totalBytes),
      ((result.totalBytes / fileBytes) * 100).toFixed(2),
    ]),
  });
  console.log(`\nthe browser worker's reader (lib/client/parquet-range.ts over lib/data/parquet), same file\n`);
  printTable({
    columns: ['window', 'row groups read', 'requests', 'fetched KiB', 'needed KiB (groups + footer)', 'fetched / needed', '% of file'],
    rows: workerResults.map((result) => [
      result.window,
      `${result.rowGroupsRead} of ${result.rowGroupsTotal}`,
      result.requests,
      kib(result.bytesFetched),
      kib(result.neededBytes),
      result.ratio.toFixed(3),
      ((result.bytesFetched / fileBytes) * 100).toFixed(2),
    ]),
  });
  const output = writeResult('parquet-range', {
    description: 'Bytes a browser-style hyparquet reader (asyncBufferFromUrl) transfers over HTTP Range for a 1,000-row window of a 1,000,000-row parquet file served by /api/files',
    rows: ROWS,
    rowGroupRows: ROW_GROUP_ROWS,
    windowRows: WINDOW_ROWS,
    initialFetchBytes: INITIAL_FETCH_BYTES,
    fileBytes,
    results,
    worker: workerResults,
  });
  console.log(`\nwrote ${output}`);
} finally {
  await server.stop();
}
