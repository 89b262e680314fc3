import 'server-only';
import { ByteWriter, ParquetWriter, schemaFromColumnData, type ColumnSource } from 'hyparquet-writer';
import { listResults, type DatabaseHandle, type JobRow, type ResultRow } from '@/db';
import { LookaheadError } from '@/lib/core/errors';
import { getJobKind, type ExportColumn, type ExportRow } from './kinds';
import type { ForecastPayload } from './forecast-batch';

/**
 * A job's results as CSV or parquet, streamed: results are read a page at a time (keyset on the
 * job position) when the consumer pulls, so memory stays flat whatever the job's size. One row per
 * series and step (forecasts) or series, model and window (backtests); failed series get one row
 * with their reason.
 */

const PAGE = 200;

async function* resultPages(handle: DatabaseHandle, job: JobRow): AsyncGenerator<ResultRow[]> {
  let after = -1;
  for (;;) {
    const page = await listResults({ handle, jobId: job.id, afterPosition: after, limit: PAGE });
    if (page.length === 0) return;
    after = page[page.length - 1]!.position;
    yield page;
  }
}

function flatRows(job: JobRow, page: readonly ResultRow[]): ExportRow[] {
  const kind = getJobKind(job.kind);
  const params = kind.schema.parse(job.params);
  const rows: ExportRow[] = [];
  for (const result of page) {
    const base = { series_id: result.seriesId, status: result.status, error: result.error };
    if (result.status !== 'ok' || !result.payload || !kind.exportRows) {
      rows.push(base);
      continue;
    }
    for (const row of kind.exportRows(params, result.payload)) rows.push({ ...base, ...row });
  }
  return rows;
}

const BASE_COLUMNS: ExportColumn[] = [
  { name: 'series_id', type: 'STRING' },
  { name: 'status', type: 'STRING' },
  { name: 'error', type: 'STRING' },
];

/**
 * The download's columns, from the job's kind and params (levels, metrics), not from the first
 * results: a job whose first page failed entirely still gets its forecast columns. A kind without
 * exportColumns falls back to the first successful row.
 */
export function exportColumnsOf(job: JobRow): ExportColumn[] | null {
  const kind = getJobKind(job.kind);
  if (!kind.exportRows) return BASE_COLUMNS;
  if (!kind.exportColumns) return null;
  return [...BASE_COLUMNS, ...kind.exportColumns(kind.schema.parse(job.params))];
}

function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function streamFrom(generate: () => AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  let iterator: AsyncGenerator<Uint8Array> | null = null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      iterator ??= generate();
      const step = await iterator.next();
      if (step.done) controller.close();
      else controller.enqueue(step.value);
    },
    async cancel() {
      await iterator?.return(undefined);
    },
  });
}

export function resultsCsvStream(handle: DatabaseHandle, job: JobRow): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return streamFrom(async function* () {
    let header: string[] | null = exportColumnsOf(job)?.map((column) => column.name) ?? null;
    if (header) yield encoder.encode(`${header.join(',')}\n`);
    for await (const page of resultPages(handle, job)) {
      const rows = flatRows(job, page);
      let text = '';
      for (const row of rows) {
        if (!header) {
          // The first successful row names the columns; failed rows only fill the first three.
          const full = rows.find((candidate) => candidate.status === 'ok') ?? row;
          header = Object.keys(full);
          text += `${header.join(',')}\n`;
        }
        text += `${header.map((name) => csvCell(row[name])).join(',')}\n`;
      }
      if (text) yield encoder.encode(text);
    }
    if (!header) yield encoder.encode('series_id,status,error\n');
  });
}

/** A DOUBLE column; a cell the CSV leaves empty (a failed series' step and quantiles, a non-finite value) is a null, not a NaN. */
function doubleColumn(name: string, rows: readonly ExportRow[], nullable = false): ColumnSource {
  const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
  if (!nullable && rows.every((row) => finite(row[name]))) return { name, data: Float64Array.from(rows, (row) => row[name] as number), type: 'DOUBLE' };
  return { name, data: rows.map((row) => (finite(row[name]) ? row[name] : null)), type: 'DOUBLE', nullable: true };
}

function stringColumn(name: string, rows: readonly ExportRow[]): ColumnSource {
  return { name, data: rows.map((row) => (row[name] === null || row[name] === undefined ? null : String(row[name]))), type: 'STRING', nullable: true };
}

function parquetColumns(names: readonly string[], rows: readonly ExportRow[]): ColumnSource[] {
  return names.map((name) => {
    const numeric = rows.some((row) => typeof row[name] === 'number') && !rows.some((row) => typeof row[name] === 'string');
    return numeric ? doubleColumn(name, rows) : stringColumn(name, rows);
  });
}

export function resultsParquetStream(handle: DatabaseHandle, job: JobRow): ReadableStream<Uint8Array> {
  return streamFrom(async function* () {
    const bytes = new ByteWriter();
    const drain = (): Uint8Array => {
      const out = bytes.getBytes().slice();
      // ByteWriter keeps the total in `offset` (file positions in the footer) and the buffer position in `index`.
      bytes.index = 0;
      return out;
    };
    let writer: ParquetWriter | null = null;
    let names: string[] | null = null;
    let types: Map<string, 'DOUBLE' | 'STRING'> | null = null;
    for await (const page of resultPages(handle, job)) {
      const rows = flatRows(job, page);
      if (!writer) {
        const declared = exportColumnsOf(job);
        if (declared) {
          names = declared.map((column) => column.name);
          types = new Map(declared.map((column) => [column.name, column.type]));
        } else {
          const full = rows.find((row) => row.status === 'ok') ?? rows[0]!;
          names = Object.keys(full);
          types = new Map(parquetColumns(names, rows).map((column) => [column.name, column.type as 'DOUBLE' | 'STRING']));
        }
        // Declared DOUBLE columns are nullable from the start: a later page may hold a failed series.
        const columns = names.map((name) => (types!.get(name) === 'DOUBLE' ? doubleColumn(name, rows, declared !== null) : stringColumn(name, rows)));
        writer = new ParquetWriter({
          writer: bytes,
          schema: schemaFromColumnData({ columnData: columns }),
          kvMetadata: [{ key: 'lookahead.job', value: JSON.stringify({ id: job.id, kind: job.kind, params: job.params }) }],
          createdBy: 'lookahead',
        });
      }
      const columns = names!.map((name) => (types!.get(name) === 'DOUBLE' ? doubleColumn(name, rows) : stringColumn(name, rows)));
      await writer.write({ columnData: columns, rowGroupSize: Math.max(1, rows.length) });
      yield drain();
    }
    if (!writer) {
      const declared = exportColumnsOf(job) ?? [{ name: 'series_id', type: 'STRING' as const }];
      writer = new ParquetWriter({
        writer: bytes,
        schema: schemaFromColumnData({ columnData: declared.map((column) => ({ name: column.name, data: [], type: column.type, nullable: true })) }),
        createdBy: 'lookahead',
      });
    }
    writer.finish();
    yield drain();
  });
}

/**
 * A forecast job's results in the long layout statsforecast and AutoGluon read without
 * conversion, the same as the page's long export (lib/export/long-format): `unique_id, ds, mean,
 * <level>...`, one row per series and step, series in job order. Failed series have no rows (the
 * csv and parquet formats list them with their reason). Other kinds are refused: their rows are
 * not forecasts.
 */
export function resultsLongCsvStream(handle: DatabaseHandle, job: JobRow): ReadableStream<Uint8Array> {
  if (job.kind !== 'forecast-batch') {
    throw new LookaheadError('jobs', 'bad_input', `format=long holds forecasts (kind forecast-batch); job ${job.id} is a ${job.kind} job: use format=csv or format=parquet`);
  }
  const encoder = new TextEncoder();
  return streamFrom(async function* () {
    let levels: number[] | null = null;
    for await (const page of resultPages(handle, job)) {
      let text = '';
      for (const result of page) {
        if (result.status !== 'ok' || !result.payload) continue;
        const payload = result.payload as unknown as ForecastPayload;
        if (!levels) {
          levels = payload.levels;
          text += `${['unique_id', 'ds', 'mean', ...levels.map(String)].join(',')}\r\n`;
        }
        const id = csvCell(result.seriesId);
        payload.mean.forEach((mean, step) => {
          const ds = payload.timestamps?.[step] ?? String(step + 1);
          text += `${[id, ds, csvCell(mean), ...levels!.map((level) => csvCell(payload.quantiles[payload.levels.indexOf(level)]?.[step] ?? null))].join(',')}\r\n`;
        });
      }
      if (text) yield encoder.encode(text);
    }
    if (!levels) yield encoder.encode('unique_id,ds,mean\r\n');
  });
}
