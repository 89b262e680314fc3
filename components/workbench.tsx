'use client';
import dynamic from 'next/dynamic';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { ForecastClient } from '@/lib/client/forecast-client';
import type { CsvSummary, SeriesArrays, SeriesSource } from '@/lib/client/protocol';
import { reportFromBacktest, reportFromForecast } from '@/lib/client/report';
import {
  CONFIG_LIMITS,
  UPLOAD_SOURCE_PREFIX,
  applyPreset,
  findPreset,
  isUploadSource,
  parseForecastConfig,
  presetFrequencyWarning,
  windowLength,
  windowParams,
  type ForecastConfig,
} from '@/lib/config';
import { DEFAULT_QUANTILE_LEVELS } from '@/lib/core/forecast';
import type { ModelInfo } from '@/lib/models/model';
import type { ForecastReport } from '@/lib/report/schema';
import type { SourceSummary } from '@/lib/server/sources';
import { chooseDevice, withThreads, type DevicePreference, type DeviceReport, type ThreadsSetting } from '@/lib/runtime/device';
import { ConfigControls } from './config-controls';
import { DataPicker, blankSelection, dataFacts, type DataSelection, type LocalUpload } from './data-picker';
import { csrfHeaders } from '@/lib/client/csrf';

/**
 * What a first forecast does not need leaves the first load (each its own chunk, fetched after the
 * page is up): the result view (recharts, the exports with the parquet writer, the share panel),
 * the many-series panel (recharts again), the jobs panel, the browser-models list and the server
 * install. The result view is fetched as soon as the worker answers, so a forecast never waits for it.
 */
const loadReportView = () => import('./report-view').then((module) => module.ReportView);
const ReportView = dynamic(loadReportView, { ssr: false, loading: () => <p className="note">Drawing the result…</p> });
const SeriesPanel = dynamic(() => import('./series-panel').then((module) => module.SeriesPanel), { ssr: false });
const JobsPanel = dynamic(() => import('./jobs-panel').then((module) => module.JobsPanel), { ssr: false });
const BrowserModelsPanel = dynamic(() => import('./browser-models-panel').then((module) => module.BrowserModelsPanel), { ssr: false });
const TrainingPanel = dynamic(() => import('./training-panel').then((module) => module.TrainingPanel), { ssr: false });
const ServerInstall = dynamic(() => import('./server-install').then((module) => module.ServerInstall), { ssr: false });

export type RunKind = 'forecast' | 'backtest';

/** Upload limit: parsing happens in the browser, but a 50 MB text file is already a lot of DOM-free work. */
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/** The data fields of a configuration. */
function selectionOf(config: ForecastConfig): DataSelection {
  const { source, table, time, entity, series, target, covariates, window, filters, downsample } = config;
  return { source, table, time, entity, series, target, covariates, window, filters, downsample };
}

function firstSelection(sources: readonly SourceSummary[]): DataSelection {
  const first = sources.find((source) => source.kind === 'dataset') ?? sources[0];
  return blankSelection(first?.id ?? '', first?.kind === 'dataset' ? (first.columns.at(-1) ?? '') : '');
}

/** Models the page offers: what the worker can run, minus test checkpoints. */
function offered(models: readonly ModelInfo[], showTestModels = false): ModelInfo[] {
  return models.filter((model) => showTestModels || !model.testOnly);
}

export interface WorkbenchProps {
  /** GET /api/sources: samples, databases, parquet files, stored uploads. */
  sources: SourceSummary[];
  models: ModelInfo[];
  /** From `/?config=`: applied on load, then run (`run`) once the worker is ready. */
  initialConfig?: ForecastConfig | null;
  initialRun?: RunKind | null;
  /** Why `/?config=` could not be used. */
  initialError?: string | null;
  /** Also list test checkpoints (labelled, never compared): `/?testModels=1`. */
  showTestModels?: boolean;
}

const THREAD_CHOICES = [1, 2, 4, 8, 16];

export function Workbench({ sources: initialSources, models: serverModels, initialConfig = null, initialRun = null, initialError = null, showTestModels = false }: WorkbenchProps) {
  const clientRef = useRef<ForecastClient | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  const autoRunDone = useRef(false);
  const [deviceReport, setDeviceReport] = useState<DeviceReport | null>(null);
  const [devicePreference, setDevicePreference] = useState<DevicePreference>('auto');
  /** WASM threads; onnxruntime-web fixes them at a worker's first session, so a change starts a new worker. */
  const [threads, setThreads] = useState<ThreadsSetting>('auto');
  const [models, setModels] = useState<ModelInfo[]>(offered(serverModels));
  const [sources, setSources] = useState<SourceSummary[]>(initialSources);
  const [data, setData] = useState<DataSelection>(() => firstSelection(initialSources));
  /** The CSV as parsed in this tab: its summary, and its values when the server could not store it. */
  const [upload, setUpload] = useState<CsvSummary | null>(null);
  const [uploadNote, setUploadNote] = useState<string | null>(null);
  const [localOnly, setLocalOnly] = useState(false);
  /** While a dropped file is being stored, runs wait: the selection is about to switch to it. */
  const [storing, setStoring] = useState(false);
  /** A dropped wide file (V1..Vn, no dates): kept so it can be read again with a frequency and start. */
  const [wideFile, setWideFile] = useState<File | null>(null);
  const [wideFrequency, setWideFrequency] = useState('1M');
  const [wideStart, setWideStart] = useState('2000-01-01');
  const [modelId, setModelId] = useState(offered(serverModels)[0]?.id ?? '');
  const [horizon, setHorizon] = useState(24);
  const [context, setContext] = useState(512);
  const [levelsText, setLevelsText] = useState(DEFAULT_QUANTILE_LEVELS.join(', '));
  const [windows, setWindows] = useState(3);
  const [step, setStep] = useState(24);
  /** null = every offered model. */
  const [compared, setCompared] = useState<string[] | null>(null);
  const [preset, setPreset] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** Weight storage of a Chronos-Bolt converted in this browser. */
  const [weights, setWeights] = useState<'fp32' | 'fp16'>('fp32');
  /** Bumped after every run, so "Models in this browser" re-reads the cache. */
  const [runCount, setRunCount] = useState(0);
  const [progress, setProgress] = useState<{ message: string; fraction?: number } | null>(null);
  /** The report, with the worker's typed arrays of its history for the chart (the same points as report.data). */
  const [shown, setShown] = useState<{ report: ForecastReport; history: SeriesArrays } | null>(null);
  const report = shown?.report ?? null;
  const [error, setError] = useState<string | null>(initialError);
  /** Set when the user cancelled the last run (a model install stops, and nothing half-written is kept). */
  const [cancelled, setCancelled] = useState(false);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    const client = new ForecastClient(new Worker(new URL('../workers/forecast.worker.ts', import.meta.url), { type: 'module' }));
    clientRef.current = client;
    client.probe().then(
      (message) => {
        setModels(offered(message.models, showTestModels));
        setDeviceReport(message.report);
        void loadReportView();
      },
      (failure: Error) => setError(failure.message),
    );
    return () => client.dispose();
  }, [threads]);

  /** Re-reads the model list (after a server install: the server lists the new model for everyone). */
  const reloadModels = useCallback(() => {
    clientRef.current?.probe().then(
      (message) => setModels(offered(message.models, showTestModels)),
      (failure: Error) => setError(failure.message),
    );
  }, [showTestModels]);

  const device = useMemo(() => (deviceReport ? chooseDevice(withThreads(deviceReport, threads), devicePreference) : null), [deviceReport, devicePreference, threads]);
  const local: LocalUpload | null =
    upload && localOnly ? { sourceId: `${UPLOAD_SOURCE_PREFIX}${upload.name}`, name: upload.name, columns: upload.numericColumns, frequency: upload.frequency } : null;
  const facts = dataFacts(sources, data, local);
  const dataset = sources.find((candidate) => candidate.id === data.source && candidate.kind === 'dataset');
  const presetWarning = preset ? presetFrequencyWarning(findPreset(preset), facts.frequency) : null;

  /** The settings as a validated configuration; throws a readable LookaheadError when they are not. */
  const currentConfig = useCallback((): ForecastConfig => {
    const quantileLevels = levelsText
      .split(/[\s,;]+/)
      .filter(Boolean)
      .map(Number);
    return parseForecastConfig({
      version: 1,
      ...data,
      model: modelId,
      context,
      horizon,
      quantileLevels,
      backtest: { windows, step, models: compared ?? [] },
      preset,
    });
  }, [levelsText, data, modelId, context, horizon, windows, step, compared, preset]);

  /** Puts a configuration into the settings; returns false (with the reason shown) when its data is not here. */
  const applyConfig = useCallback(
    (config: ForecastConfig): boolean => {
      if (isUploadSource(config.source)) {
        const name = config.source.slice(UPLOAD_SOURCE_PREFIX.length);
        if (!localOnly || upload?.name !== name) {
          setError(`config: this configuration uses the file "${name}" that was kept in another tab only; drop that file on the page, then import the configuration again`);
          return false;
        }
      } else if (!sources.some((candidate) => candidate.id === config.source)) {
        setError(`config: source "${config.source}" is not available here; available: ${sources.map((candidate) => candidate.id).join(', ')}`);
        return false;
      }
      setData(selectionOf(config));
      setModelId(config.model);
      setHorizon(config.horizon);
      setContext(config.context);
      setLevelsText(config.quantileLevels.join(', '));
      setWindows(config.backtest.windows);
      setStep(config.backtest.step);
      setCompared(config.backtest.models.length ? config.backtest.models : null);
      setPreset(config.preset);
      setError(null);
      return true;
    },
    [sources, upload, localOnly],
  );

  const seriesSource = (config: ForecastConfig, limit: number): SeriesSource | null => {
    if (isUploadSource(config.source)) {
      if (!upload) return null;
      const values = upload.values[config.target] ?? [];
      const start = Math.max(0, values.length - limit);
      return {
        kind: 'inline',
        name: upload.name,
        column: config.target,
        timestampsMs: upload.timestampsMs ? upload.timestampsMs.slice(start) : null,
        values: values.slice(start),
        frequency: upload.frequency,
      };
    }
    return { kind: 'source', sourceId: config.source, column: config.target, limit, params: windowParams(config, limit), transport: sources.some((source) => source.id === config.source && (source.kind === 'parquet' || source.kind === 'upload')) ? 'parquet-range' : 'arrow' };
  };

  const run = useCallback(
    async (kind: RunKind, given?: ForecastConfig) => {
      const client = clientRef.current;
      if (!client) return;
      let config: ForecastConfig;
      try {
        config = given ?? currentConfig();
      } catch (failure) {
        setError((failure as Error).message);
        return;
      }
      abortRef.current?.abort();
      const controller = new AbortController();
      abortRef.current = controller;
      const dataName = dataFacts(sources, selectionOf(config), local).name;
      const source = seriesSource(config, kind === 'forecast' ? config.context : windowLength(config));
      if (!source) return;
      setBusy(true);
      setError(null);
      setCancelled(false);
      setProgress({ message: 'starting' });
      const onProgress = (message: { message: string; fraction?: number }) => setProgress({ message: message.message, fraction: message.fraction });
      try {
        if (kind === 'forecast') {
          const result = await client.forecast(
            { source, modelId: config.model, horizon: config.horizon, quantileLevels: config.quantileLevels, device: devicePreference, threads, weights },
            { signal: controller.signal, onProgress },
          );
          setShown({ report: reportFromForecast({ config, dataName, result }), history: result.history });
        } else {
          const result = await client.backtest(
            {
              source,
              modelIds: config.backtest.models,
              horizon: config.horizon,
              context: config.context,
              quantileLevels: config.quantileLevels,
              windows: config.backtest.windows,
              step: config.backtest.step,
              device: devicePreference,
              threads,
            },
            { signal: controller.signal, onProgress },
          );
          setShown({ report: reportFromBacktest({ config, dataName, result }), history: result.history });
        }
      } catch (failure) {
        if ((failure as { code?: string }).code === 'cancelled') setCancelled(true);
        else setError((failure as Error).message);
      } finally {
        setBusy(false);
        setProgress(null);
        setRunCount((count) => count + 1);
      }
    },
    // seriesSource reads `upload` only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [currentConfig, sources, upload, localOnly, devicePreference, threads, weights],
  );

  // `/?config=...`: apply once, then run once the worker has answered the probe.
  useEffect(() => {
    if (!initialConfig || autoRunDone.current) return;
    if (!device) {
      applyConfig(initialConfig);
      return;
    }
    autoRunDone.current = true;
    if (initialRun && applyConfig(initialConfig)) void run(initialRun, initialConfig);
  }, [initialConfig, initialRun, device, applyConfig, run]);

  /** `wide`: the frequency and start a wide file's V1..Vn take (without it, integer steps). */
  const readFile = async (file: File, wide?: { frequency: string; start: string }) => {
    setError(null);
    if (file.size > MAX_UPLOAD_BYTES) {
      setError(`upload: ${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the limit is ${MAX_UPLOAD_BYTES / 1e6} MB`);
      return;
    }
    let table: CsvSummary;
    try {
      // Parsed here first: a bad file gets its readable error at once, and a good one its summary.
      table = /\.parquet$/i.test(file.name)
        ? await clientRef.current!.parseParquet(file.name, await file.arrayBuffer(), wide)
        : await clientRef.current!.parseCsv(file.name, await file.text(), wide);
    } catch (failure) {
      setError((failure as Error).message);
      return;
    }
    setWideFile(table.layout === 'wide' ? file : null);
    setUpload(table);
    setUploadNote('storing it on the server…');
    setStoring(true);
    try {
      const form = new FormData();
      form.append('file', file);
      const query = wide ? `?${new URLSearchParams(wide)}` : '';
      const response = await fetch(`/api/uploads${query}`, { method: 'POST', body: form, headers: csrfHeaders() });
      const body = (await response.json().catch(() => null)) as { source?: Extract<SourceSummary, { kind: 'upload' }>; error?: { message?: string } } | null;
      if (!response.ok || !body?.source) throw new Error(body?.error?.message ?? `the server answered HTTP ${response.status}`);
      const stored = body.source;
      setSources((current) => [...current.filter((source) => source.id !== stored.id), stored]);
      setLocalOnly(false);
      setData(blankSelection(stored.id));
      setUploadNote(`Stored on the server as source ${stored.id}: it is listed after a reload and can back a share link.`);
    } catch (failure) {
      // Still usable in this tab; say why it is not kept.
      setLocalOnly(true);
      setData(blankSelection(`${UPLOAD_SOURCE_PREFIX}${table.name}`, table.numericColumns.at(-1) ?? ''));
      setUploadNote(`Kept in this tab only (the server did not store it: ${(failure as Error).message}).`);
    } finally {
      setStoring(false);
    }
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) void readFile(file);
  };

  const choosePreset = (presetId: string) => {
    try {
      const next = applyPreset(currentConfig(), presetId);
      setHorizon(next.horizon);
      setContext(next.context);
      setWindows(next.backtest.windows);
      setStep(next.backtest.step);
      setPreset(next.preset);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  const toggleCompared = (id: string, on: boolean) => {
    // "Every model" means every model ready here: hub downloads join a comparison only when ticked.
    const everyReady = models.filter((model) => !model.needsDownload && !model.optIn).map((model) => model.id);
    const current = compared ?? everyReady;
    const next = on ? [...new Set([...current, id])] : current.filter((candidate) => candidate !== id);
    // Keep the offered order; "every model" is stored as [] so new models join automatically.
    const ordered = models.map((model) => model.id).filter((candidate) => next.includes(candidate));
    setCompared(ordered.length === everyReady.length && ordered.every((candidate) => everyReady.includes(candidate)) ? null : ordered);
  };
  const custom = (setter: (value: number) => void) => (value: number) => {
    setter(value);
    setPreset(null);
  };

  return (
    <div className="grid">
      <section className="panel" aria-label="Forecast settings">
        <h2>Forecast</h2>
        <DataPicker sources={sources} local={local} selection={data} onChange={setData} />
        <label htmlFor="model">Model</label>
        <select id="model" value={modelId} onChange={(event) => setModelId(event.target.value)}>
          {models
            .filter((model) => !model.testOnly)
            .map((model) => (
              <option key={model.id} value={model.id}>
                {model.label}
              </option>
            ))}
          {models.some((model) => model.testOnly) && (
            <optgroup label="Test checkpoints (not real forecasters)">
              {models
                .filter((model) => model.testOnly)
                .map((model) => (
                  <option key={model.id} value={model.id}>
                    {model.label}
                  </option>
                ))}
            </optgroup>
          )}
        </select>
        {models.find((model) => model.id === modelId)?.needsDownload && (
          <p className="note" data-testid="hub-download-note">
            Chosen for the first time, this model is downloaded from the model hub, checked and converted in this browser (one progress bar),
            then kept in the browser for the next visits.
          </p>
        )}
        <ServerInstall modelId={modelId} dtype={weights} needsDownload={Boolean(models.find((model) => model.id === modelId)?.needsDownload)} onInstalled={reloadModels} />
        <ConfigControls preset={preset} onPreset={choosePreset} currentConfig={currentConfig} onImport={applyConfig} onError={setError} />
        {presetWarning && <p className="note">{presetWarning}</p>}
        <div className="pair">
          <div>
            <label htmlFor="horizon">Horizon (steps ahead)</label>
            <input id="horizon" type="number" min={1} max={10000} value={horizon} onChange={(event) => custom(setHorizon)(Number(event.target.value))} />
          </div>
          <div>
            <label htmlFor="context">Context (most recent points used)</label>
            <input id="context" type="number" min={2} max={CONFIG_LIMITS.maxContext} value={context} onChange={(event) => custom(setContext)(Number(event.target.value))} />
          </div>
        </div>
        <label htmlFor="levels">Quantile levels</label>
        <input id="levels" type="text" value={levelsText} onChange={(event) => setLevelsText(event.target.value)} />
        <button type="button" onClick={() => run('forecast')} disabled={busy || storing || !data.target}>
          {busy ? 'Working…' : 'Forecast'}
        </button>
        <fieldset className="backtest-settings">
          <legend>Backtest</legend>
          <div className="pair">
            <div>
              <label htmlFor="windows">Windows</label>
              <input id="windows" type="number" min={1} max={50} value={windows} onChange={(event) => custom(setWindows)(Number(event.target.value))} />
            </div>
            <div>
              <label htmlFor="step">Step between cutoffs</label>
              <input id="step" type="number" min={1} max={10000} value={step} onChange={(event) => custom(setStep)(Number(event.target.value))} />
            </div>
          </div>
          <div className="checks" role="group" aria-label="Models to compare">
            {models.map((model) => (
              <label key={model.id} className="check">
                <input
                  type="checkbox"
                  name="compare-model"
                  value={model.id}
                  checked={compared === null ? !model.needsDownload && !model.optIn : compared.includes(model.id)}
                  onChange={(event) => toggleCompared(model.id, event.target.checked)}
                />{' '}
                {model.label}
              </label>
            ))}
          </div>
          <button type="button" data-testid="backtest-button" onClick={() => run('backtest')} disabled={busy || storing || !data.target}>
            Backtest &amp; compare
          </button>
        </fieldset>
        {busy && (
          <button type="button" className="secondary" data-testid="cancel-button" onClick={() => abortRef.current?.abort()}>
            Cancel
          </button>
        )}
        <div
          className={`dropzone${dragging ? ' active' : ''}`}
          data-testid="dropzone"
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          Drop a CSV or parquet file here, or{' '}
          <label style={{ display: 'inline', color: 'var(--accent)', cursor: 'pointer' }}>
            choose a file
            <input type="file" accept=".csv,text/csv,.parquet" data-testid="csv-input" hidden onChange={(event) => event.target.files?.[0] && readFile(event.target.files[0])} />
          </label>
        </div>
        {upload && (
          <p className="note" data-testid="upload-summary">
            {upload.name}: {upload.rowCount} rows, {upload.series && upload.series.length > 1 ? `${upload.series.length} series (${upload.layout} layout), ` : ''}
            {upload.numericColumns.length} numeric column(s)
            {upload.frequency ? `, frequency ${upload.frequency}` : ', no timestamps'}.{' '}
            {upload.warnings.join(' ')} <span data-testid="upload-stored">{uploadNote}</span>
          </p>
        )}
        {wideFile && (
          <fieldset data-testid="wide-dates">
            <legend>Dates for the wide file</legend>
            <p className="note">Its values sit in columns V1..Vn without dates, so they are numbered as steps. Give a frequency and the time of V1 to place them in time.</p>
            <div className="pair">
              <div>
                <label htmlFor="wide-frequency">Frequency</label>
                <input id="wide-frequency" value={wideFrequency} placeholder="1M" title="1D, 1W, 1M, 1Q, 1Y, 1h, 15min, ..." onChange={(event) => setWideFrequency(event.target.value)} />
              </div>
              <div>
                <label htmlFor="wide-start">Start (time of V1)</label>
                <input id="wide-start" value={wideStart} placeholder="2000-01-01 or 1998 Q1" onChange={(event) => setWideStart(event.target.value)} />
              </div>
            </div>
            <button
              type="button"
              data-testid="wide-apply"
              disabled={storing || busy || !wideFrequency.trim() || !wideStart.trim()}
              onClick={() => void readFile(wideFile, { frequency: wideFrequency.trim(), start: wideStart.trim() })}
            >
              Read again with these dates
            </button>
          </fieldset>
        )}
        <label htmlFor="device">Device for learned models</label>
        <select id="device" value={devicePreference} onChange={(event) => setDevicePreference(event.target.value as DevicePreference)}>
          <option value="auto">Automatic (WebGPU when a hardware adapter exists, else WASM)</option>
          <option value="webgpu">WebGPU</option>
          <option value="wasm">WASM</option>
        </select>
        <label htmlFor="threads">WASM threads</label>
        <select id="threads" value={String(threads)} onChange={(event) => setThreads(event.target.value === 'auto' ? 'auto' : Number(event.target.value))}>
          <option value="auto">Automatic ({deviceReport?.wasm.cores ?? '?'} cores{deviceReport && !deviceReport.wasm.crossOriginIsolated ? ', but 1 without cross-origin isolation' : ''})</option>
          {THREAD_CHOICES.map((count) => (
            <option key={count} value={count}>
              {count}
            </option>
          ))}
        </select>
        <p className="note" data-testid="device">
          {device ? `Device: ${device.label}. ${device.reason}.` : 'Checking WebGPU and WASM…'}
        </p>
        <label htmlFor="weights">Chronos-Bolt weights (converted in the browser)</label>
        <select id="weights" value={weights} onChange={(event) => setWeights(event.target.value as 'fp32' | 'fp16')}>
          <option value="fp32">fp32 (exact)</option>
          <option value="fp16">fp16 (half the size)</option>
        </select>
        <BrowserModelsPanel refreshKey={runCount} />
      </section>
      <div className="result-column">
      <section className="panel result-panel" aria-label="Result">
        {error && (
          <div className="error" role="alert" data-testid="error">
            {error}
          </div>
        )}
        {cancelled && !busy && (
          <p className="note" data-testid="cancelled">
            Cancelled. Nothing of an unfinished model download is kept; choose the model again to start over.
          </p>
        )}
        {busy && progress && (
          <div className="status" data-testid="progress">
            {progress.message}
            {progress.fraction !== undefined && <progress value={progress.fraction} max={1} />}
          </div>
        )}
        {!report && !error && !busy && <p className="note">Pick data and a model, then press Forecast, or compare every model with a backtest.</p>}
        {shown && <ReportView key={`${shown.report.model.id}:${shown.report.timings.totalMs}`} report={shown.report} history={shown.history} />}
        {!localOnly && (
          <SeriesPanel
            client={clientRef.current}
            currentConfig={currentConfig}
            transport={sources.some((source) => source.id === data.source && (source.kind === 'parquet' || source.kind === 'upload')) ? 'parquet-range' : 'arrow'}
            device={devicePreference}
            onError={setError}
          />
        )}
        {dataset?.kind === 'dataset' && (
          <p className="note">
            {dataset.name}: {dataset.description} Source: <a href={dataset.sourceUrl}>{dataset.attribution}</a>, licence {dataset.licence}.
            {dataset.warnings.length ? ` Data quality: ${dataset.warnings.join(' ')}` : ''}
          </p>
        )}
      </section>
      <TrainingPanel
        currentConfig={currentConfig}
        sourceFor={seriesSource}
        device={devicePreference}
        onTrained={() => reloadModels()}
      />
      <JobsPanel currentConfig={currentConfig} models={models} webgpu={device?.device === 'webgpu'} onError={setError} />
      </div>
    </div>
  );
}
