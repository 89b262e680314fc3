import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { readParquetRangeWindow } from '@/lib/client/parquet-range';
import { startBenchServer } from './lib/bench-server';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { printTable, writeResult } from './lib/report';

/**
 * `npm run bench -- upload-long`: a long CSV of 1,000 series x 1,000 hourly rows (unique_id, ds, y;
 * 1,000,000 rows) posted to POST /api/uploads of a separate server process (the route handlers
 * around PGlite), timed, with the server's peak RSS sampled from /proc; then one series' newest
 * 500 rows read the way the browser worker reads them (file listing, footer, the row groups the
 * id and time statistics allow) by HTTP Range, against the stored file's size. The CSV is generated
 * once into .data/bench/ (git-ignored). The same rows are then uploaded as a parquet file (series in a
 * scattered order), timed the same way.
 */
const SERIES = 1_000;
const POINTS = 1_000;
const WINDOW_ROWS = 500;
const START_MS = Date.UTC(2023, 0, 1);
const HOUR = 3_600_000;

const folder = path.resolve('.data/bench/upload-long');
const csvFile = path.join(folder, `long_${SERIES}x${POINTS}.csv`);
if (!existsSync(csvFile)) {
  console.log(`bench upload-long: writing ${SERIES * POINTS} rows to ${csvFile}...`);
  mkdirSync(folder, { recursive: true });
  const lines = ['unique_id,ds,y'];
  const stamps = Array.from({ length: POINTS }, (_, step) => new Date(START_MS + step * HOUR).toISOString().replace('.000Z', 'Z'));
  for (let series = 0; series < SERIES; series++) {
    const id = `item_${String(series).padStart(4, '0')}`;
    for (let step = 0; step < POINTS; step++) lines.push(`${id},${stamps[step]},${(100 + series + 10 * Math.sin(step / 24 * 2 * Math.PI)).toFixed(3)}`);
  }
  writeFileSync(csvFile, `${lines.join('\n')}\n`);
}
const csvBytes = statSync(csvFile).size;
// The same rows as a parquet file, as pyarrow or polars would write them (STRING id, TIMESTAMP, DOUBLE), shuffled by series.
const parquetFile = path.join(folder, `long_${SERIES}x${POINTS}.parquet`);
if (!existsSync(parquetFile)) {
  console.log(`bench upload-long: writing ${SERIES * POINTS} rows to ${parquetFile}...`);
  const rows = SERIES * POINTS;
  const ids = new Array<string>(rows);
  const ds = new Array<number>(rows);
  const y = new Float64Array(rows);
  // Series in a scattered order (617 is coprime to 1,000, so every series comes once).
  for (let block = 0; block < SERIES; block++) {
    const series = (block * 617) % SERIES;
    const id = `item_${String(series).padStart(4, '0')}`;
    for (let step = 0; step < POINTS; step++) {
      const row = block * POINTS + step;
      ids[row] = id;
      ds[row] = START_MS + step * HOUR;
      y[row] = Number((100 + series + 10 * Math.sin((step / 24) * 2 * Math.PI)).toFixed(3));
    }
  }
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'unique_id', data: ids, type: 'STRING' },
      { name: 'ds', data: ds, type: 'TIMESTAMP' },
      { name: 'y', data: y, type: 'DOUBLE' },
    ],
  });
  writeFileSync(parquetFile, new Uint8Array(buffer));
}
const parquetBytes = statSync(parquetFile).size;

const work = mkdtempSync(path.join(os.tmpdir(), 'lookahead-bench-upload-'));
const server = await startBenchServer({
  DATABASE_URL: '',
  LOOKAHEAD_DATA_DIR: path.join(work, 'data'),
  LOOKAHEAD_UPLOAD_DIR: path.join(work, 'uploads'),
  BENCH_MIGRATE: '1',
});
try {
  const idleRssBytes = server.rssBytes();
  const started = performance.now();
  const { result: uploaded, peakRssBytes } = await server.sampleDuring(async () => {
    const response = await fetch(`${server.url}/api/uploads?fileName=long.csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'content-length': String(csvBytes) },
      body: Readable.toWeb(createReadStream(csvFile)) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit);
    const body = (await response.json()) as { source?: { id: string; seriesCount: number; rowCount: number }; error?: { message: string } };
    if (response.status !== 201 || !body.source) throw new Error(`bench upload-long: HTTP ${response.status}: ${body.error?.message}`);
    return body.source;
  });
  const uploadMs = performance.now() - started;
  const storedFile = readdirSync(path.join(work, 'uploads')).find((name) => name.endsWith('.parquet'))!;
  const storedBytes = statSync(path.join(work, 'uploads', storedFile)).size;

  let fetchedBytes = 0;
  let requests = 0;
  const counting: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (String(input).includes('/api/files/')) {
      requests++;
      fetchedBytes += Number(response.headers.get('content-length') ?? 0);
    }
    return response;
  };
  const seriesId = 'item_0617';
  const read = await readParquetRangeWindow({
    origin: server.url,
    sourceId: uploaded.id,
    params: { time: 'ds', columns: 'y', entity: 'unique_id', series: seriesId, limit: String(WINDOW_ROWS) },
    fetch: counting,
  });
  if (read.window.timestampsMs.length !== WINDOW_ROWS) throw new Error(`bench upload-long: read ${read.window.timestampsMs.length} rows of ${seriesId}, expected ${WINDOW_ROWS}`);
  const expectedFirst = 100 + 617 + 10 * Math.sin(((POINTS - WINDOW_ROWS) / 24) * 2 * Math.PI);
  if (Math.abs(read.window.columns.y![0]! - expectedFirst) > 1e-3) throw new Error(`bench upload-long: ${seriesId}'s first value ${read.window.columns.y![0]} is not ${expectedFirst}`);

  // The same rows uploaded as parquet (a new source: other bytes), timed the same way.
  const parquetStarted = performance.now();
  const { result: fromParquet, peakRssBytes: parquetPeakRssBytes } = await server.sampleDuring(async () => {
    const response = await fetch(`${server.url}/api/uploads?fileName=long.parquet`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.apache.parquet', 'content-length': String(parquetBytes) },
      body: Readable.toWeb(createReadStream(parquetFile)) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit);
    const body = (await response.json()) as { source?: { id: string; seriesCount: number; rowCount: number }; error?: { message: string } };
    if (response.status !== 201 || !body.source) throw new Error(`bench upload-long: parquet: HTTP ${response.status}: ${body.error?.message}`);
    return body.source;
  });
  const parquetUploadMs = performance.now() - parquetStarted;
  if (fromParquet.seriesCount !== SERIES || fromParquet.rowCount !== SERIES * POINTS) throw new Error(`bench upload-long: the parquet upload holds ${fromParquet.seriesCount} series, ${fromParquet.rowCount} rows`);

  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const result = {
    loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
    series: uploaded.seriesCount,
    rows: uploaded.rowCount,
    csvBytes,
    uploadMs: Math.round(uploadMs),
    serverIdleRssBytes: idleRssBytes,
    serverPeakRssBytes: peakRssBytes,
    storedParquetBytes: storedBytes,
    parquetUpload: { fileBytes: parquetBytes, uploadMs: Math.round(parquetUploadMs), serverPeakRssBytes: parquetPeakRssBytes },
    window: { series: seriesId, rows: WINDOW_ROWS, rowGroupsTotal: read.transfer.rowGroupsTotal, rowGroupsRead: read.transfer.rowGroupsRead, requests, bytesFetched: fetchedBytes, shareOfFile: fetchedBytes / storedBytes },
  };
  printTable({
    columns: ['measure', 'value'],
    rows: [
      ['CSV', `${SERIES} series x ${POINTS} rows, ${mib(csvBytes)} MiB`],
      ['upload (POST to 201)', `${(uploadMs / 1000).toFixed(2)} s`],
      ['server RSS idle -> peak', `${mib(idleRssBytes)} -> ${mib(peakRssBytes)} MiB`],
      ['stored parquet', `${mib(storedBytes)} MiB, ${read.transfer.rowGroupsTotal} row groups`],
      [`one series' newest ${WINDOW_ROWS} rows`, `${read.transfer.rowGroupsRead} row group(s), ${requests} requests, ${(fetchedBytes / 1024).toFixed(1)} KiB`],
      ['bytes read / file size', `${((100 * fetchedBytes) / storedBytes).toFixed(2)} %`],
      ['same rows as parquet (POST to 201)', `${mib(parquetBytes)} MiB, ${(parquetUploadMs / 1000).toFixed(2)} s, server RSS peak ${mib(parquetPeakRssBytes)} MiB`],
      ['load average (1, 5, 15 min)', os.loadavg().map((value) => value.toFixed(2)).join(', ')],
    ],
  });
  console.log(`wrote ${writeResult('upload-long', result)}`);
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
