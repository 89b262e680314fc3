import 'server-only';
import { z } from 'zod';
import { LookaheadError } from '@/lib/core/errors';
import { fromZodError } from '../http';
import { readJsonBody } from '../json-body';
import { clientAddress } from './actor';
import type { Monitor } from './monitor';
import { RateLimiter } from './rate-limit';
import { browserRuntimeKind } from './runtime-kind';

/**
 * POST /api/telemetry: what the browser worker reports after each run. Validated strictly (a
 * report is small and typed; anything else is a 400 naming the field), rate-limited per client
 * address, and refused politely when the server's LOOKAHEAD_TELEMETRY=off (nothing recorded).
 */
export const telemetrySchema = z.strictObject({
  kind: z.enum(['forecast', 'backtest']).default('forecast'),
  model: z.string().min(1).max(200),
  revision: z.string().max(100).nullable().optional(),
  device: z.enum(['webgpu', 'wasm'], { error: 'device must be "webgpu" or "wasm"' }),
  deviceLabel: z.string().max(200).default(''),
  latencyMs: z.number().finite().min(0).max(3_600_000, 'latencyMs must be at most 3,600,000 (an hour)'),
  points: z.number().int().min(0).max(100_000_000),
  horizon: z.number().int().min(0).max(100_000),
  seriesCount: z.number().int().min(1).max(100_000).default(1),
  outcome: z.enum(['ok', 'error', 'cancelled']),
  errorKind: z.string().max(50).nullable().optional(),
});

export type TelemetryReport = z.infer<typeof telemetrySchema>;

const MAX_TELEMETRY_BYTES = 4096;

export interface TelemetryOutcome {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export async function acceptTelemetry(request: Request, { monitor, limiter }: { monitor: Monitor; limiter: RateLimiter }): Promise<TelemetryOutcome> {
  if (!monitor.config.telemetryEnabled || !monitor.config.enabled) {
    return { status: 202, body: { recorded: false, reason: 'telemetry is turned off on this server (LOOKAHEAD_TELEMETRY=off)' } };
  }
  const key = clientAddress(request.headers);
  if (!limiter.take(key)) {
    const retryAfter = Math.max(1, limiter.retryAfterSeconds(key));
    return {
      status: 429,
      body: { error: { code: 'rate_limited', message: `telemetry: more than ${monitor.config.telemetryRatePerMinute} reports a minute from this client; retry in ${retryAfter} s` } },
      headers: { 'retry-after': String(retryAfter) },
    };
  }
  const json = await readJsonBody(request, {
    maxBytes: MAX_TELEMETRY_BYTES,
    subsystem: 'telemetry',
    tooLarge: (bytes) => new LookaheadError('telemetry', 'too_large', `a telemetry report is at most ${MAX_TELEMETRY_BYTES} bytes${bytes ? `; this one is ${bytes}` : ''}`),
  });
  const parsed = telemetrySchema.safeParse(json);
  if (!parsed.success) throw fromZodError('telemetry', parsed.error);
  const report = parsed.data;
  const recorded = monitor.recordInference({
    model: report.model,
    revision: report.revision ?? null,
    runtime: browserRuntimeKind(report.device),
    device: report.deviceLabel || report.device,
    origin: 'browser',
    endpoint: `browser:${report.kind}`,
    seriesCount: report.seriesCount,
    points: report.points,
    horizon: report.horizon,
    latencyMs: report.latencyMs,
    outcome: report.outcome,
    errorKind: report.errorKind ?? null,
  });
  return { status: 202, body: { recorded } };
}
