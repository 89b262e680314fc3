/// <reference lib="webworker" />
import { LookaheadError, toErrorPayload } from '@/lib/core/errors';
import { parseCsv } from '@/lib/data/csv';
import { readSeriesCsv, type SeriesTable } from '@/lib/data/series-table';
import { readSeriesParquet } from '@/lib/data/series-parquet';
import { runComparison } from '@/lib/evaluation';
import { forecastSeries, SEASONAL_NAIVE_INFO, type ModelInfo } from '@/lib/models';
import { chooseDevice, detectDevices, withThreads, type DeviceChoice, type DevicePreference, type ThreadsSetting } from '@/lib/runtime';
import { browserModelInfos, createBrowserModel, loadBrowserModelCatalog } from '@/lib/client/browser-models';
import { sendTelemetry } from '@/lib/client/telemetry';
import { readSeriesWindow } from '@/lib/client/read-series';
import type {
  BacktestJob,
  BacktestResult,
  CsvSummary,
  ForecastJob,
  ForecastResult,
  SeriesArrays,
  SeriesSource,
  WorkerRequest,
  WorkerResponse,
} from '@/lib/client/protocol';

declare const self: DedicatedWorkerGlobalScope;

const inFlight = new Map<string, AbortController>();
let reportPromise: ReturnType<typeof detectDevices> | null = null;

function post(message: WorkerResponse, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

/** The device report (probed once per worker, with the page's threads setting applied) and the choice for a preference. */
async function device(preference: DevicePreference = 'auto', threads: ThreadsSetting = 'auto'): Promise<{ report: Awaited<ReturnType<typeof detectDevices>>; choice: DeviceChoice }> {
  reportPromise ??= detectDevices(self as never);
  const report = withThreads(await reportPromise, threads);
  return { report, choice: chooseDevice(report, preference) };
}

/**
 * Every model this browser can run: the baselines, plus the installed learned models once the
 * catalog (GET /api/models) has answered. Without a catalog the baselines still work.
 */
async function availableModels(): Promise<ModelInfo[]> {
  try {
    return await loadBrowserModelCatalog(self.location.origin, { fresh: true });
  } catch {
    return browserModelInfos();
  }
}

/** The window as read (its quality report judges what the source holds), then on its regular grid. */
function loadSeries(source: SeriesSource, id: string, signal: AbortSignal) {
  return readSeriesWindow(source, { origin: self.location.origin, signal, onProgress: (message, fraction) => post({ kind: 'progress', id, stage: 'fetching', message, fraction }) });
}

/**
 * The history as the page gets it: each array owning its whole buffer, so posting can transfer it
 * (zero copy; at a million points a structured clone of number arrays took over a second). A view
 * into a larger buffer (an Arrow batch, say) is copied once first.
 */
function ownedHistory(series: { timestampsMs: Float64Array | null; values: Float64Array }): SeriesArrays {
  const owned = (array: Float64Array) => (array.byteOffset === 0 && array.byteLength === array.buffer.byteLength && array.buffer instanceof ArrayBuffer ? array : array.slice());
  return { timestampsMs: series.timestampsMs ? owned(series.timestampsMs) : null, values: owned(series.values) };
}

/** The buffers a result's history can hand over. */
function historyTransfer(history: SeriesArrays): Transferable[] {
  const buffers = new Set<ArrayBuffer>([history.values.buffer as ArrayBuffer]);
  if (history.timestampsMs) buffers.add(history.timestampsMs.buffer as ArrayBuffer);
  return [...buffers];
}

async function runForecast(id: string, job: ForecastJob, signal: AbortSignal): Promise<ForecastResult> {
  const started = performance.now();
  post({ kind: 'progress', id, stage: 'fetching', message: 'reading the series' });
  const series = await loadSeries(job.source, id, signal);
  if (series.values.length === 0) throw new LookaheadError('forecast', 'bad_input', 'the selected series has no rows in this window');
  const fetchMs = performance.now() - started;
  post({ kind: 'progress', id, stage: 'loading-model', message: `loading ${job.modelId}` });
  const { report, choice } = await device(job.device, job.threads);
  const created = await createBrowserModel(job.modelId, {
    origin: self.location.origin,
    device: choice,
    wasmThreads: report.wasm.threads,
    weightDtype: job.weights,
    signal,
    onProgress: (message, fraction) => post({ kind: 'progress', id, stage: 'loading-model', message, fraction }),
  });
  const { model } = created;
  signal.throwIfAborted();
  post({ kind: 'progress', id, stage: 'fitting', message: `fitting ${model.info.label} on ${series.values.length} points` });
  const run = await forecastSeries({
    model,
    values: series.values,
    timestampsMs: series.timestampsMs,
    frequency: series.frequency,
    horizon: job.horizon,
    quantileLevels: job.quantileLevels,
    signal,
  });
  return {
    source: job.source,
    model: run.model,
    history: ownedHistory(series),
    frequency: series.frequency?.label ?? null,
    forecast: series.gapNote ? { ...run.forecast, notes: [series.gapNote, ...(run.forecast.notes ?? [])] } : run.forecast,
    forecastTimestampsMs: run.timestampsMs,
    // Read after the run: a WebGPU device lost mid-run moves the session to WASM.
    runtime: created.runtime,
    quality: series.quality,
    timings: { fetchMs, fitMs: run.fitMs, forecastMs: run.forecastMs, totalMs: performance.now() - started },
  };
}

/** Model ids to compare: the requested ones (every real model when none), seasonal naive first as the baseline. */
async function comparedModels(requested: readonly string[]): Promise<ModelInfo[]> {
  const available = await availableModels();
  const offered = available.filter((info) => !info.testOnly && !info.needsDownload && !info.optIn);
  const chosen = requested.length === 0 ? offered : requested.map((modelId) => {
    const info = available.find((candidate) => candidate.id === modelId);
    if (!info) {
      throw new LookaheadError('backtest', 'not_found', `unknown model "${modelId}"; available: ${offered.map((candidate) => candidate.id).join(', ')}`);
    }
    return info;
  });
  const baseline = available.find((info) => info.id === SEASONAL_NAIVE_INFO.id);
  const rest = chosen.filter((info) => info.id !== SEASONAL_NAIVE_INFO.id);
  return baseline ? [baseline, ...rest] : rest;
}

async function runBacktest(id: string, job: BacktestJob, signal: AbortSignal): Promise<BacktestResult> {
  const started = performance.now();
  const models = await comparedModels(job.modelIds);
  post({ kind: 'progress', id, stage: 'fetching', message: 'reading the series' });
  const series = await loadSeries(job.source, id, signal);
  const fetchMs = performance.now() - started;
  const { report, choice } = await device(job.device, job.threads);
  const run = await runComparison({
    models,
    createModel: (info) =>
      createBrowserModel(info.id, {
        origin: self.location.origin,
        device: choice,
        wasmThreads: report.wasm.threads,
        signal,
        onProgress: (message, fraction) => post({ kind: 'progress', id, stage: 'loading-model', message, fraction, modelId: info.id }),
      }),
    series,
    settings: { horizon: job.horizon, context: job.context, quantileLevels: job.quantileLevels, windows: job.windows, step: job.step },
    baselineId: SEASONAL_NAIVE_INFO.id,
    signal,
    onProgress: (progress) =>
      post({ kind: 'progress', id, stage: 'backtesting', message: progress.message, fraction: progress.fraction, modelId: progress.modelId, window: progress.done }),
  });
  return {
    source: job.source,
    history: ownedHistory(series),
    frequency: series.frequency?.label ?? null,
    context: job.context,
    horizon: job.horizon,
    quantileLevels: job.quantileLevels,
    ...run,
    quality: series.quality,
    timings: { fetchMs, totalMs: performance.now() - started },
  };
}

async function summarizeCsv(name: string, text: string, wide?: { frequency: string; start: string }, parquet?: ArrayBuffer): Promise<CsvSummary> {
  let many: SeriesTable;
  try {
    many = parquet ? await readSeriesParquet(parquet, { name, ...(wide ? { wide } : {}) }) : readSeriesCsv(text, { name, ...(wide ? { wide } : {}) });
  } catch (error) {
    if (parquet) throw error;
    // A file without timestamps (and not wide) is still forecast here, as consecutive steps.
    if (error instanceof LookaheadError && error.details?.problem === 'no_timestamp') return summarizeSingleCsv(name, text);
    throw error;
  }
  const first = many.series[0]!;
  const slice = (values: Float64Array) => Array.from(values.subarray(first.offset, first.offset + first.length));
  const columns = [...many.targets, ...many.covariates];
  return {
    name,
    rowCount: many.rowCount,
    timestampColumn: many.timestampColumn,
    frequency: many.frequency?.label ?? null,
    numericColumns: columns,
    warnings: many.warnings,
    timestampsMs: slice(many.timestampsMs),
    values: Object.fromEntries(columns.map((column) => [column, slice(many.values[column]!)])),
    layout: many.layout,
    series: many.series.map((span) => ({ id: span.id, rowCount: span.length })),
  };
}

function summarizeSingleCsv(name: string, text: string): CsvSummary {
  const table = parseCsv(text, { name });
  return {
    name,
    rowCount: table.rowCount,
    timestampColumn: table.timestampColumn,
    frequency: table.frequency?.label ?? null,
    numericColumns: table.numericColumns,
    warnings: table.warnings,
    timestampsMs: table.timestampsMs ? Array.from(table.timestampsMs) : null,
    values: Object.fromEntries(table.numericColumns.map((column) => [column, Array.from(table.values[column]!)])),
  };
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  try {
    switch (request.kind) {
      case 'probe': {
        const { report, choice } = await device();
        post({ kind: 'device', id: request.id, report, choice, models: await availableModels() });
        return;
      }
      case 'cancel':
        inFlight.get(request.id)?.abort();
        return;
      case 'parse-csv':
        post({ kind: 'csv', id: request.id, table: await summarizeCsv(request.name, request.text, request.wide, request.parquet) });
        return;
      case 'forecast': {
        const controller = new AbortController();
        inFlight.set(request.id, controller);
        const started = performance.now();
        try {
          const result = await runForecast(request.id, request.job, controller.signal);
          post({ kind: 'result', id: request.id, result }, historyTransfer(result.history));
          if (request.job.telemetry !== false) {
            sendTelemetry(self.location.origin, {
              kind: 'forecast',
              model: result.model.id,
              revision: result.model.revision ?? null,
              device: result.runtime.device,
              deviceLabel: result.runtime.label,
              latencyMs: result.timings.fitMs + result.timings.forecastMs,
              points: result.history.values.length,
              horizon: request.job.horizon,
              outcome: 'ok',
            });
          }
        } catch (error) {
          if (request.job.telemetry !== false) {
            const choice = reportPromise ? await reportPromise.then((report) => chooseDevice(report, request.job.device)).catch(() => null) : null;
            sendTelemetry(self.location.origin, {
              kind: 'forecast',
              model: request.job.modelId,
              device: choice?.device ?? 'wasm',
              deviceLabel: choice?.label ?? 'unknown',
              latencyMs: performance.now() - started,
              points: 0,
              horizon: request.job.horizon,
              outcome: error instanceof LookaheadError && error.code === 'cancelled' ? 'cancelled' : 'error',
              errorKind: error instanceof LookaheadError ? error.code : 'internal',
            });
          }
          throw error;
        } finally {
          inFlight.delete(request.id);
        }
        return;
      }
      case 'backtest': {
        const controller = new AbortController();
        inFlight.set(request.id, controller);
        try {
          const result = await runBacktest(request.id, request.job, controller.signal);
          post({ kind: 'backtest-result', id: request.id, result }, historyTransfer(result.history));
        } finally {
          inFlight.delete(request.id);
        }
        return;
      }
    }
  } catch (error) {
    post({ kind: 'error', id: request.id, error: toErrorPayload(error) });
  }
};
