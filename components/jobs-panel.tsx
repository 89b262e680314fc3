'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ForecastConfig } from '@/lib/config';
import type { ModelInfo } from '@/lib/models/model';
import { advisePlacement, type Placement } from '@/lib/client/job-placement';
import { jobRequestFromConfig, type JobKindName } from '@/lib/client/job-request';
import { csrfHeaders } from '@/lib/client/csrf';
import { buildJobShareSnapshot, type JobForecastPayload } from '@/lib/report/job-snapshot';
import { JobSeriesChart, type JobSeriesResult } from './job-series-chart';

/**
 * The Jobs view: run the current configuration on the server for every series of the table,
 * follow it live (server-sent events: progress bar, rate, time left), cancel it, read its
 * failures, browse its results (search, each series' chart) and download them. Next to the
 * buttons, the suggestion: browser or server for this amount of work on this device, and why.
 */

interface JobView {
  id: string;
  kind: string;
  state: string;
  title: string;
  totalSeries: number;
  seriesDone: number;
  seriesFailed: number;
  attempts: number;
  totalChunks: number;
  workers: string[];
  failures: { seriesId: string; error: string | null }[];
  rate: number | null;
  etaSeconds: number | null;
  elapsedMs: number | null;
  terminal: boolean;
  summary: Record<string, unknown> | null;
  params: Record<string, unknown>;
}

interface ResultEntry {
  seriesId: string;
  position: number;
  status: 'ok' | 'failed';
  error: string | null;
}

export interface JobsPanelProps {
  currentConfig: () => ForecastConfig;
  models: readonly ModelInfo[];
  webgpu: boolean;
  onError: (message: string | null) => void;
}

async function readJson<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => null)) as (T & { error?: { message?: string } }) | null;
  if (!response.ok) throw new Error(body?.error?.message ?? `the server answered HTTP ${response.status}`);
  return body as T;
}

function seriesQuery(config: ForecastConfig): string {
  const query = new URLSearchParams();
  if (config.table) query.set('table', config.table);
  if (config.time) query.set('time', config.time);
  query.set('columns', config.target);
  if (config.entity) query.set('entity', config.entity);
  return query.toString();
}

export function JobsPanel({ currentConfig, models, webgpu, onError }: JobsPanelProps) {
  const [jobs, setJobs] = useState<JobView[]>([]);
  const [selected, setSelected] = useState<JobView | null>(null);
  const [seriesCount, setSeriesCount] = useState<number | null>(null);
  // The source's list stops at 10,000; a job over the whole table still runs every series (the server enumerates them).
  const [seriesMore, setSeriesMore] = useState(false);
  const [override, setOverride] = useState<'auto' | Placement>('auto');
  const [submitting, setSubmitting] = useState(false);
  const [results, setResults] = useState<ResultEntry[]>([]);
  const [search, setSearch] = useState('');
  const [chart, setChart] = useState<{ seriesId: string; result: JobSeriesResult } | null>(null);
  const [shared, setShared] = useState<{ jobId: string; seriesId: string; url: string } | null>(null);
  const [sharing, setSharing] = useState(false);
  const sourceRef = useRef<EventSource | null>(null);

  let config: ForecastConfig | null = null;
  try {
    config = currentConfig();
  } catch {
    config = null;
  }
  const configKey = config ? `${config.source}|${config.table}|${config.entity}|${config.target}` : '';

  useEffect(() => {
    if (!config || config.source.startsWith('upload:')) return setSeriesCount(null);
    const controller = new AbortController();
    fetch(`/api/sources/${encodeURIComponent(config.source)}/series?${seriesQuery(config)}`, { signal: controller.signal })
      .then((response) => readJson<{ series: unknown[]; truncated: boolean }>(response))
      .then((body) => {
        setSeriesCount(body.series.length);
        setSeriesMore(body.truncated);
      })
      .catch(() => setSeriesCount(null));
    return () => controller.abort();
    // configKey names everything the count depends on.
  }, [configKey]);

  const refresh = useCallback(async () => {
    try {
      setJobs((await readJson<{ jobs: JobView[] }>(await fetch('/api/jobs?limit=20'))).jobs);
    } catch {
      // The list is a convenience; the selected job's own stream carries the live state.
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const follow = useCallback(
    (job: JobView) => {
      sourceRef.current?.close();
      setSelected(job);
      setChart(null);
      setResults([]);
      if (job.terminal) return;
      const events = new EventSource(`/api/jobs/${job.id}/events`);
      sourceRef.current = events;
      const update = (event: MessageEvent<string>) => setSelected(JSON.parse(event.data) as JobView);
      events.addEventListener('progress', update);
      for (const name of ['done', 'failed']) {
        events.addEventListener(name, (event) => {
          update(event as MessageEvent<string>);
          events.close();
          void refresh();
        });
      }
    },
    [refresh],
  );

  useEffect(() => () => sourceRef.current?.close(), []);

  useEffect(() => {
    if (!selected || selected.seriesDone + selected.seriesFailed === 0) return;
    const controller = new AbortController();
    const query = new URLSearchParams({ limit: '50', ...(search ? { search } : {}) });
    fetch(`/api/jobs/${selected.id}/results?${query}`, { signal: controller.signal })
      .then((response) => readJson<{ results: ResultEntry[] }>(response))
      .then((body) => setResults(body.results))
      .catch(() => undefined);
    return () => controller.abort();
  }, [selected?.id, selected?.terminal, search, selected && Math.floor((selected.seriesDone + selected.seriesFailed) / 500)]);

  const submit = async (kind: JobKindName) => {
    onError(null);
    setSubmitting(true);
    try {
      const request = jobRequestFromConfig(currentConfig(), kind, { allModels: models.filter((model) => !model.testOnly && !model.optIn).map((model) => model.id) });
      const job = await readJson<JobView>(await fetch('/api/jobs', { method: 'POST', headers: { 'content-type': 'application/json', ...csrfHeaders() }, body: JSON.stringify(request) }));
      follow(job);
      void refresh();
    } catch (failure) {
      onError((failure as Error).message);
    } finally {
      setSubmitting(false);
    }
  };

  const cancel = async () => {
    if (!selected) return;
    try {
      setSelected(await readJson<JobView>(await fetch(`/api/jobs/${selected.id}/cancel`, { method: 'POST', headers: csrfHeaders() })));
      void refresh();
    } catch (failure) {
      onError((failure as Error).message);
    }
  };

  const showSeries = async (seriesId: string) => {
    if (!selected) return;
    try {
      const row = await readJson<{ payload: JobSeriesResult | null }>(await fetch(`/api/jobs/${selected.id}/results?series=${encodeURIComponent(seriesId)}`));
      if (row.payload && Array.isArray(row.payload.quantiles)) setChart({ seriesId, result: row.payload });
    } catch (failure) {
      onError((failure as Error).message);
    }
  };

  /** Shares the finished job: its summary plus the chosen series' forecast, as a read-only /f/<token> link. */
  const shareJob = async () => {
    if (!selected || !chart) return;
    setSharing(true);
    try {
      const row = await readJson<{ payload: JobForecastPayload | null }>(await fetch(`/api/jobs/${selected.id}/results?series=${encodeURIComponent(chart.seriesId)}`));
      if (!row.payload) throw new Error(`share: series "${chart.seriesId}" has no forecast to share`);
      const snapshot = buildJobShareSnapshot({ job: selected, seriesId: chart.seriesId, payload: row.payload });
      const response = await fetch('/api/forecasts', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...csrfHeaders() },
        body: JSON.stringify({ snapshot, expiresInDays: null }),
      });
      const body = (await response.json()) as { token?: string; url?: string; error?: { message: string } };
      if (!response.ok || !body.token) throw new Error(body.error?.message ?? `share: HTTP ${response.status}`);
      setShared({ jobId: selected.id, seriesId: chart.seriesId, url: `/f/${body.token}` });
    } catch (failure) {
      onError((failure as Error).message);
    } finally {
      setSharing(false);
    }
  };

  const chosenModels = config ? models.filter((model) => model.id === config!.model) : [];
  const advice = config && seriesCount !== null ? advisePlacement({ series: seriesCount, windows: 1, models: chosenModels.length ? chosenModels : [{ id: config.model, family: 'baseline' }], webgpu }) : null;
  const placement = override === 'auto' ? advice?.placement : override;
  const finished = selected ? selected.seriesDone + selected.seriesFailed : 0;

  return (
    <section className="panel" aria-label="Jobs" data-testid="jobs-panel">
      <h2>Jobs on the server</h2>
      {advice && (
        <p className="note" data-testid="placement">
          Suggested: <strong>{advice.placement === 'server' ? 'the server' : 'this browser'}</strong> ({advice.reason}).{' '}
          <label>
            Run on{' '}
            <select value={override} onChange={(event) => setOverride(event.target.value as 'auto' | Placement)} data-testid="placement-override">
              <option value="auto">the suggestion</option>
              <option value="browser">this browser</option>
              <option value="server">the server</option>
            </select>
          </label>
          {placement === 'browser' ? ' — use Forecast / Backtest above.' : ''}
        </p>
      )}
      <div className="pair">
        <button type="button" onClick={() => submit('forecast-batch')} disabled={submitting || !config || placement === 'browser'} data-testid="submit-forecast-job">
          Run on the server for all {seriesCount === null ? '' : `${seriesCount.toLocaleString('en')}${seriesMore ? '+' : ''} `}series
        </button>
        <button type="button" className="secondary" onClick={() => submit('backtest-batch')} disabled={submitting || !config || placement === 'browser'} data-testid="submit-backtest-job">
          Backtest all series on the server
        </button>
      </div>
      {selected && (
        <div data-testid="job-detail">
          <p className="status">
            <strong data-testid="job-state">{selected.state.replace(/_/g, ' ')}</strong>: {selected.title}
          </p>
          <progress value={finished} max={Math.max(1, selected.totalSeries)} data-testid="job-progress" style={{ width: '100%' }} />
          <p className="note" data-testid="job-counts">
            {finished.toLocaleString('en')} / {selected.totalSeries.toLocaleString('en')} series ({selected.seriesFailed} failed)
            {selected.rate !== null ? `, ${selected.rate} series/s` : ''}
            {selected.etaSeconds !== null ? `, about ${selected.etaSeconds} s left` : ''}
            {selected.workers.length ? `; workers: ${selected.workers.join(', ')}` : ''}
            {selected.attempts > selected.totalChunks ? `; ${selected.attempts - selected.totalChunks} chunk retries` : ''}
          </p>
          {!selected.terminal && (
            <button type="button" className="secondary" onClick={cancel} data-testid="cancel-job">
              Cancel job
            </button>
          )}
          {selected.failures.length > 0 && (
            <details open data-testid="job-failures">
              <summary>{selected.seriesFailed} failed series</summary>
              <ul>
                {selected.failures.map((failure) => (
                  <li key={failure.seriesId}>
                    <code>{failure.seriesId || '(the series)'}</code>: {failure.error}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {finished > 0 && (
            <>
              <p className="note">
                Download: <a href={`/api/jobs/${selected.id}/results?format=csv`} data-testid="job-csv">CSV</a> ·{' '}
                <a href={`/api/jobs/${selected.id}/results?format=parquet`}>parquet</a> · share:{' '}
                <a href={`/api/jobs/${selected.id}`} data-testid="job-link">
                  /api/jobs/{selected.id.slice(0, 8)}…
                </a>
              </p>
              <input type="search" placeholder="Search series" value={search} onChange={(event) => setSearch(event.target.value)} aria-label="Search series" />
              <ul className="job-results" data-testid="job-results">
                {results.map((result) => (
                  <li key={`${result.position}`}>
                    <button type="button" className="secondary" disabled={result.status !== 'ok'} onClick={() => showSeries(result.seriesId)}>
                      {result.seriesId || '(the series)'}
                    </button>{' '}
                    {result.status === 'failed' ? <span className="error inline">{result.error}</span> : null}
                  </li>
                ))}
              </ul>
              {chart && <JobSeriesChart result={chart.result} label={chart.seriesId} />}
              {chart && selected.terminal && selected.kind === 'forecast-batch' && (
                <p className="note">
                  <button type="button" className="secondary" onClick={shareJob} disabled={sharing} data-testid="share-job">
                    Share this job ({chart.seriesId || 'the series'})
                  </button>{' '}
                  {shared && shared.jobId === selected.id && shared.seriesId === chart.seriesId && (
                    <a href={shared.url} data-testid="job-share-link">
                      {shared.url}
                    </a>
                  )}
                </p>
              )}
            </>
          )}
        </div>
      )}
      {jobs.length > 0 && (
        <details>
          <summary>Recent jobs ({jobs.length})</summary>
          <ul>
            {jobs.map((job) => (
              <li key={job.id}>
                <button type="button" className="secondary" onClick={() => follow(job)}>
                  {job.state.replace(/_/g, ' ')}
                </button>{' '}
                {job.title}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
