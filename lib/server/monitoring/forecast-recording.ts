import 'server-only';
import { isLookaheadError } from '@/lib/core/errors';
import type { ForecastReport } from '@/lib/report/schema';
import type { ForecastRequestBody, ForecastResponseBody } from '../forecast-service';
import { clientActor, sha256Hex } from './actor';
import type { Monitor } from './monitor';
import { serverRuntimeKind } from './runtime-kind';

/**
 * What a server forecast leaves behind: one inference event (latency, points, outcome) and one
 * audit row (who, which model revision and sha256, what data window: series count, lengths and
 * the first/last timestamps, never the values). Both are buffered: the request never waits.
 */
export function recordServerForecast({
  monitor,
  request,
  body,
  response,
  error,
  latencyMs,
}: {
  monitor: Monitor;
  request: Request;
  body: ForecastRequestBody;
  response?: ForecastResponseBody;
  error?: unknown;
  latencyMs: number;
}): void {
  const points = body.series.reduce((sum, series) => sum + series.values.length, 0);
  const model = response?.model.id ?? body.model;
  const outcome = response ? 'ok' : isLookaheadError(error) && error.code === 'cancelled' ? 'cancelled' : 'error';
  monitor.recordInference({
    model,
    revision: response?.model.revision ?? null,
    runtime: response ? serverRuntimeKind(response.runtime) : 'server-cpu',
    device: response?.runtime ?? 'unknown (failed before a runtime was chosen)',
    origin: 'server',
    endpoint: '/api/forecast',
    seriesCount: body.series.length,
    points,
    horizon: body.horizon,
    latencyMs,
    outcome,
    errorKind: response ? null : isLookaheadError(error) ? error.code : 'internal',
  });
  const first = body.series[0]?.timestamps?.[0];
  const lastSeries = body.series[0]?.timestamps;
  monitor.recordAudit({
    action: 'forecast',
    actor: clientActor(request.headers),
    model,
    modelRevision: response?.model.revision ?? null,
    modelSha256: response?.model.sha256 ?? null,
    source: 'request',
    dataWindow: {
      series: body.series.length,
      points,
      lengths: body.series.slice(0, 20).map((series) => series.values.length),
      ...(first !== undefined ? { start: first, end: lastSeries?.[lastSeries.length - 1] } : {}),
    },
    details: { horizon: body.horizon, levels: response?.levels ?? body.levels ?? null, outcome, ...(response ? {} : { error: isLookaheadError(error) ? error.code : 'internal' }) },
  });
}

/** A published share: the token only as its SHA-256, the model and the data window it froze. */
export function recordShare({ monitor, request, token, report, bytes }: { monitor: Monitor; request: Request; token: string; report: ForecastReport; bytes: number }): void {
  const timestamps = report.data.timestampsMs;
  monitor.recordAudit({
    action: 'share',
    actor: clientActor(request.headers),
    tokenHash: sha256Hex(token),
    model: report.model.id,
    modelRevision: report.model.revision,
    modelSha256: report.model.sha256,
    source: report.config.source,
    dataWindow: {
      table: report.config.table ?? null,
      column: report.data.column,
      points: report.data.values.length,
      ...(timestamps?.length ? { start: new Date(timestamps[0]!).toISOString(), end: new Date(timestamps[timestamps.length - 1]!).toISOString() } : {}),
    },
    details: { bytes, title: report.title },
  });
}

export function recordShareDelete({ monitor, request, token }: { monitor: Monitor; request: Request; token: string }): void {
  monitor.recordAudit({ action: 'share-delete', actor: clientActor(request.headers), tokenHash: sha256Hex(token) });
}
