import 'server-only';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { getTrainedModel, insertAlertFiring, insertDriftCheck, lastFiredPoint, type DatabaseHandle } from '@/db';
import { LookaheadError } from '@/lib/core/errors';
import { metrics } from '../monitoring/metrics';
import { detectAnomalies, detectAnomaliesEverySeries, type Anomaly, type SeriesAnomalies } from './detect';
import { checkDrift, type DriftReport, type SeriesWindow } from './drift';
import { checkTrainedModelDrift, trainedDriftRow, type TrainedDriftReport } from './model-drift';

/**
 * Alert rules, evaluated on the monitor's schedule: each rule scores the newest points of one
 * series with the rolling robust z-score (or a forecast interval) and POSTs every new anomaly to
 * the webhook from the server's configuration. The URL never comes from a request, and its host
 * must be on LOOKAHEAD_ALERT_ALLOWED_HOSTS; redirects are not followed (they could leave the
 * list). Every firing is recorded in alert_firings, delivered or not, and a point fires once.
 */

const anomalyRuleSchema = z.strictObject({
  id: z.string().min(1).max(100),
  kind: z.literal('anomaly').default('anomaly'),
  /** Source id as GET /api/sources lists it, and the window parameters naming the series. */
  source: z.string().min(1).max(200),
  table: z.string().max(200).optional(),
  column: z.string().min(1).max(200),
  time: z.string().max(200).optional(),
  entity: z.string().max(200).optional(),
  series: z.string().max(200).optional(),
  method: z.enum(['zscore', 'interval']).default('zscore'),
  window: z.number().int().min(3).max(10_000).default(48),
  threshold: z.number().positive().default(3.5),
  /** For method=interval. */
  model: z.string().max(200).optional(),
  intervalLevel: z.number().gt(0).lt(1).optional(),
  horizon: z.number().int().min(1).max(1024).optional(),
  /** Severity carried in the webhook payload. */
  level: z.enum(['info', 'warning', 'critical']).default('warning'),
  /** Newest rows read per evaluation. */
  limit: z.number().int().min(10).max(100_000).default(2_000),
});

const isoTime = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

/**
 * kind "drift": PSI and KS of the recent window of a series (the last recentHours, or a fixed `recent` range) against a
 * reference window: `reference` (any source, series and time range: a trained model's training
 * window goes here), or by default the referenceHours before the recent window of the same series.
 * Fires when PSI >= psiThreshold or the KS statistic >= ksThreshold, at most once per
 * repeatMinutes while the drift lasts; with `model`, the check carries the model's rolling error.
 */
const driftRuleSchema = z.strictObject({
  id: z.string().min(1).max(100),
  kind: z.literal('drift'),
  /**
   * A trained model's id (a server train job's Informer): its current revision's training window
   * is the reference and its source, series and column the series (source/column/reference are
   * then not needed); the recent window is the newest points after its train split (or `recent`),
   * and the rolling error is the trained model's own.
   */
  trainedModel: z.string().min(1).max(200).optional(),
  source: z.string().min(1).max(200).optional(),
  table: z.string().max(200).optional(),
  column: z.string().min(1).max(200).optional(),
  time: z.string().max(200).optional(),
  entity: z.string().max(200).optional(),
  series: z.string().max(200).optional(),
  recentHours: z.number().positive().max(24 * 366).default(24),
  referenceHours: z.number().positive().max(24 * 3660).default(168),
  reference: z
    .strictObject({
      source: z.string().min(1).max(200).optional(),
      table: z.string().max(200).optional(),
      column: z.string().min(1).max(200).optional(),
      time: z.string().max(200).optional(),
      entity: z.string().max(200).optional(),
      series: z.string().max(200).optional(),
      from: isoTime,
      to: isoTime,
    })
    .refine((value) => value.from < value.to, { message: 'reference.from must be before reference.to' })
    .optional(),
  /** A fixed recent window instead of the last recentHours (comparing two given periods). */
  recent: z
    .strictObject({ from: isoTime, to: isoTime })
    .refine((value) => value.from < value.to, { message: 'recent.from must be before recent.to' })
    .optional(),
  psiThreshold: z.number().positive().default(0.25),
  ksThreshold: z.number().gt(0).max(1).optional(),
  bins: z.number().int().min(2).max(100).default(10),
  model: z.string().min(1).max(200).optional(),
  horizon: z.number().int().min(1).max(1024).default(24),
  folds: z.number().int().min(1).max(20).default(3),
  repeatMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
  level: z.enum(['info', 'warning', 'critical']).default('warning'),
  /** trainedModel rules: how many of the newest points after the train split are the recent window (default: the test split's length). */
  recentPoints: z.number().int().min(1).max(1_000_000).optional(),
}).refine((rule) => rule.trainedModel !== undefined || (rule.source !== undefined && rule.column !== undefined), {
  message: 'a drift rule names "source" and "column", or "trainedModel" (whose training window is the reference)',
});

// A rule without `kind` is an anomaly rule (the rules written before drift rules existed).
const ruleSchema = z.union([driftRuleSchema, anomalyRuleSchema]);

export type AnomalyRule = z.infer<typeof anomalyRuleSchema>;
export type DriftRule = z.infer<typeof driftRuleSchema>;
export type AlertRule = AnomalyRule | DriftRule;

export interface AlertConfig {
  rules: AlertRule[];
  webhookUrl: URL | null;
  allowedHosts: string[];
}

/** Reads LOOKAHEAD_ALERT_RULES (JSON or a file path), LOOKAHEAD_ALERT_WEBHOOK_URL and LOOKAHEAD_ALERT_ALLOWED_HOSTS. */
export function alertConfig(env: Record<string, string | undefined> = process.env): AlertConfig {
  const rulesText = env.LOOKAHEAD_ALERT_RULES?.trim();
  let rules: AlertRule[] = [];
  if (rulesText) {
    let text = rulesText;
    if (!rulesText.startsWith('[')) {
      const file = path.resolve(rulesText);
      if (!existsSync(file)) throw new LookaheadError('alerts', 'internal', `LOOKAHEAD_ALERT_RULES is neither JSON nor an existing file: ${file}`);
      text = readFileSync(file, 'utf8');
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new LookaheadError('alerts', 'internal', `LOOKAHEAD_ALERT_RULES is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    const parsed = z.array(ruleSchema).max(200).safeParse(json);
    if (!parsed.success) {
      throw new LookaheadError('alerts', 'internal', `LOOKAHEAD_ALERT_RULES: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`, { cause: parsed.error });
    }
    rules = parsed.data;
  }
  const allowedHosts = (env.LOOKAHEAD_ALERT_ALLOWED_HOSTS ?? '').split(',').map((host) => host.trim().toLowerCase()).filter(Boolean);
  const webhookText = env.LOOKAHEAD_ALERT_WEBHOOK_URL?.trim();
  let webhookUrl: URL | null = null;
  if (webhookText) {
    try {
      webhookUrl = new URL(webhookText);
    } catch (error) {
      throw new LookaheadError('alerts', 'internal', `LOOKAHEAD_ALERT_WEBHOOK_URL is not a URL: "${webhookText.slice(0, 200)}"`, { cause: error });
    }
    checkWebhookHost(webhookUrl, allowedHosts);
  }
  return { rules, webhookUrl, allowedHosts };
}

/** The webhook's host (host or host:port) must be on the allow-list; http(s) only. */
export function checkWebhookHost(url: URL, allowedHosts: readonly string[]): void {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new LookaheadError('alerts', 'internal', `the webhook URL must be http(s), got ${url.protocol}`);
  }
  const host = url.host.toLowerCase();
  if (!allowedHosts.includes(host) && !allowedHosts.includes(url.hostname.toLowerCase())) {
    throw new LookaheadError(
      'alerts',
      'internal',
      `the webhook host ${host} is not on LOOKAHEAD_ALERT_ALLOWED_HOSTS (${allowedHosts.length ? allowedHosts.join(', ') : 'empty'}); add it there to allow posting to it`,
    );
  }
}

export interface AlertEvaluation {
  rule: string;
  checked: number;
  fired: number;
  delivered: number;
  error?: string;
}

/** Most firings one rule posts per evaluation (a burst beyond it fires on the next rounds). */
const MAX_FIRINGS_PER_RULE = 20;

function ruleQuery(rule: AnomalyRule): URLSearchParams {
  const query = new URLSearchParams({ columns: rule.column, limit: String(rule.limit), method: rule.method });
  for (const key of ['table', 'time', 'entity', 'series'] as const) if (rule[key] !== undefined) query.set(key, rule[key]!);
  if (rule.method === 'zscore') {
    query.set('window', String(rule.window));
    query.set('threshold', String(rule.threshold));
  } else {
    if (rule.model) query.set('model', rule.model);
    if (rule.intervalLevel) query.set('level', String(rule.intervalLevel));
    if (rule.horizon) query.set('horizon', String(rule.horizon));
  }
  return query;
}

async function post(url: URL, payload: unknown, fetchImpl: typeof fetch): Promise<{ delivered: boolean; status: number | null; error: string | null }> {
  try {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'lookahead-alerts' },
      body: JSON.stringify(payload),
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel().catch(() => undefined);
    return { delivered: response.ok, status: response.status, error: response.ok ? null : `HTTP ${response.status}` };
  } catch (error) {
    return { delivered: false, status: null, error: (error as Error).message.slice(0, 500) };
  }
}

export async function evaluateAlertRules({
  handle,
  config = alertConfig(),
  fetchImpl = globalThis.fetch,
  now = new Date(),
}: {
  handle: DatabaseHandle;
  config?: AlertConfig;
  fetchImpl?: typeof fetch;
  /** The end of drift rules' recent windows. */
  now?: Date;
}): Promise<AlertEvaluation[]> {
  const results: AlertEvaluation[] = [];
  for (const rule of config.rules) {
    const result: AlertEvaluation = { rule: rule.id, checked: 0, fired: 0, delivered: 0 };
    results.push(result);
    try {
      if (!config.webhookUrl) throw new LookaheadError('alerts', 'internal', 'LOOKAHEAD_ALERT_WEBHOOK_URL is not set; rules are evaluated but nothing can be posted');
      checkWebhookHost(config.webhookUrl, config.allowedHosts);
      if (rule.kind === 'drift') {
        await evaluateDriftRule({ handle, rule, webhookUrl: config.webhookUrl, fetchImpl, now, result });
        continue;
      }
      // A rule naming an entity column but no series covers every series of the table.
      const everySeries = Boolean(rule.entity) && rule.series === undefined;
      const perSeries: SeriesAnomalies[] = everySeries
        ? (await detectAnomaliesEverySeries({ sourceId: rule.source, searchParams: ruleQuery(rule) })).series
        : [await detectAnomalies({ sourceId: rule.source, searchParams: ruleQuery(rule) })].map((report) => ({ series: rule.series ?? '', points: report.series.values.length, count: report.count, anomalies: report.anomalies }));
      for (const entry of perSeries) {
        const series = entry.series;
        if (entry.error) throw new LookaheadError('alerts', 'internal', `series "${series}": ${entry.error}`);
        result.checked += entry.points;
        // Each series of an every-series rule fires once per point on its own.
        const ruleKey = everySeries ? `${rule.id}/${series}` : rule.id;
        const since = await lastFiredPoint(handle, ruleKey);
        const fresh = entry.anomalies.filter((anomaly): anomaly is Anomaly & { time: string } => anomaly.time !== null && (!since || Date.parse(anomaly.time) > since.getTime()));
        for (const anomaly of fresh.slice(0, MAX_FIRINGS_PER_RULE)) {
          const payload = {
            rule: rule.id, level: rule.level, source: rule.source, table: rule.table ?? null, column: rule.column, series,
            method: rule.method, time: anomaly.time, value: anomaly.value, score: anomaly.score, threshold: rule.method === 'zscore' ? rule.threshold : 0,
            ...(anomaly.median !== undefined ? { median: anomaly.median } : {}), ...(anomaly.lower !== undefined ? { lower: anomaly.lower, upper: anomaly.upper } : {}),
          };
          const delivery = await post(config.webhookUrl, payload, fetchImpl);
          await insertAlertFiring(handle, {
            ruleId: ruleKey, source: rule.source, series, pointTime: anomaly.time, value: anomaly.value, score: anomaly.score,
            threshold: payload.threshold, delivered: delivery.delivered, httpStatus: delivery.status, error: delivery.error,
          });
          metrics().alertFirings.inc({ rule: rule.id, delivered: String(delivery.delivered) });
          result.fired += 1;
          if (delivery.delivered) result.delivered += 1;
        }
      }
    } catch (error) {
      result.error = (error as Error).message;
    }
  }
  return results;
}

/** The two windows of a drift rule at `now`. */
export function driftWindows(rule: DriftRule & { source: string; column: string }, now: Date): { reference: SeriesWindow; recent: SeriesWindow } {
  const recentFrom = rule.recent?.from ?? new Date(now.getTime() - rule.recentHours * 3_600_000);
  const recent: SeriesWindow = { source: rule.source, table: rule.table, column: rule.column, time: rule.time, entity: rule.entity, series: rule.series, from: recentFrom, to: rule.recent?.to ?? now };
  const reference: SeriesWindow = rule.reference
    ? {
        source: rule.reference.source ?? rule.source,
        table: rule.reference.table ?? rule.table,
        column: rule.reference.column ?? rule.column,
        time: rule.reference.time ?? rule.time,
        entity: rule.reference.entity ?? rule.entity,
        series: rule.reference.series ?? rule.series,
        from: rule.reference.from,
        to: rule.reference.to,
      }
    : { ...recent, from: new Date(recentFrom.getTime() - rule.referenceHours * 3_600_000), to: recentFrom };
  return { reference, recent };
}

/**
 * One drift rule: the check is recorded in drift_checks whatever it finds (or the error that
 * stopped it); when drifted it is posted to the webhook and recorded in alert_firings (value PSI,
 * score KS statistic, point time the end of the recent window), at most once per repeatMinutes.
 */
async function evaluateDriftRule({
  handle,
  rule,
  webhookUrl,
  fetchImpl,
  now,
  result,
}: {
  handle: DatabaseHandle;
  rule: DriftRule;
  webhookUrl: URL;
  fetchImpl: typeof fetch;
  now: Date;
  result: AlertEvaluation;
}): Promise<void> {
  if (rule.trainedModel !== undefined) {
    await evaluateTrainedModelDriftRule({ handle, rule, trainedModel: rule.trainedModel, webhookUrl, fetchImpl, now, result });
    return;
  }
  const { reference, recent } = driftWindows(rule as DriftRule & { source: string; column: string }, now);
  const source = rule.source!;
  const series = rule.series ?? '';
  const base = {
    time: now.toISOString(), ruleId: rule.id, source, series, model: rule.model ?? null,
    referenceFrom: reference.from.toISOString(), referenceTo: reference.to.toISOString(), recentFrom: recent.from.toISOString(), recentTo: recent.to.toISOString(),
    psiThreshold: rule.psiThreshold, ksThreshold: rule.ksThreshold ?? null,
  };
  let report: DriftReport;
  try {
    report = await checkDrift({ reference, recent, bins: rule.bins, ...(rule.model ? { rollingError: { model: rule.model, horizon: rule.horizon, folds: rule.folds } } : {}) });
  } catch (error) {
    await insertDriftCheck(handle, { ...base, referenceCount: 0, recentCount: 0, psi: null, ksStatistic: null, ksPValue: null, rollingError: null, fired: false, error: (error as Error).message.slice(0, 500) });
    throw error;
  }
  result.checked += report.referenceCount + report.recentCount;
  const drifted = report.psi >= rule.psiThreshold || (rule.ksThreshold !== undefined && report.ksStatistic >= rule.ksThreshold);
  const since = drifted ? await lastFiredPoint(handle, rule.id) : null;
  const fire = drifted && (!since || now.getTime() - since.getTime() >= rule.repeatMinutes * 60_000);
  await insertDriftCheck(handle, {
    ...base, referenceCount: report.referenceCount, recentCount: report.recentCount, psi: report.psi, ksStatistic: report.ksStatistic, ksPValue: report.ksPValue,
    rollingError: report.rollingError as unknown as Record<string, unknown> | null, fired: fire, error: null,
  });
  if (!fire) return;
  const payload = {
    rule: rule.id, kind: 'drift', level: rule.level, source, table: rule.table ?? null, column: rule.column, series,
    time: now.toISOString(), value: report.psi, score: report.ksStatistic, threshold: rule.psiThreshold,
    psi: report.psi, ks: { statistic: report.ksStatistic, pValue: report.ksPValue, threshold: rule.ksThreshold ?? null }, meanShift: report.meanShift,
    reference: { source: reference.source, table: reference.table ?? null, column: reference.column, series: reference.series ?? '', from: base.referenceFrom, to: base.referenceTo, count: report.referenceCount },
    recent: { from: base.recentFrom, to: base.recentTo, count: report.recentCount },
    rollingError: report.rollingError,
  };
  const delivery = await post(webhookUrl, payload, fetchImpl);
  await insertAlertFiring(handle, {
    ruleId: rule.id, source, series, pointTime: now.toISOString(), value: report.psi, score: report.ksStatistic,
    threshold: rule.psiThreshold, delivered: delivery.delivered, httpStatus: delivery.status, error: delivery.error,
  });
  metrics().alertFirings.inc({ rule: rule.id, delivered: String(delivery.delivered) });
  result.fired += 1;
  if (delivery.delivered) result.delivered += 1;
}

/**
 * A drift rule naming a trained model: its current revision's training window against the newest
 * data after it (lib/server/anomalies/model-drift.ts), recorded in drift_checks under the rule, and
 * posted like any drift (kind "drift", with the model, revision and its rolling error).
 */
async function evaluateTrainedModelDriftRule({
  handle,
  rule,
  trainedModel,
  webhookUrl,
  fetchImpl,
  now,
  result,
}: {
  handle: DatabaseHandle;
  rule: DriftRule;
  trainedModel: string;
  webhookUrl: URL;
  fetchImpl: typeof fetch;
  now: Date;
  result: AlertEvaluation;
}): Promise<void> {
  const model = await getTrainedModel(handle, { id: trainedModel });
  if (!model) throw new LookaheadError('alerts', 'bad_input', `drift rule ${rule.id}: no trained model "${trainedModel}" (GET /api/models lists them under "trained")`);
  let report: TrainedDriftReport;
  try {
    report = await checkTrainedModelDrift({ handle, model, bins: rule.bins, folds: rule.folds, ...(rule.recentPoints ? { recentPoints: rule.recentPoints } : {}), ...(rule.recent ? { recent: rule.recent } : {}) });
  } catch (error) {
    const at = now.toISOString();
    await insertDriftCheck(handle, {
      time: at, ruleId: rule.id, source: rule.source ?? '', series: rule.series ?? '', model: trainedModel, referenceFrom: at, referenceTo: at, recentFrom: at, recentTo: at,
      referenceCount: 0, recentCount: 0, psi: null, ksStatistic: null, ksPValue: null, rollingError: { model: trainedModel, revision: model.revision }, psiThreshold: rule.psiThreshold, ksThreshold: rule.ksThreshold ?? null,
      fired: false, error: (error as Error).message.slice(0, 500),
    });
    throw error;
  }
  result.checked += report.referenceCount + report.recentCount;
  const drifted = report.psi >= rule.psiThreshold || (rule.ksThreshold !== undefined && report.ksStatistic >= rule.ksThreshold);
  const since = drifted ? await lastFiredPoint(handle, rule.id) : null;
  const fire = drifted && (!since || now.getTime() - since.getTime() >= rule.repeatMinutes * 60_000);
  await insertDriftCheck(handle, trainedDriftRow(report, { now, ruleId: rule.id, psiThreshold: rule.psiThreshold, ksThreshold: rule.ksThreshold ?? null, fired: fire }));
  if (!fire) return;
  const payload = {
    rule: rule.id, kind: 'drift', level: rule.level, source: report.source, series: report.series, model: report.model, revision: report.revision,
    time: now.toISOString(), value: report.psi, score: report.ksStatistic, threshold: rule.psiThreshold,
    psi: report.psi, ks: { statistic: report.ksStatistic, pValue: report.ksPValue, threshold: rule.ksThreshold ?? null }, meanShift: report.meanShift,
    reference: { kind: 'training window (train split)', from: report.reference.from.toISOString(), to: report.reference.to.toISOString(), count: report.referenceCount },
    recent: { from: report.recent.from.toISOString(), to: report.recent.to.toISOString(), count: report.recentCount, newPoints: report.newPoints },
    rollingError: report.rollingError,
  };
  const delivery = await post(webhookUrl, payload, fetchImpl);
  await insertAlertFiring(handle, {
    ruleId: rule.id, source: report.source, series: report.series, pointTime: now.toISOString(), value: report.psi, score: report.ksStatistic,
    threshold: rule.psiThreshold, delivered: delivery.delivered, httpStatus: delivery.status, error: delivery.error,
  });
  metrics().alertFirings.inc({ rule: rule.id, delivered: String(delivery.delivered) });
  result.fired += 1;
  if (delivery.delivered) result.delivered += 1;
}
