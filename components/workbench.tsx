'use client';
import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import { ForecastClient } from '@/lib/client/forecast-client';
import type { CsvSummary, ForecastResult, SeriesSource } from '@/lib/client/protocol';
import { DEFAULT_QUANTILE_LEVELS, quantileAt, pointForecast } from '@/lib/core/forecast';
import { frequencyFromLabel } from '@/lib/core/frequency';
import { formatTimestamp } from '@/lib/core/time-format';
import type { DatasetSummary } from '@/lib/server/datasets';
import type { DeviceChoice } from '@/lib/runtime/device';
import { ForecastChart } from './forecast-chart';

interface ModelOption {
  id: string;
  label: string;
}

/** Upload limit: parsing happens in the browser, but a 50 MB text file is already a lot of DOM-free work. */
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
const UPLOAD_SOURCE = '__upload__';

export function Workbench({ datasets, models }: { datasets: DatasetSummary[]; models: ModelOption[] }) {
  const clientRef = useRef<ForecastClient | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  const [device, setDevice] = useState<DeviceChoice | null>(null);
  const [sourceId, setSourceId] = useState(datasets[0]?.id ?? '');
  const [column, setColumn] = useState(datasets[0]?.columns.at(-1) ?? '');
  const [upload, setUpload] = useState<CsvSummary | null>(null);
  const [modelId, setModelId] = useState(models[0]?.id ?? '');
  const [horizon, setHorizon] = useState(24);
  const [context, setContext] = useState(512);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<string | null>(null);
  const [result, setResult] = useState<ForecastResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    const client = new ForecastClient(new Worker(new URL('../workers/forecast.worker.ts', import.meta.url), { type: 'module' }));
    clientRef.current = client;
    client.probe().then((message) => setDevice(message.choice), (failure: Error) => setError(failure.message));
    return () => client.dispose();
  }, []);

  const dataset = datasets.find((candidate) => candidate.id === sourceId);
  const columns = sourceId === UPLOAD_SOURCE ? (upload?.numericColumns ?? []) : (dataset?.columns ?? []);

  const chooseSource = (id: string) => {
    setSourceId(id);
    const next = id === UPLOAD_SOURCE ? upload?.numericColumns : datasets.find((candidate) => candidate.id === id)?.columns;
    setColumn(next?.at(-1) ?? '');
  };

  const runForecast = useCallback(async () => {
    const client = clientRef.current;
    if (!client) return;
    abortRef.current?.abort();
    const controller = new AbortController();
    abortRef.current = controller;
    let source: SeriesSource;
    if (sourceId === UPLOAD_SOURCE) {
      if (!upload) return;
      const values = upload.values[column] ?? [];
      const start = Math.max(0, values.length - context);
      source = {
        kind: 'inline',
        name: upload.name,
        column,
        timestampsMs: upload.timestampsMs ? upload.timestampsMs.slice(start) : null,
        values: values.slice(start),
        frequency: upload.frequency,
      };
    } else {
      source = { kind: 'dataset', datasetId: sourceId, column, limit: context };
    }
    setBusy(true);
    setError(null);
    setProgress('starting');
    try {
      const next = await client.forecast(
        { source, modelId, horizon, quantileLevels: [...DEFAULT_QUANTILE_LEVELS] },
        { signal: controller.signal, onProgress: (message) => setProgress(message.message) },
      );
      setResult(next);
    } catch (failure) {
      if ((failure as { code?: string }).code !== 'cancelled') setError((failure as Error).message);
    } finally {
      setBusy(false);
      setProgress(null);
    }
  }, [sourceId, upload, column, context, modelId, horizon]);

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
          {models.map((model) => (
            <option key={model.id} value={model.id}>
              {model.label}
            </option>
          ))}
        </select>
        <label htmlFor="horizon">Horizon (steps ahead)</label>
        <input id="horizon" type="number" min={1} max={10000} value={horizon} onChange={(event) => setHorizon(Number(event.target.value))} />
        <label htmlFor="context">Context (most recent points used)</label>
        <input id="context" type="number" min={2} max={100000} value={context} onChange={(event) => setContext(Number(event.target.value))} />
        <button type="button" onClick={runForecast} disabled={busy || !column}>
          {busy ? 'Forecasting…' : 'Forecast'}
        </button>
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
        <p className="note" data-testid="device">
          {device ? `Device: ${device.label}. ${device.reason}.` : 'Checking WebGPU and WASM…'}
        </p>
      </section>
      <section className="panel" aria-label="Result">
        {error && (
          <div className="error" role="alert" data-testid="error">
            {error}
          </div>
        )}
        {busy && progress && <p className="status">{progress}</p>}
        {!result && !error && !busy && <p className="note">Pick data and a model, then press Forecast.</p>}
        {result && <ResultView result={result} />}
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

function ResultView({ result }: { result: ForecastResult }) {
  const frequency = result.frequency ? frequencyFromLabel(result.frequency) : null;
  const median = pointForecast(result.forecast);
  const lower = quantileAt(result.forecast, 0.1);
  const upper = quantileAt(result.forecast, 0.9);
  const label = (step: number) => (result.forecastTimestampsMs ? formatTimestamp(result.forecastTimestampsMs[step]!, frequency) : `+${step + 1}`);
  return (
    <div data-testid="result">
      <p className="status" data-testid="runtime">
        {result.model.label} on {result.history.values.length} points · computed with <strong>{result.runtime.label}</strong> in{' '}
        <strong data-testid="elapsed">{result.timings.totalMs.toFixed(0)} ms</strong> (fetch {result.timings.fetchMs.toFixed(0)} ms, fit{' '}
        {result.timings.fitMs.toFixed(0)} ms, forecast {result.timings.forecastMs.toFixed(0)} ms)
      </p>
      <ForecastChart result={result} />
      {result.forecast.notes?.map((note) => (
        <p className="note" key={note}>
          {note}
        </p>
      ))}
      <details open>
        <summary>Forecast values</summary>
        <table className="numbers" data-testid="forecast-table">
          <thead>
            <tr>
              <th>time</th>
              <th>10%</th>
              <th>median</th>
              <th>90%</th>
            </tr>
          </thead>
          <tbody>
            {median.map((value, step) => (
              <tr key={step}>
                <td>{label(step)}</td>
                <td data-value={lower[step]}>{lower[step]!.toFixed(3)}</td>
                <td data-value={value} data-testid="median">
                  {value.toFixed(3)}
                </td>
                <td data-value={upper[step]}>{upper[step]!.toFixed(3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
