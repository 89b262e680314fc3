'use client';
import { useEffect, useMemo, useRef, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ForecastClient } from '@/lib/client/forecast-client';
import type { ForecastResult, SeriesSource } from '@/lib/client/protocol';
import { windowLength, windowParams, type ForecastConfig } from '@/lib/config';
import { compareAcrossSeries, COMPARISON_COLUMNS, type ManySeriesComparison } from '@/lib/evaluation';
import { manySeriesForecastCsv } from '@/lib/export';
import type { DevicePreference } from '@/lib/runtime/device';
import { saveBlob } from './download';
import { csrfHeaders } from '@/lib/client/csrf';
import { jobRequestFromConfig } from '@/lib/client/job-request';

/**
 * The series of a multi-series source (an upload in long or wide layout, a table with a series id
 * column): pick one or several, forecast them in the browser one after another and overlay them,
 * backtest them and compare the models across all of them, and export every forecast in long
 * format. Many series at once are a server job's work; that button says why it is not offered.
 */

/** Series the browser forecasts in one go; more is a server job (GET /api/jobs answers when there is one). */
export const BROWSER_SERIES_MAX = 100;
/** Series drawn in the overlay chart at most (a chart of 100 lines says nothing). */
const OVERLAY_MAX = 8;
const COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#be185d', '#4b5563'];

/**
 * Forecasts every series of a source on the server: the one call into the job queue (POST /api/jobs,
 * kind "forecast-batch", built in another issue). The request body below is this panel's guess at
 * that API; point it at the real schema when the queue is merged. Answers the job id.
 */
export async function submitForecastAllJob(config: ForecastConfig, signal?: AbortSignal): Promise<{ jobId: string }> {
  // The same request the Jobs panel sends (lib/client/job-request): every series of the source.
  const request = jobRequestFromConfig(config, 'forecast-batch');
  const response = await fetch('/api/jobs', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...csrfHeaders() },
    signal: signal ?? null,
    body: JSON.stringify(request),
  });
  const body = (await response.json().catch(() => null)) as { id?: unknown; error?: { message?: string } } | null;
  if (!response.ok || typeof body?.id !== 'string') {
    throw new Error(`jobs: the server did not take the forecast job: ${body?.error?.message ?? `HTTP ${response.status}`}`);
  }
  return { jobId: body.id };
}

interface SeriesInfo {
  id: string;
  rowCount: number;
  start: string | null;
  end: string | null;
}

export interface SeriesPanelProps {
  client: ForecastClient | null;
  /** The current settings (throws a readable error when they are invalid). */
  currentConfig: () => ForecastConfig;
  transport: 'arrow' | 'parquet-range';
  device: DevicePreference;
  onError: (message: string) => void;
}

export function SeriesPanel({ client, currentConfig, transport, device, onError }: SeriesPanelProps) {
  let config: ForecastConfig | null = null;
  try {
    config = currentConfig();
  } catch {
    config = null;
  }
  const [series, setSeries] = useState<SeriesInfo[] | null>(null);
  const [truncated, setTruncated] = useState(false);
  const [checked, setChecked] = useState<string[]>([]);
  const [progress, setProgress] = useState<string | null>(null);
  const [results, setResults] = useState<{ seriesId: string; result: ForecastResult }[]>([]);
  const [comparison, setComparison] = useState<ManySeriesComparison | null>(null);
  const [jobsAvailable, setJobsAvailable] = useState<boolean | null>(null);
  const [jobNote, setJobNote] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const source = config?.source ?? '';
  const time = config?.time ?? null;
  const entity = config?.entity ?? null;
  const table = config?.table ?? null;

  useEffect(() => {
    setSeries(null);
    setResults([]);
    setComparison(null);
    if (!source || !entity || !time) return;
    const controller = new AbortController();
    const params = new URLSearchParams({ time, entity });
    if (table) params.set('table', table);
    fetch(`/api/sources/${encodeURIComponent(source)}/series?${params}`, { signal: controller.signal })
      .then(async (response) => {
        const body = (await response.json()) as { series?: SeriesInfo[]; truncated?: boolean; error?: { message?: string } };
        if (!response.ok || !body.series) throw new Error(body.error?.message ?? `series: HTTP ${response.status}`);
        setSeries(body.series);
        setTruncated(Boolean(body.truncated));
        setChecked(body.series.slice(0, Math.min(body.series.length, 3)).map((entry) => entry.id));
      })
      .catch((failure: Error) => controller.signal.aborted || onError(failure.message));
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source, entity, time, table]);

  // Whether this server runs forecast jobs (another part of the app adds /api/jobs).
  useEffect(() => {
    fetch('/api/jobs', { method: 'GET' })
      .then((response) => setJobsAvailable(response.ok))
      .catch(() => setJobsAvailable(false));
  }, []);

  const overlay = useMemo(() => {
    const shown = results.slice(0, OVERLAY_MAX);
    const rows = new Map<number, Record<string, number>>();
    const put = (ms: number, key: string, value: number) => {
      if (!Number.isFinite(value)) return;
      const row = rows.get(ms) ?? { t: ms };
      row[key] = value;
      rows.set(ms, row);
    };
    for (const { seriesId, result } of shown) {
      const history = result.history;
      history.values.forEach((value, index) => put(history.timestampsMs?.[index] ?? index, `${seriesId}`, value));
      const median = result.forecast.quantiles[result.forecast.quantileLevels.indexOf(0.5)] ?? result.forecast.mean;
      median.forEach((value, step) => put(result.forecastTimestampsMs?.[step] ?? history.values.length + step, `${seriesId} forecast`, value));
    }
    return { shown, data: [...rows.values()].sort((a, b) => a.t! - b.t!) };
  }, [results]);

  if (!config || !entity || !series || series.length < 2) return null;

  const sourceFor = (seriesId: string, limit: number): SeriesSource => ({
    kind: 'source',
    sourceId: config!.source,
    column: config!.target,
    limit,
    params: windowParams({ ...config!, series: seriesId }, limit),
    transport,
  });

  const run = async (kind: 'forecast' | 'backtest', ids: string[]) => {
    if (!client || ids.length === 0) return;
    let settings: ForecastConfig;
    try {
      settings = currentConfig();
    } catch (failure) {
      onError((failure as Error).message);
      return;
    }
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setResults([]);
    setComparison(null);
    const forecasts: { seriesId: string; result: ForecastResult }[] = [];
    const scored: Parameters<typeof compareAcrossSeries>[0]['series'][number][] = [];
    try {
      for (const [index, seriesId] of ids.entries()) {
        setProgress(`${kind === 'forecast' ? 'forecasting' : 'backtesting'} series ${index + 1} of ${ids.length}: ${seriesId}`);
        if (kind === 'forecast') {
          const result = await client.forecast(
            { source: sourceFor(seriesId, settings.context), modelId: settings.model, horizon: settings.horizon, quantileLevels: settings.quantileLevels, device },
            { signal: controller.signal },
          );
          forecasts.push({ seriesId, result });
          setResults([...forecasts]);
        } else {
          const result = await client.backtest(
            {
              source: sourceFor(seriesId, windowLength(settings)),
              modelIds: settings.backtest.models,
              horizon: settings.horizon,
              context: settings.context,
              quantileLevels: settings.quantileLevels,
              windows: settings.backtest.windows,
              step: settings.backtest.step,
              device,
            },
            { signal: controller.signal },
          );
          scored.push({
            seriesId,
            models: result.models.map((model) => ({ modelId: model.model.id, windows: model.windows.map((window) => window.metrics), timeMs: model.timings.totalMs })),
          });
          setComparison(compareAcrossSeries({ series: scored }));
        }
      }
    } catch (failure) {
      if ((failure as { code?: string }).code !== 'cancelled') onError((failure as Error).message);
    } finally {
      setProgress(null);
    }
  };

  const submitJob = async () => {
    setJobNote('submitting the job…');
    setJobId(null);
    try {
      const { jobId: submitted } = await submitForecastAllJob(currentConfig());
      setJobId(submitted);
      setJobNote(`submitted as job ${submitted}; follow it on the jobs page.`);
    } catch (failure) {
      setJobNote(null);
      onError((failure as Error).message);
    }
  };

  const exportLong = () => {
    const csv = manySeriesForecastCsv(
      results.map(({ seriesId, result }) => ({
        seriesId,
        timestampsMs: result.forecastTimestampsMs,
        quantileLevels: result.forecast.quantileLevels,
        quantiles: result.forecast.quantiles,
        mean: result.forecast.mean,
      })),
    );
    saveBlob(new Blob([csv], { type: 'text/csv' }), `${config!.source}-${config!.model}-forecasts.csv`);
  };

  const tooMany = series.length > BROWSER_SERIES_MAX;
  const jobReason =
    jobsAvailable === true
      ? 'forecast jobs run on the server workers'
      : 'the server has no job API (POST /api/jobs) yet; forecast up to ' + `${BROWSER_SERIES_MAX} series at a time in the browser`;
  const shownColumns = COMPARISON_COLUMNS.filter((column) => ['mase', 'wql', 'relativeMase', 'relativeWql'].includes(column.metric));

  return (
    <section className="series-panel" aria-label="Series" data-testid="series-panel">
      <h3>
        {series.length.toLocaleString('en')} series{truncated ? ' (first ones listed)' : ''}
      </h3>
      <div className="checks series-checks" role="group" aria-label="Series to forecast">
        {series.slice(0, 200).map((entry) => (
          <label key={entry.id} className="check">
            <input
              type="checkbox"
              data-testid="series-check"
              value={entry.id}
              checked={checked.includes(entry.id)}
              onChange={(event) => setChecked(event.target.checked ? [...checked, entry.id] : checked.filter((id) => id !== entry.id))}
            />{' '}
            {entry.id} <span className="note">({entry.rowCount.toLocaleString('en')} rows)</span>
          </label>
        ))}
      </div>
      <div className="pair">
        <button type="button" data-testid="forecast-selected" disabled={Boolean(progress) || checked.length === 0 || checked.length > BROWSER_SERIES_MAX} onClick={() => run('forecast', checked)}>
          Forecast {checked.length} selected (overlay)
        </button>
        <button
          type="button"
          data-testid="forecast-all"
          disabled={Boolean(progress) || tooMany}
          title={tooMany ? `${series.length} series is more than the browser runs (${BROWSER_SERIES_MAX}); use a server job` : undefined}
          onClick={() => run('forecast', series.map((entry) => entry.id))}
        >
          Forecast all {series.length} series in the browser
        </button>
      </div>
      <div className="pair">
        <button type="button" data-testid="backtest-selected" className="secondary" disabled={Boolean(progress) || checked.length === 0 || checked.length > BROWSER_SERIES_MAX} onClick={() => run('backtest', checked)}>
          Backtest {checked.length} selected &amp; compare
        </button>
        <button type="button" data-testid="forecast-job" className="secondary" disabled={jobsAvailable !== true || jobNote === 'submitting the job…'} title={jobReason} onClick={() => void submitJob()}>
          Forecast all as a server job
        </button>
      </div>
      <p className="note" data-testid="forecast-job-reason">
        Server job: {jobsAvailable === true ? (jobNote ?? `runs all ${series.length} series on the server workers.`) : `not available: ${jobReason}.`}
        {jobId && (
          <>
            {' '}
            <a data-testid="forecast-job-long" href={`/api/jobs/${encodeURIComponent(jobId)}/results?format=long`} download>
              Its forecasts as long CSV (unique_id, ds, levels)
            </a>{' '}
            once it is done.
          </>
        )}
      </p>
      {progress && (
        <p className="status" data-testid="series-progress">
          {progress}{' '}
          <button type="button" className="secondary" onClick={() => abort.current?.abort()}>
            Cancel
          </button>
        </p>
      )}

      {results.length > 0 && (
        <>
          <div style={{ width: '100%', height: 280 }} data-testid="series-overlay">
            <ResponsiveContainer>
              <LineChart data={overlay.data}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} tickFormatter={(ms: number) => new Date(ms).toISOString().slice(0, 10)} />
                <YAxis />
                <Tooltip labelFormatter={(ms) => new Date(Number(ms)).toISOString().slice(0, 16).replace('T', ' ')} />
                <Legend />
                {overlay.shown.flatMap(({ seriesId }, index) => [
                  <Line key={seriesId} dataKey={seriesId} stroke={COLORS[index % COLORS.length]} dot={false} isAnimationActive={false} connectNulls={false} />,
                  <Line key={`${seriesId} forecast`} dataKey={`${seriesId} forecast`} stroke={COLORS[index % COLORS.length]} strokeDasharray="5 3" dot={false} isAnimationActive={false} />,
                ])}
              </LineChart>
            </ResponsiveContainer>
          </div>
          {results.length > OVERLAY_MAX && <p className="note">The chart overlays the first {OVERLAY_MAX}; the table and the export hold all {results.length}.</p>}
          <table className="table" data-testid="series-results">
            <thead>
              <tr>
                <th>Series</th>
                <th>Points used</th>
                <th>First step (median)</th>
                <th>Last step (median)</th>
              </tr>
            </thead>
            <tbody>
              {results.map(({ seriesId, result }) => {
                const median = result.forecast.quantiles[result.forecast.quantileLevels.indexOf(0.5)] ?? result.forecast.mean;
                return (
                  <tr key={seriesId} data-testid="series-result" data-series={seriesId} data-first={median[0]} data-steps={median.length} data-first-time={result.forecastTimestampsMs?.[0]} data-last-time={result.forecastTimestampsMs?.at(-1)}>
                    <td>{seriesId}</td>
                    <td>{result.history.values.length}</td>
                    <td>{median[0]?.toPrecision(5)}</td>
                    <td>{median.at(-1)?.toPrecision(5)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <button type="button" data-testid="export-long" onClick={exportLong}>
            Export {results.length} forecasts (long CSV: unique_id, ds, levels)
          </button>
        </>
      )}

      {comparison && (
        <table className="table" data-testid="series-comparison">
          <caption>
            Across series: every window pooled; MASE / SN and WQL / SN are geometric means relative to seasonal naive
          </caption>
          <thead>
            <tr>
              <th>Model</th>
              <th>Series</th>
              {shownColumns.map((column) => (
                <th key={column.metric} title={column.description}>
                  {column.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {comparison.rows.map((row) => (
              <tr key={row.modelId} data-testid="series-comparison-row" data-model={row.modelId}>
                <td>{row.modelId}</td>
                <td>{comparison.seriesCount[row.modelId] ?? 0}</td>
                {shownColumns.map((column) => (
                  <td key={column.metric} className={row.best.includes(column.metric) ? 'best' : undefined}>
                    {row.values[column.metric] === null ? '–' : row.values[column.metric]!.toFixed(3)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
