import { forecastConfigSchema } from '@/lib/config/schema';
import { LookaheadError } from '@/lib/core/errors';
import { forecastReportSchema, type ForecastReport } from './schema';

/**
 * A share snapshot of a finished server job (components/jobs-panel.tsx "Share"): the job's
 * summary (title, counts, failures, the backtest/anomaly summary in short) plus one chosen
 * series' forecast, as the ForecastReport a share link stores. Bounded whatever the job's size:
 * the history tail, the notes and their length are capped, so the POST stays far below the share
 * route's body limit.
 */

export const JOB_SNAPSHOT_LIMITS = { historyPoints: 512, notes: 20, noteLength: 1000, summaryKeys: 12 } as const;

export interface JobForShare {
  id: string;
  kind: string;
  state: string;
  title: string;
  totalSeries: number;
  seriesDone: number;
  seriesFailed: number;
  params: Record<string, unknown>;
  summary: Record<string, unknown> | null;
}

/** A forecast-batch result payload (lib/server/jobs/forecast-batch.ts ForecastPayload). */
export interface JobForecastPayload {
  model: string;
  levels: number[];
  quantiles: (number | null)[][];
  mean: (number | null)[];
  timestamps: string[] | null;
  frequency: string | null;
  history: { timestamps: string[]; values: (number | null)[] };
  notes?: string[];
}

const finite = (value: number | null | undefined): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const ms = (text: string): number => Math.round(Date.parse(text));
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function summaryLine(summary: Record<string, unknown> | null): string | null {
  if (!summary) return null;
  const parts = Object.entries(summary)
    .filter(([, value]) => value === null || ['string', 'number', 'boolean'].includes(typeof value))
    .slice(0, JOB_SNAPSHOT_LIMITS.summaryKeys)
    .map(([key, value]) => `${key}: ${String(value)}`);
  return parts.length ? `Job summary: ${parts.join(', ')}` : null;
}

export function buildJobShareSnapshot({ job, seriesId, payload }: { job: JobForShare; seriesId: string; payload: JobForecastPayload }): ForecastReport {
  if (job.kind !== 'forecast-batch') throw new LookaheadError('share', 'bad_input', `only forecast-batch jobs have a forecast to share; job ${job.id} is a ${job.kind} job`);
  if (!Array.isArray(payload.mean) || payload.mean.length === 0) throw new LookaheadError('share', 'bad_input', `series "${seriesId}" of job ${job.id} has no forecast to share`);
  const window = (job.params.window ?? {}) as Record<string, string>;
  const horizon = payload.mean.length;
  const from = Math.max(0, payload.history.values.length - JOB_SNAPSHOT_LIMITS.historyPoints);
  const values = payload.history.values.slice(from).map(finite);
  const historyTimes = payload.history.timestamps.slice(from);
  const timestampsMs = historyTimes.length === values.length && historyTimes.every((time) => Number.isFinite(ms(time))) ? historyTimes.map(ms) : null;
  const target = (window.columns ?? '').split(',')[0]?.trim() || 'value';
  const config = forecastConfigSchema.parse({
    version: 1,
    source: String(job.params.source ?? 'job'),
    table: window.table ?? null,
    time: window.time ?? null,
    entity: window.entity ?? null,
    series: seriesId.slice(0, 200),
    target,
    model: payload.model,
    context: Math.max(2, typeof job.params.context === 'number' ? job.params.context : values.length),
    horizon,
    quantileLevels: payload.levels,
  });
  const notes = [
    `Server job ${job.id}: ${job.state.replace(/_/g, ' ')}; ${job.seriesDone.toLocaleString('en')} of ${job.totalSeries.toLocaleString('en')} series forecast, ${job.seriesFailed.toLocaleString('en')} failed. Shown: series "${seriesId}".`,
    summaryLine(job.summary),
    ...(payload.notes ?? []),
  ]
    .filter((note): note is string => Boolean(note))
    .slice(0, JOB_SNAPSHOT_LIMITS.notes)
    .map((note) => clip(note, JOB_SNAPSHOT_LIMITS.noteLength));
  const report = {
    version: 1 as const,
    title: clip(`${job.title} — ${seriesId || '(the series)'}`, 200),
    config,
    data: { name: clip(seriesId || String(job.params.source ?? 'job'), 200), column: clip(target, 200), frequency: payload.frequency ? clip(payload.frequency, 20) : null, timestampsMs, values: values.length ? values : [null] },
    model: { id: payload.model, family: 'server-job', label: clip(payload.model, 200), revision: null, sha256: null },
    // The report's runtime names a browser device; a job ran on a server worker, which the label and reason say.
    runtime: { device: 'wasm' as const, label: 'server job worker', reason: `forecast by a server job worker (job ${job.id}), not in this browser` },
    forecast: {
      quantileLevels: payload.levels,
      quantiles: payload.quantiles.map((row) => row.map(finite)),
      mean: payload.mean.map(finite),
      timestampsMs: payload.timestamps && payload.timestamps.length === horizon ? payload.timestamps.map(ms) : null,
      notes,
    },
    timings: { fetchMs: 0, fitMs: 0, forecastMs: 0, totalMs: 0 },
    backtest: null,
    quality: null,
  };
  if (report.data.timestampsMs && report.data.values.length !== report.data.timestampsMs.length) report.data.timestampsMs = null;
  const parsed = forecastReportSchema.safeParse(report);
  if (!parsed.success) throw new LookaheadError('share', 'bad_input', `the job's result does not make a shareable report: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
