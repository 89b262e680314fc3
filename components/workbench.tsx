'use client';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { ForecastClient } from '@/lib/client/forecast-client';
import type { CsvSummary, SeriesSource } from '@/lib/client/protocol';
import { reportFromBacktest, reportFromForecast } from '@/lib/client/report';
import {
  UPLOAD_SOURCE_PREFIX,
  applyPreset,
  findPreset,
  isUploadSource,
  parseForecastConfig,
  presetFrequencyWarning,
  windowLength,
  type ForecastConfig,
} from '@/lib/config';
import { DEFAULT_QUANTILE_LEVELS } from '@/lib/core/forecast';
import type { ModelInfo } from '@/lib/models/model';
import type { ForecastReport } from '@/lib/report/schema';
import type { DatasetSummary } from '@/lib/server/datasets';
import { chooseDevice, type DevicePreference, type DeviceReport } from '@/lib/runtime/device';
import { ConfigControls } from './config-controls';
import { ReportView } from './report-view';

export type RunKind = 'forecast' | 'backtest';

/** Upload limit: parsing happens in the browser, but a 50 MB text file is already a lot of DOM-free work. */
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
const UPLOAD_SOURCE = '__upload__';

/** Models the page offers: what the worker can run, minus test checkpoints. */
function offered(models: readonly ModelInfo[], showTestModels = false): ModelInfo[] {
  return models.filter((model) => showTestModels || !model.testOnly);
}

export interface WorkbenchProps {
  datasets: DatasetSummary[];
  models: ModelInfo[];
  /** From `/?config=`: applied on load, then run (`run`) once the worker is ready. */
  initialConfig?: ForecastConfig | null;
  initialRun?: RunKind | null;
  /** Why `/?config=` could not be used. */
  initialError?: string | null;
  /** Also list test checkpoints (labelled, never compared): `/?testModels=1`. */
  showTestModels?: boolean;
}

export function Workbench({ datasets, models: serverModels, initialConfig = null, initialRun = null, initialError = null, showTestModels = false }: WorkbenchProps) {
  const clientRef = useRef<ForecastClient | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  const autoRunDone = useRef(false);
  const [deviceReport, setDeviceReport] = useState<DeviceReport | null>(null);
  const [devicePreference, setDevicePreference] = useState<DevicePreference>('auto');
  const [models, setModels] = useState<ModelInfo[]>(offered(serverModels));
  const [sourceId, setSourceId] = useState(datasets[0]?.id ?? '');
  const [column, setColumn] = useState(datasets[0]?.columns.at(-1) ?? '');
  const [upload, setUpload] = useState<CsvSummary | null>(null);
  const [modelId, setModelId] = useState(offered(serverModels)[0]?.id ?? '');
  const [horizon, setHorizon] = useState(24);
  const [context, setContext] = useState(512);
  const [levelsText, setLevelsText] = useState(DEFAULT_QUANTILE_LEVELS.join(', '));
  const [windows, setWindows] = useState(3);
  const [step, setStep] = useState(24);
  /** null = every offered model. */
  const [compared, setCompared] = useState<string[] | null>(null);
  const [windowEnd, setWindowEnd] = useState('');
  const [preset, setPreset] = useState<string | null>(null);
  const [extra, setExtra] = useState<Pick<ForecastConfig, 'series' | 'covariates'>>({ series: '', covariates: [] });
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<{ message: string; fraction?: number } | null>(null);
  const [report, setReport] = useState<ForecastReport | null>(null);
  const [error, setError] = useState<string | null>(initialError);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    const client = new ForecastClient(new Worker(new URL('../workers/forecast.worker.ts', import.meta.url), { type: 'module' }));
    clientRef.current = client;
    client.probe().then(
      (message) => {
        setModels(offered(message.models, showTestModels));
        setDeviceReport(message.report);
      },
      (failure: Error) => setError(failure.message),
    );
    return () => client.dispose();
  }, []);

  const device = useMemo(() => (deviceReport ? chooseDevice(deviceReport, devicePreference) : null), [deviceReport, devicePreference]);
  const dataset = datasets.find((candidate) => candidate.id === sourceId);
  const columns = sourceId === UPLOAD_SOURCE ? (upload?.numericColumns ?? []) : (dataset?.columns ?? []);
  const dataFrequency = sourceId === UPLOAD_SOURCE ? (upload?.frequency ?? null) : (dataset?.frequency ?? null);
  const presetWarning = preset ? presetFrequencyWarning(findPreset(preset), dataFrequency) : null;

  const chooseSource = (id: string) => {
    setSourceId(id);
    const next = id === UPLOAD_SOURCE ? upload?.numericColumns : datasets.find((candidate) => candidate.id === id)?.columns;
    setColumn(next?.at(-1) ?? '');
  };

  /** The settings as a validated configuration; throws a readable LookaheadError when they are not. */
  const currentConfig = useCallback((): ForecastConfig => {
    const quantileLevels = levelsText
      .split(/[\s,;]+/)
      .filter(Boolean)
      .map(Number);
    return parseForecastConfig({
      version: 1,
      source: sourceId === UPLOAD_SOURCE ? `${UPLOAD_SOURCE_PREFIX}${upload?.name ?? ''}` : sourceId,
      series: extra.series,
      target: column,
      covariates: extra.covariates,
      window: { end: windowEnd.trim() === '' ? null : windowEnd.trim() },
      model: modelId,
      context,
      horizon,
      quantileLevels,
      backtest: { windows, step, models: compared ?? [] },
      preset,
    });
  }, [levelsText, sourceId, upload, extra, column, windowEnd, modelId, context, horizon, windows, step, compared, preset]);

  /** Puts a configuration into the settings; returns false (with the reason shown) when its data is not here. */
  const applyConfig = useCallback(
    (config: ForecastConfig): boolean => {
      if (isUploadSource(config.source)) {
        const name = config.source.slice(UPLOAD_SOURCE_PREFIX.length);
        if (upload?.name !== name) {
          setError(`config: this configuration uses the uploaded file "${name}"; drop that file on the page, then import the configuration again`);
          return false;
        }
        setSourceId(UPLOAD_SOURCE);
      } else if (!datasets.some((candidate) => candidate.id === config.source)) {
        setError(`config: source "${config.source}" is not available here; available: ${datasets.map((candidate) => candidate.id).join(', ')}`);
        return false;
      } else {
        setSourceId(config.source);
      }
      setColumn(config.target);
      setModelId(config.model);
      setHorizon(config.horizon);
      setContext(config.context);
      setLevelsText(config.quantileLevels.join(', '));
      setWindows(config.backtest.windows);
      setStep(config.backtest.step);
      setCompared(config.backtest.models.length ? config.backtest.models : null);
      setWindowEnd(config.window.end ?? '');
      setPreset(config.preset);
      setExtra({ series: config.series, covariates: config.covariates });
      setError(null);
      return true;
    },
    [datasets, upload],
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
    return { kind: 'dataset', datasetId: config.source, seriesId: config.series, column: config.target, limit, end: config.window.end };
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
      const dataName = isUploadSource(config.source)
        ? config.source.slice(UPLOAD_SOURCE_PREFIX.length)
        : (datasets.find((candidate) => candidate.id === config.source)?.name ?? config.source);
      const source = seriesSource(config, kind === 'forecast' ? config.context : windowLength(config));
      if (!source) return;
      setBusy(true);
      setError(null);
      setProgress({ message: 'starting' });
      const onProgress = (message: { message: string; fraction?: number }) => setProgress({ message: message.message, fraction: message.fraction });
      try {
        if (kind === 'forecast') {
          const result = await client.forecast(
            { source, modelId: config.model, horizon: config.horizon, quantileLevels: config.quantileLevels, device: devicePreference },
            { signal: controller.signal, onProgress },
          );
          setReport(reportFromForecast({ config, dataName, result }));
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
            },
            { signal: controller.signal, onProgress },
          );
          setReport(reportFromBacktest({ config, dataName, result }));
        }
      } catch (failure) {
        if ((failure as { code?: string }).code !== 'cancelled') setError((failure as Error).message);
      } finally {
        setBusy(false);
        setProgress(null);
      }
    },
    // seriesSource reads `upload` only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [currentConfig, datasets, upload, devicePreference],
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

  const readFile = async (file: File) => {
    setError(null);
    if (file.size > MAX_UPLOAD_BYTES) {
      setError(`upload: ${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the limit is ${MAX_UPLOAD_BYTES / 1e6} MB`);
      return;
    }
    try {
      const table = await clientRef.current!.parseCsv(file.name, await file.text());
      setUpload(table);
      setSourceId(UPLOAD_SOURCE);
      setColumn(table.numericColumns.at(-1) ?? '');
    } catch (failure) {
      setError((failure as Error).message);
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
    const current = compared ?? models.map((model) => model.id);
    const next = on ? [...new Set([...current, id])] : current.filter((candidate) => candidate !== id);
    // Keep the offered order; "every model" is stored as [] so new models join automatically.
    const ordered = models.map((model) => model.id).filter((candidate) => next.includes(candidate));
    setCompared(ordered.length === models.length ? null : ordered);
  };
  const custom = (setter: (value: number) => void) => (value: number) => {
    setter(value);
    setPreset(null);
  };

  return (
    <div className="grid">
      <section className="panel" aria-label="Forecast settings">
        <h2>Forecast</h2>
        <label htmlFor="source">Data</label>
        <select id="source" value={sourceId} onChange={(event) => chooseSource(event.target.value)}>
          {datasets.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name} ({candidate.rowCount.toLocaleString('en')} rows{candidate.frequency ? `, ${candidate.frequency}` : ''})
            </option>
          ))}
          {upload && <option value={UPLOAD_SOURCE}>Uploaded: {upload.name}</option>}
        </select>
        <label htmlFor="column">Target column</label>
        <select id="column" value={column} onChange={(event) => setColumn(event.target.value)}>
          {columns.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
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
        {!models.some((model) => model.family === 'chronos-bolt' && !model.testOnly) && (
          <p className="note" data-testid="no-chronos">
            No Chronos-Bolt model is installed. To add one: <code>npm run models:pull -- amazon/chronos-bolt-small</code>, then restart.
          </p>
        )}
        <ConfigControls preset={preset} onPreset={choosePreset} currentConfig={currentConfig} onImport={applyConfig} onError={setError} />
        {presetWarning && <p className="note">{presetWarning}</p>}
        <div className="pair">
          <div>
            <label htmlFor="horizon">Horizon (steps ahead)</label>
            <input id="horizon" type="number" min={1} max={10000} value={horizon} onChange={(event) => custom(setHorizon)(Number(event.target.value))} />
          </div>
          <div>
            <label htmlFor="context">Context (most recent points used)</label>
            <input id="context" type="number" min={2} max={100000} value={context} onChange={(event) => custom(setContext)(Number(event.target.value))} />
          </div>
        </div>
        <label htmlFor="levels">Quantile levels</label>
        <input id="levels" type="text" value={levelsText} onChange={(event) => setLevelsText(event.target.value)} />
        <label htmlFor="window-end">Data up to (ISO time; empty = newest)</label>
        <input id="window-end" type="text" placeholder="newest" value={windowEnd} onChange={(event) => setWindowEnd(event.target.value)} />
        <button type="button" onClick={() => run('forecast')} disabled={busy || !column}>
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
                  checked={compared === null || compared.includes(model.id)}
                  onChange={(event) => toggleCompared(model.id, event.target.checked)}
                />{' '}
                {model.label}
              </label>
            ))}
          </div>
          <button type="button" data-testid="backtest-button" onClick={() => run('backtest')} disabled={busy || !column}>
            Backtest &amp; compare
          </button>
        </fieldset>
        {busy && (
          <button type="button" className="secondary" onClick={() => abortRef.current?.abort()}>
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
          Drop a CSV here, or{' '}
          <label style={{ display: 'inline', color: 'var(--accent)', cursor: 'pointer' }}>
            choose a file
            <input type="file" accept=".csv,text/csv" data-testid="csv-input" hidden onChange={(event) => event.target.files?.[0] && readFile(event.target.files[0])} />
          </label>
        </div>
        {upload && sourceId === UPLOAD_SOURCE && (
          <p className="note" data-testid="upload-summary">
            {upload.name}: {upload.rowCount} rows, {upload.numericColumns.length} numeric column(s)
            {upload.frequency ? `, frequency ${upload.frequency}` : ', no timestamps'}.{' '}
            {upload.warnings.join(' ')}
          </p>
        )}
        <label htmlFor="device">Device for learned models</label>
        <select id="device" value={devicePreference} onChange={(event) => setDevicePreference(event.target.value as DevicePreference)}>
          <option value="auto">Automatic (WebGPU when a hardware adapter exists, else WASM)</option>
          <option value="webgpu">WebGPU</option>
          <option value="wasm">WASM</option>
        </select>
        <p className="note" data-testid="device">
          {device ? `Device: ${device.label}. ${device.reason}.` : 'Checking WebGPU and WASM…'}
        </p>
      </section>
      <section className="panel result-panel" aria-label="Result">
        {error && (
          <div className="error" role="alert" data-testid="error">
            {error}
          </div>
        )}
        {busy && progress && (
          <div className="status" data-testid="progress">
            {progress.message}
            {progress.fraction !== undefined && <progress value={progress.fraction} max={1} />}
          </div>
        )}
        {!report && !error && !busy && <p className="note">Pick data and a model, then press Forecast, or compare every model with a backtest.</p>}
        {report && <ReportView key={`${report.model.id}:${report.timings.totalMs}`} report={report} />}
        {dataset && sourceId !== UPLOAD_SOURCE && (
          <p className="note">
            {dataset.name}: {dataset.description} Source: <a href={dataset.sourceUrl}>{dataset.attribution}</a>, licence {dataset.licence}.
            {dataset.warnings.length ? ` Data quality: ${dataset.warnings.join(' ')}` : ''}
          </p>
        )}
      </section>
    </div>
  );
}
