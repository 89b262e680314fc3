import 'server-only';
import { LookaheadError } from '@/lib/core/errors';
import { decodeWindowStream } from '@/lib/data/arrow-window';
import { assessQuality, type QualityReport } from '@/lib/data/quality';
import { frequencyFromLabel } from '@/lib/core/frequency';
import { openParquetSourceWindow } from '@/lib/server/parquet/parquet-source';
import { streamDatasetWindow, type WindowQuery } from '@/lib/server/window-stream';
import type { Dataset } from '@/db';
import { arrowWindowStream } from './arrow-stream';
import { excerpt } from '@/lib/data/columns';
import type { DataPlaneConfig } from './config';
import type { ResolvedSource } from './registry';
import { openSqlSeriesWindows, openSqlWindow, type SeriesWindows } from './sql-source';
import type { WindowRequest } from './window-request';
import { readWholeWindow, type WindowReader } from './window-reader';

/**
 * One entry point for windows of any source: a reader (for quality reports) or an Arrow IPC
 * stream (for the window route). Sample datasets keep their own keyset-paged stream.
 */

const DATASET_UNSUPPORTED: (keyof WindowRequest)[] = ['table', 'time', 'entity', 'covariates', 'min', 'max', 'bucket', 'years', 'months'];

export function datasetWindowQuery(dataset: Dataset, request: WindowRequest): WindowQuery {
  for (const key of DATASET_UNSUPPORTED) {
    if (request[key] !== undefined) {
      throw new LookaheadError('window', 'bad_input', `parameter "${key}" does not apply to sample dataset "${dataset.id}"; it takes columns, series, start, end and limit`);
    }
  }
  if (request.excludeNulls) throw new LookaheadError('window', 'bad_input', `excludeNulls does not apply to sample dataset "${dataset.id}"`);
  if (!request.columns?.length) throw new LookaheadError('window', 'bad_input', `columns: name at least one column, e.g. columns=${dataset.columns[0] ?? 'value'}`);
  if (request.series !== undefined && request.series !== '') {
    throw new LookaheadError('window', 'bad_input', `series "${excerpt(request.series)}" is not in sample dataset "${dataset.id}": it holds one series, series= (empty)`);
  }
  for (const column of request.columns) {
    if (!dataset.columns.includes(column)) {
      throw new LookaheadError('sources', 'bad_input', `column "${excerpt(column)}" is not in source "${dataset.id}"; valid columns: ${dataset.columns.join(', ')}`);
    }
  }
  return { seriesId: '', columns: request.columns, start: request.start, end: request.end, limit: request.limit };
}

function datasetReader(source: Extract<ResolvedSource, { kind: 'dataset' }>, request: WindowRequest): WindowReader {
  const query = datasetWindowQuery(source.dataset, request);
  const stream = streamDatasetWindow(source.handle, source.dataset, query);
  const batches = decodeWindowStream(stream);
  return {
    columns: query.columns,
    frequencyLabel: source.dataset.frequency,
    async next() {
      const step = await batches.next();
      return step.done ? null : step.value;
    },
    async close() {
      await batches.return(undefined);
      await stream.cancel().catch(() => undefined);
    },
  };
}

export async function openWindowReader(source: ResolvedSource, request: WindowRequest, config: DataPlaneConfig): Promise<WindowReader> {
  switch (source.kind) {
    case 'dataset':
      return datasetReader(source, request);
    case 'sql':
      return openSqlWindow(source, request, config);
    case 'parquet':
      return openParquetSourceWindow(source, request);
  }
}

/**
 * Windows of one series after another of the same source and request (a job reading its series):
 * SQL sources resolve the table once and read every series on one session; other sources open
 * a reader per series.
 */
export async function openSeriesWindows(source: ResolvedSource, request: WindowRequest, config: DataPlaneConfig): Promise<SeriesWindows> {
  if (source.kind === 'sql') return openSqlSeriesWindows(source, request, config);
  let current: WindowReader | null = null;
  return {
    async open(series, limit) {
      await current?.close();
      current = await openWindowReader(source, { ...request, limit, ...(source.kind === 'dataset' ? {} : { series }) }, config);
      return current;
    },
    async close() {
      await current?.close();
      current = null;
    },
  };
}

export interface WindowResponseParts {
  body: ReadableStream<Uint8Array>;
  frequencyLabel: string | null;
}

export async function openWindowStream(source: ResolvedSource, request: WindowRequest, config: DataPlaneConfig): Promise<WindowResponseParts> {
  if (source.kind === 'dataset') {
    return { body: streamDatasetWindow(source.handle, source.dataset, datasetWindowQuery(source.dataset, request)), frequencyLabel: source.dataset.frequency };
  }
  const reader = await openWindowReader(source, request, config);
  return { body: arrowWindowStream(reader, { idleTimeoutMs: config.idleTimeoutMs }), frequencyLabel: reader.frequencyLabel };
}

export interface WindowQuality {
  rows: number;
  frequency: string | null;
  columns: Record<string, QualityReport>;
}

export async function windowQuality(source: ResolvedSource, request: WindowRequest, config: DataPlaneConfig, nowMs = Date.now()): Promise<WindowQuality> {
  const reader = await openWindowReader(source, request, config);
  const frequencyLabel = reader.frequencyLabel;
  const window = await readWholeWindow(reader, { maxValues: config.qualityMaxValues, purpose: 'a quality report (LOOKAHEAD_QUALITY_MAX_VALUES)' });
  let frequency = undefined;
  if (frequencyLabel) {
    try {
      frequency = frequencyFromLabel(frequencyLabel);
    } catch {
      frequency = undefined;
    }
  }
  const columns = Object.fromEntries(
    Object.entries(window.columns).map(([name, values]) => [name, assessQuality({ timestampsMs: window.timestampsMs, values, frequency, nowMs })]),
  );
  const first = Object.values(columns)[0];
  return { rows: window.timestampsMs.length, frequency: first?.frequency ?? frequencyLabel, columns };
}
