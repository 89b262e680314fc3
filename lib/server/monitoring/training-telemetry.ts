import 'server-only';
import { z } from 'zod';
import { LookaheadError } from '@/lib/core/errors';
import { fromZodError } from '../http';
import { readJsonBody } from '../json-body';
import { clientAddress } from './actor';
import type { Monitor } from './monitor';
import type { RateLimiter } from './rate-limit';
import type { TelemetryOutcome } from './telemetry';

/**
 * POST /api/telemetry/training: a browser training run (its status) and a batch of its step and
 * epoch metrics, written to training_runs and training_metrics as a server `train` job's are
 * (origin 'browser'). Run ids start with "browser-", so a page can never touch a job's run.
 */
const metricNumber = z.number().finite().nullable().optional();

export const trainingTelemetrySchema = z.strictObject({
  run: z.strictObject({
    id: z.string().regex(/^browser-[a-z0-9-]{6,80}$/, 'run.id must look like "browser-<id>" (lower-case letters, digits, "-")'),
    model: z.string().min(1).max(200),
    status: z.enum(['running', 'succeeded', 'failed', 'cancelled'], { error: 'run.status must be "running", "succeeded", "failed" or "cancelled"' }),
    device: z.string().max(200).optional(),
    revision: z.string().max(100).nullable().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    error: z.string().max(2000).nullable().optional(),
  }),
  metrics: z
    .array(
      z.strictObject({
        epoch: z.number().int().min(0).max(100_000),
        step: z.number().int().min(0).max(100_000_000).nullable().optional(),
        trainLoss: metricNumber,
        valLoss: metricNumber,
        learningRate: metricNumber,
        gradNorm: metricNumber,
        stepMs: metricNumber,
        time: z.iso.datetime().optional(),
      }),
    )
    .max(1000, 'send at most 1000 metrics per report')
    .default([]),
});

export type TrainingTelemetryReport = z.infer<typeof trainingTelemetrySchema>;

const MAX_TRAINING_TELEMETRY_BYTES = 256 * 1024;

export async function acceptTrainingTelemetry(request: Request, { monitor, limiter }: { monitor: Monitor; limiter: RateLimiter }): Promise<TelemetryOutcome> {
  if (!monitor.config.telemetryEnabled || !monitor.config.enabled) {
    return { status: 202, body: { recorded: false, reason: 'telemetry is turned off on this server (LOOKAHEAD_TELEMETRY=off)' } };
  }
  const key = clientAddress(request.headers);
  if (!limiter.take(key)) {
    const retryAfter = Math.max(1, limiter.retryAfterSeconds(key));
    return {
      status: 429,
      body: { error: { code: 'rate_limited', message: `telemetry: more than ${monitor.config.telemetryRatePerMinute} training reports a minute from this client; retry in ${retryAfter} s` } },
      headers: { 'retry-after': String(retryAfter) },
    };
  }
  const json = await readJsonBody(request, {
    maxBytes: MAX_TRAINING_TELEMETRY_BYTES,
    subsystem: 'telemetry',
    tooLarge: (bytes) => new LookaheadError('telemetry', 'too_large', `a training report is at most ${MAX_TRAINING_TELEMETRY_BYTES} bytes${bytes ? `; this one is ${bytes}` : ''}: send fewer metrics per report`),
  });
  const parsed = trainingTelemetrySchema.safeParse(json);
  if (!parsed.success) throw fromZodError('telemetry', parsed.error);
  const { run, metrics } = parsed.data;
  const finished = run.status !== 'running';
  const recorded = await monitor.recordTrainingRun({
    id: run.id,
    model: run.model,
    origin: 'browser',
    status: run.status,
    device: run.device ?? null,
    revision: run.revision ?? null,
    parameters: run.parameters ?? {},
    error: run.error ?? null,
    finishedAt: finished ? new Date().toISOString() : null,
  });
  let written = 0;
  for (const metric of metrics) {
    // The report's metric fields are the monitor's (absent ones are stored as null there).
    const { time, ...values } = metric;
    const ok = monitor.recordTrainingMetric({ ...values, runId: run.id, model: run.model, device: run.device ?? null, ...(time ? { time: new Date(time) } : {}) });
    if (ok) written++;
  }
  return { status: 202, body: { recorded, metrics: written } };
}
