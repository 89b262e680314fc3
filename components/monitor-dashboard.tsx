'use client';

import { useCallback, useEffect, useMemo, useState } from 'react';
import { CartesianGrid, ComposedChart, Legend, Line, LineChart, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import { CHART_COLORS, CHART_FONT } from './chart-style';

/** /monitor: latency, throughput and errors per model and runtime, training curves, the queue, data freshness, alerts and anomalies. */

type LatencyPoint = { bucket: string; model: string; runtime: string; requests: number; errors: number; points: number; p50: number | null; p90: number | null; p95: number | null; p99: number | null; throughputPerS: number };
type TrainingPoint = { runId: string; model: string; status: string; origin?: string; epoch: number | null; step: number | null; trainLoss: number | null; valLoss: number | null; time: string };
type Dashboard = {
  range: string;
  from: string;
  to: string;
  read: 'raw' | 'rollup-1h';
  bucketSeconds: number;
  percentiles: 'exact' | 'merged';
  latency: LatencyPoint[];
  resources: { bucket: string; key: string; cpuPercent: number | null; memoryMb: number | null }[];
  training: TrainingPoint[];
  queue: { depth: Record<string, number>; workers: number; active: number; connected: boolean };
  freshness: { source: string; kind: string; newest: string | null; updatedAt: string | null }[];
  alerts: { ruleId: string; source: string; series: string; pointTime: string; value: number; score: number | null; delivered: boolean; httpStatus: number | null; error: string | null }[];
  buffers: { name: string; buffered: number; written: number; dropped: number; lastError: string | null }[];
  drift: DriftCheck[];
  trainedModels: TrainedModelDrift[];
  queryMs: number;
};
type TrainedModelDrift = {
  id: string;
  revision: string;
  label: string;
  createdAt: string;
  source: string | null;
  series: string | null;
  train: { from: string; to: string; rows: number } | null;
  drift: DriftCheck | null;
};
type DriftCheck = {
  time: string;
  ruleId: string | null;
  source: string;
  series: string;
  model: string | null;
  referenceFrom: string;
  referenceTo: string;
  recentFrom: string;
  recentTo: string;
  referenceCount: number;
  recentCount: number;
  psi: number | null;
  ksStatistic: number | null;
  ksPValue: number | null;
  rollingError: { model: string; revision?: string; newPoints?: number; meanShift?: number | null; recent: { mae: number; smape: number } | null; reference: { mae: number; smape: number } | null; maeRatio: number | null; error?: string } | null;
  psiThreshold: number | null;
  ksThreshold: number | null;
  fired: boolean;
  error: string | null;
};
type AnomalyReport = {
  column: string;
  engine: string;
  method: string;
  series: { timestampsMs: number[]; values: (number | null)[]; scores: (number | null)[] };
  anomalies: { time: string | null; value: number; score: number | null; median?: number | null; lower?: number; upper?: number }[];
  count: number;
};

const RANGES = ['1h', '6h', '24h', '7d', '30d'] as const;
const PALETTE = ['#2563eb', '#d97706', '#059669', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#b91c1c'];
const formatTime = (ms: number) => new Date(ms).toISOString().slice(5, 16).replace('T', ' ');
const number = (value: number | null | undefined, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));

async function readJson<T>(response: Response): Promise<T> {
  const body = await response.json();
  if (!response.ok) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
  return body as T;
}

export function MonitorDashboard({ initialRange = '24h' }: { initialRange?: string }) {
  const [range, setRange] = useState(initialRange);
  const [data, setData] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string>('');

  const load = useCallback(async () => {
    try {
      setError(null);
      setData(await readJson<Dashboard>(await fetch(`/api/monitor?range=${encodeURIComponent(range)}`, { cache: 'no-store' })));
    } catch (failure) {
      setError((failure as Error).message);
    }
  }, [range]);
  useEffect(() => {
    void load();
  }, [load]);

  const keys = useMemo(() => [...new Set((data?.latency ?? []).map((point) => `${point.model} · ${point.runtime}`))].sort(), [data]);
  const key = keys.includes(selected) ? selected : (keys[0] ?? '');

  const percentileRows = useMemo(
    () => (data?.latency ?? []).filter((point) => `${point.model} · ${point.runtime}` === key).map((point) => ({ x: Date.parse(point.bucket), p50: point.p50, p90: point.p90, p95: point.p95, p99: point.p99 })),
    [data, key],
  );
  const throughputRows = useMemo(() => {
    const byBucket = new Map<number, Record<string, number>>();
    for (const point of data?.latency ?? []) {
      const x = Date.parse(point.bucket);
      const row = byBucket.get(x) ?? { x };
      row[`${point.model} · ${point.runtime}`] = point.throughputPerS;
      row[`errors:${point.model} · ${point.runtime}`] = point.requests ? point.errors / point.requests : 0;
      byBucket.set(x, row);
    }
    return [...byBucket.values()].sort((a, b) => a.x! - b.x!);
  }, [data]);
  const summary = useMemo(
    () =>
      keys.map((name) => {
        const points = (data?.latency ?? []).filter((point) => `${point.model} · ${point.runtime}` === name);
        const requests = points.reduce((sum, point) => sum + point.requests, 0);
        const weighted = (field: 'p50' | 'p99') => points.reduce((sum, point) => sum + (point[field] ?? 0) * point.requests, 0) / Math.max(requests, 1);
        return { name, requests, errors: points.reduce((sum, point) => sum + point.errors, 0), p50: weighted('p50'), p99: weighted('p99') };
      }),
    [data, keys],
  );
  const resourceKeys = useMemo(() => [...new Set((data?.resources ?? []).map((point) => point.key))].sort(), [data]);
  const cpuRows = useMemo(() => {
    const byBucket = new Map<number, Record<string, number | null>>();
    for (const point of data?.resources ?? []) {
      const x = Date.parse(point.bucket);
      const row = byBucket.get(x) ?? { x };
      row[point.key] = point.cpuPercent;
      row[`memory:${point.key}`] = point.memoryMb;
      byBucket.set(x, row);
    }
    return [...byBucket.values()].sort((a, b) => a.x! - b.x!);
  }, [data]);
  const resourceSummary = useMemo(
    () =>
      resourceKeys.map((name) => {
        const points = (data?.resources ?? []).filter((point) => point.key === name);
        const cpu = points.flatMap((point) => (point.cpuPercent === null ? [] : [point.cpuPercent]));
        const memory = points.flatMap((point) => (point.memoryMb === null ? [] : [point.memoryMb]));
        return { name, cpuMean: cpu.length ? cpu.reduce((a, b) => a + b, 0) / cpu.length : null, cpuMax: cpu.length ? Math.max(...cpu) : null, memoryPeak: memory.length ? Math.max(...memory) : null };
      }),
    [data, resourceKeys],
  );
  const runs = useMemo(() => {
    const byRun = new Map<string, TrainingPoint[]>();
    for (const point of data?.training ?? []) byRun.set(point.runId, [...(byRun.get(point.runId) ?? []), point]);
    return [...byRun.entries()];
  }, [data]);

  return (
    <div className="monitor">
      <div className="toolbar">
        <label className="inline-label" htmlFor="monitor-range">Time range</label>
        <select id="monitor-range" value={range} onChange={(event) => setRange(event.target.value)} data-testid="monitor-range">
          {RANGES.map((value) => <option key={value} value={value}>last {value}</option>)}
        </select>
        <button type="button" className="secondary small" onClick={() => void load()}>Refresh</button>
        {data && (
          <span className="note" data-testid="monitor-read">
            {data.read === 'raw'
              ? `from raw events, ${data.bucketSeconds / 60}-minute buckets`
              : data.percentiles === 'merged'
                ? `from the 1-hour rollups merged into ${data.bucketSeconds / 3600}-hour buckets (counts exact; p50–p95 request-weighted means of the hourly percentiles, p99 the largest hourly p99)`
                : 'from the 1-hour rollups'}{' '}
            · query {data.queryMs} ms
          </span>
        )}
      </div>
      {error && <p className="error">{error}</p>}

      <section className="panel">
        <h2>Latency percentiles</h2>
        {keys.length === 0 ? (
          <p className="note" data-testid="monitor-empty">No model runs recorded in this range. Forecasts (server and browser) appear here within seconds.</p>
        ) : (
          <>
            <label className="inline-label" htmlFor="monitor-series">Model · runtime </label>
            <select id="monitor-series" value={key} onChange={(event) => setSelected(event.target.value)} style={{ width: 'auto' }}>
              {keys.map((name) => <option key={name}>{name}</option>)}
            </select>
            <div style={{ width: '100%', height: 260 }}>
              <ResponsiveContainer>
                <LineChart data={percentileRows} margin={{ top: 10, right: 20, bottom: 10, left: 10 }} style={{ fontFamily: CHART_FONT, fontSize: 12 }}>
                  <CartesianGrid stroke={CHART_COLORS.grid} />
                  <XAxis dataKey="x" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={formatTime} minTickGap={40} stroke={CHART_COLORS.axis} />
                  <YAxis unit=" ms" stroke={CHART_COLORS.axis} width={70} />
                  <Tooltip labelFormatter={(value) => formatTime(Number(value))} formatter={(value) => `${number(Number(value), 2)} ms`} />
                  <Legend />
                  {(['p50', 'p90', 'p95', 'p99'] as const).map((field, index) => (
                    <Line key={field} dataKey={field} stroke={PALETTE[index]} dot={false} isAnimationActive={false} connectNulls />
                  ))}
                </LineChart>
              </ResponsiveContainer>
            </div>
            <table className="numbers" data-testid="monitor-summary">
              <thead>
                <tr><th>model · runtime</th><th>requests</th><th>errors</th><th>error rate</th><th>p50 ms</th><th>p99 ms</th></tr>
              </thead>
              <tbody>
                {summary.map((row) => (
                  <tr key={row.name}>
                    <td>{row.name}</td><td>{row.requests}</td><td>{row.errors}</td><td>{number((100 * row.errors) / Math.max(row.requests, 1))}%</td><td>{number(row.p50, 2)}</td><td>{number(row.p99, 2)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>

      {keys.length > 0 && (
        <section className="panel">
          <h2>Throughput and error rate</h2>
          <div style={{ width: '100%', height: 220 }}>
            <ResponsiveContainer>
              <ComposedChart data={throughputRows} margin={{ top: 10, right: 20, bottom: 10, left: 10 }} style={{ fontFamily: CHART_FONT, fontSize: 12 }}>
                <CartesianGrid stroke={CHART_COLORS.grid} />
                <XAxis dataKey="x" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={formatTime} minTickGap={40} stroke={CHART_COLORS.axis} />
                <YAxis yAxisId="rate" unit="/s" stroke={CHART_COLORS.axis} width={70} />
                <YAxis yAxisId="errors" orientation="right" domain={[0, 1]} tickFormatter={(value) => `${Math.round(Number(value) * 100)}%`} stroke={CHART_COLORS.outlier} />
                <Tooltip labelFormatter={(value) => formatTime(Number(value))} />
                <Legend />
                {keys.map((name, index) => (
                  <Line key={name} yAxisId="rate" dataKey={name} name={`${name} req/s`} stroke={PALETTE[index % PALETTE.length]} dot={false} isAnimationActive={false} connectNulls />
                ))}
                {keys.map((name, index) => (
                  <Line key={`errors:${name}`} yAxisId="errors" dataKey={`errors:${name}`} name={`${name} errors`} stroke={PALETTE[index % PALETTE.length]} strokeDasharray="4 3" dot={false} isAnimationActive={false} connectNulls />
                ))}
              </ComposedChart>
            </ResponsiveContainer>
          </div>
        </section>
      )}

      {data && (
        <section className="panel">
          <h2>CPU and memory</h2>
          <p className="note">
            {data.read === 'raw'
              ? 'Sampled by each server and job-worker process that recorded model runs (CPU: process time over wall time, % of one core; memory: peak resident set), per process role.'
              : 'From the 1-hour rollups: per model and runtime, the CPU and peak memory of the processes that served its requests in each hour (browser runs have none).'}
          </p>
          {resourceKeys.length === 0 ? (
            <p className="note" data-testid="monitor-no-resources">No CPU or memory samples in this range (processes sample once they record a server or job model run).</p>
          ) : (
            <>
              <div style={{ width: '100%', height: 220 }}>
                <ResponsiveContainer>
                  <ComposedChart data={cpuRows} margin={{ top: 10, right: 20, bottom: 10, left: 10 }} style={{ fontFamily: CHART_FONT, fontSize: 12 }}>
                    <CartesianGrid stroke={CHART_COLORS.grid} />
                    <XAxis dataKey="x" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={formatTime} minTickGap={40} stroke={CHART_COLORS.axis} />
                    <YAxis yAxisId="cpu" unit="%" stroke={CHART_COLORS.axis} width={60} />
                    <YAxis yAxisId="memory" orientation="right" unit=" MB" stroke={CHART_COLORS.axis} width={80} />
                    <Tooltip labelFormatter={(value) => formatTime(Number(value))} />
                    <Legend />
                    {resourceKeys.map((name, index) => (
                      <Line key={name} yAxisId="cpu" dataKey={name} name={`${name} CPU`} stroke={PALETTE[index % PALETTE.length]} dot={false} isAnimationActive={false} connectNulls />
                    ))}
                    {resourceKeys.map((name, index) => (
                      <Line key={`memory:${name}`} yAxisId="memory" dataKey={`memory:${name}`} name={`${name} RSS`} stroke={PALETTE[index % PALETTE.length]} strokeDasharray="4 3" dot={false} isAnimationActive={false} connectNulls />
                    ))}
                  </ComposedChart>
                </ResponsiveContainer>
              </div>
              <table className="numbers" data-testid="monitor-resources">
                <thead><tr><th>{data.read === 'raw' ? 'process role' : 'model · runtime'}</th><th>mean CPU %</th><th>max CPU %</th><th>peak RSS MB</th></tr></thead>
                <tbody>{resourceSummary.map((row) => <tr key={row.name}><td>{row.name}</td><td>{number(row.cpuMean)}</td><td>{number(row.cpuMax)}</td><td>{number(row.memoryPeak, 0)}</td></tr>)}</tbody>
              </table>
            </>
          )}
        </section>
      )}

      <section className="panel">
        <h2>Training runs</h2>
        {runs.length === 0 ? (
          <p className="note" data-testid="monitor-no-training">No training metrics in this range.</p>
        ) : (
          <div style={{ width: '100%', height: 240 }}>
            <ResponsiveContainer>
              <LineChart margin={{ top: 10, right: 20, bottom: 10, left: 10 }} style={{ fontFamily: CHART_FONT, fontSize: 12 }}>
                <CartesianGrid stroke={CHART_COLORS.grid} />
                <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} stroke={CHART_COLORS.axis} label={{ value: 'step', position: 'insideBottomRight', offset: -4 }} />
                <YAxis stroke={CHART_COLORS.axis} width={60} />
                <Tooltip />
                <Legend />
                {runs.map(([runId, points], index) => (
                  <Line key={runId} data={points.map((point, i) => ({ step: point.step ?? point.epoch ?? i, loss: point.trainLoss }))} dataKey="loss" name={`${runId} (${points[0]!.model}, ${points[0]!.origin === 'browser' ? 'in a browser, ' : ''}${points[0]!.status}) train`} stroke={PALETTE[index % PALETTE.length]} dot={false} isAnimationActive={false} connectNulls />
                ))}
                {runs.filter(([, points]) => points.some((point) => point.valLoss !== null)).map(([runId, points], index) => (
                  <Line key={`${runId}:val`} data={points.map((point, i) => ({ step: point.step ?? point.epoch ?? i, loss: point.valLoss }))} dataKey="loss" name={`${runId} val`} stroke={PALETTE[index % PALETTE.length]} strokeDasharray="4 3" dot={false} isAnimationActive={false} connectNulls />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
        )}
        {runs.some(([, points]) => points.some((point) => point.step === null && point.epoch !== null)) && (
          <table className="numbers" data-testid="monitor-training-epochs">
            <thead><tr><th>run</th><th>model</th><th>status</th><th>epoch</th><th>train loss</th><th>val loss</th></tr></thead>
            <tbody>
              {runs.flatMap(([runId, points]) =>
                points
                  .filter((point) => point.step === null && point.epoch !== null)
                  .map((point) => (
                    <tr key={`${runId}:${point.epoch}`}><td>{runId}</td><td>{point.model}</td><td>{point.status}</td><td>{point.epoch! + 1}</td><td>{number(point.trainLoss, 4)}</td><td>{number(point.valLoss, 4)}</td></tr>
                  )),
              )}
            </tbody>
          </table>
        )}
      </section>

      {data && (
        <div className="pair">
          <section className="panel">
            <h2>Job queue</h2>
            {data.queue.connected ? (
              <p data-testid="monitor-queue">{Object.entries(data.queue.depth).map(([queue, depth]) => `${queue}: ${depth} waiting`).join(', ') || 'no jobs waiting'} · {data.queue.active} running · {data.queue.workers} workers with a recent heartbeat</p>
            ) : (
              <p className="note" data-testid="monitor-queue">The job queue is not connected in this process (depth 0, 0 workers).</p>
            )}
            <h3>Monitoring buffers</h3>
            <table className="numbers">
              <thead><tr><th>table</th><th>written</th><th>buffered</th><th>dropped</th></tr></thead>
              <tbody>{data.buffers.map((buffer) => <tr key={buffer.name}><td>{buffer.name}</td><td>{buffer.written}</td><td>{buffer.buffered}</td><td>{buffer.dropped}</td></tr>)}</tbody>
            </table>
          </section>
          <section className="panel">
            <h2>Data freshness</h2>
            <table className="numbers" data-testid="monitor-freshness">
              <thead><tr><th>source</th><th>kind</th><th>newest point</th><th>updated</th></tr></thead>
              <tbody>{data.freshness.map((row) => <tr key={`${row.kind}:${row.source}`}><td>{row.source}</td><td>{row.kind}</td><td>{row.newest?.slice(0, 16).replace('T', ' ') ?? '–'}</td><td>{row.updatedAt?.slice(0, 16).replace('T', ' ') ?? '–'}</td></tr>)}</tbody>
            </table>
          </section>
        </div>
      )}

      {data && data.alerts.length > 0 && (
        <section className="panel">
          <h2>Alert firings</h2>
          <table className="numbers" data-testid="monitor-alerts">
            <thead><tr><th>rule</th><th>series</th><th>point</th><th>value</th><th>score</th><th>delivered</th></tr></thead>
            <tbody>{data.alerts.map((alert, index) => <tr key={index}><td>{alert.ruleId}</td><td>{alert.source}{alert.series ? `/${alert.series}` : ''}</td><td>{alert.pointTime.slice(0, 16).replace('T', ' ')}</td><td>{number(alert.value, 3)}</td><td>{number(alert.score, 2)}</td><td>{alert.delivered ? 'yes' : `no (${alert.error ?? alert.httpStatus})`}</td></tr>)}</tbody>
          </table>
        </section>
      )}

      {data && (
        <section className="panel">
          <h2>Trained models: drift</h2>
          <p className="note">
            Each trained Informer&apos;s training window (the train split its scaler was fitted on) against the newest data after it (the held-out
            validation and test splits until new data arrives; &quot;new&quot; counts points newer than all its training data), on values scaled by the
            model&apos;s own scaler: PSI (above 0.25 a major shift), Kolmogorov-Smirnov D and p, the mean shift in training standard deviations, and the
            model&apos;s rolling error (MAE of its own forecasts) at the end of the recent window against the end of the training window. Checked on the
            schedule (LOOKAHEAD_MODEL_DRIFT_MINUTES); a drift rule with &quot;trainedModel&quot; alerts on it.
          </p>
          {data.trainedModels.length === 0 ? (
            <p className="note" data-testid="monitor-no-trained">No trained models yet.</p>
          ) : (
            <table className="numbers" data-testid="monitor-trained-drift">
              <thead>
                <tr><th>model</th><th>series</th><th>training window</th><th>recent (new)</th><th>PSI</th><th>KS D (p)</th><th>mean shift (σ)</th><th>MAE recent / training</th><th>checked</th></tr>
              </thead>
              <tbody>
                {data.trainedModels.map((model) => {
                  const check = model.drift;
                  return (
                    <tr key={model.id} data-testid="trained-drift-row" data-model={model.id}>
                      <td title={model.label}>{model.id}@{model.revision.slice(0, 12)}</td>
                      <td>{model.source ?? '–'}{model.series ? `/${model.series}` : ''}</td>
                      <td>{model.train ? `${model.train.from.slice(0, 16).replace('T', ' ')} – ${model.train.to.slice(0, 16).replace('T', ' ')} (${model.train.rows})` : '–'}</td>
                      <td>{check && !check.error ? `${check.recentFrom.slice(0, 16).replace('T', ' ')} – ${check.recentTo.slice(0, 16).replace('T', ' ')} (${check.recentCount}, ${check.rollingError?.newPoints ?? 0} new)` : '–'}</td>
                      <td data-testid="trained-drift-psi">{check ? number(check.psi, 3) : '–'}</td>
                      <td>{check ? `${number(check.ksStatistic, 3)} (${number(check.ksPValue, 3)})` : '–'}</td>
                      <td>{check ? number(check.rollingError?.meanShift ?? null, 2) : '–'}</td>
                      <td data-testid="trained-drift-error">
                        {check?.rollingError
                          ? check.rollingError.error ?? `${number(check.rollingError.recent?.mae, 3)} / ${number(check.rollingError.reference?.mae, 3)} (×${number(check.rollingError.maeRatio, 2)})`
                          : '–'}
                      </td>
                      <td>{check ? (check.error ? `error: ${check.error}` : `${check.time.slice(0, 16).replace('T', ' ')}${check.ruleId ? ` (rule ${check.ruleId}${check.fired ? ', fired' : ''})` : ''}`) : 'not yet'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </section>
      )}

      {data && (
        <section className="panel">
          <h2>Drift</h2>
          <p className="note">
            Drift rules (kind &quot;drift&quot; in LOOKAHEAD_ALERT_RULES) compare the recent window of a series with a reference window (the time before it, or a
            named source, series and range such as a model&apos;s training window): population stability index and Kolmogorov-Smirnov on values scaled by the
            reference, and a model&apos;s rolling error on the new data beside its error on the reference. PSI above 0.25 is a major shift.
          </p>
          {data.drift.length === 0 ? (
            <p className="note" data-testid="monitor-no-drift">No drift checks yet.</p>
          ) : (
            <table className="numbers" data-testid="monitor-drift">
              <thead>
                <tr><th>checked</th><th>rule</th><th>series</th><th>reference</th><th>recent</th><th>PSI</th><th>KS D (p)</th><th>model: MAE recent / reference</th><th>fired</th></tr>
              </thead>
              <tbody>
                {data.drift.map((check, index) => (
                  <tr key={index}>
                    <td>{check.time.slice(0, 16).replace('T', ' ')}</td>
                    <td>{check.ruleId ?? '–'}</td>
                    <td>{check.source}{check.series ? `/${check.series}` : ''}</td>
                    <td>{check.referenceFrom.slice(0, 16).replace('T', ' ')} – {check.referenceTo.slice(0, 16).replace('T', ' ')} ({check.referenceCount})</td>
                    <td>{check.recentFrom.slice(0, 16).replace('T', ' ')} – {check.recentTo.slice(0, 16).replace('T', ' ')} ({check.recentCount})</td>
                    <td>{number(check.psi, 3)}{check.psiThreshold !== null ? ` / ${check.psiThreshold}` : ''}</td>
                    <td>{number(check.ksStatistic, 3)} ({number(check.ksPValue, 3)})</td>
                    <td>
                      {check.rollingError
                        ? check.rollingError.error ?? `${check.rollingError.model}: ${number(check.rollingError.recent?.mae, 3)} / ${number(check.rollingError.reference?.mae, 3)} (×${number(check.rollingError.maeRatio, 2)})`
                        : '–'}
                    </td>
                    <td>{check.error ? `error: ${check.error}` : check.fired ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}

      <AnomalyPanel />
    </div>
  );
}

/** Anomalies of any series: the form takes the same parameters as GET /api/sources/<id>/anomalies. */
function AnomalyPanel() {
  const [query, setQuery] = useState({ source: 'app', table: '', columns: '', entity: '', series: '', window: '48', threshold: '3.5' });
  const [report, setReport] = useState<AnomalyReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const params = new URLSearchParams(Object.entries(query).filter(([key, value]) => key !== 'source' && value !== ''));
      setReport(await readJson<AnomalyReport>(await fetch(`/api/sources/${encodeURIComponent(query.source)}/anomalies?${params}`, { cache: 'no-store' })));
    } catch (failure) {
      setError((failure as Error).message);
      setReport(null);
    } finally {
      setBusy(false);
    }
  };
  const rows = useMemo(() => {
    if (!report) return [];
    const flagged = new Set(report.anomalies.map((anomaly) => (anomaly.time ? Date.parse(anomaly.time) : NaN)));
    return report.series.timestampsMs.map((x, i) => ({ x, value: report.series.values[i], anomaly: flagged.has(x) ? report.series.values[i] : null }));
  }, [report]);
  const field = (name: keyof typeof query, label: string) => (
    <label key={name}>
      {label}
      <input type="text" value={query[name]} onChange={(event) => setQuery({ ...query, [name]: event.target.value })} data-testid={`anomaly-${name}`} />
    </label>
  );
  return (
    <section className="panel">
      <h2>Anomalies</h2>
      <p className="note">Rolling robust z-score: each point against the median and MAD of the window of points before it (computed in the database for database sources).</p>
      <div className="pair">
        {field('source', 'Source id')}
        {field('table', 'Table (database sources)')}
        {field('columns', 'Column')}
        {field('entity', 'Series-id column')}
        {field('series', 'Series')}
        {field('window', 'Window (points)')}
        {field('threshold', '|z| threshold')}
      </div>
      <button type="button" onClick={() => void run()} disabled={busy} data-testid="anomaly-run">{busy ? 'Scoring…' : 'Find anomalies'}</button>
      {error && <p className="error" data-testid="anomaly-error">{error}</p>}
      {report && (
        <>
          <p className="status" data-testid="anomaly-count">{report.count} anomal{report.count === 1 ? 'y' : 'ies'} in {report.series.values.length} points of {report.column} ({report.engine === 'sql' ? 'scored in the database' : 'scored in lib/core'})</p>
          <div style={{ width: '100%', height: 260 }}>
            <ResponsiveContainer>
              <ComposedChart data={rows} margin={{ top: 10, right: 20, bottom: 10, left: 10 }} style={{ fontFamily: CHART_FONT, fontSize: 12 }}>
                <CartesianGrid stroke={CHART_COLORS.grid} />
                <XAxis dataKey="x" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={formatTime} minTickGap={40} stroke={CHART_COLORS.axis} />
                <YAxis stroke={CHART_COLORS.axis} width={60} domain={['auto', 'auto']} />
                <Tooltip labelFormatter={(value) => formatTime(Number(value))} />
                <Line dataKey="value" stroke={CHART_COLORS.history} dot={false} isAnimationActive={false} name={report.column} />
                <Scatter data={rows.filter((row) => row.anomaly !== null && row.anomaly !== undefined)} dataKey="anomaly" fill={CHART_COLORS.outlier} name="anomaly" isAnimationActive={false} />
              </ComposedChart>
            </ResponsiveContainer>
          </div>
          <table className="numbers" data-testid="anomaly-results">
            <thead><tr><th>time</th><th>value</th><th>score</th><th>median / interval</th></tr></thead>
            <tbody>
              {report.anomalies.map((anomaly, index) => (
                <tr key={index}>
                  <td>{anomaly.time ?? '–'}</td><td>{number(anomaly.value, 3)}</td><td>{number(anomaly.score, 2)}</td>
                  <td>{anomaly.median !== undefined ? number(anomaly.median, 3) : `${number(anomaly.lower, 3)} – ${number(anomaly.upper, 3)}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
