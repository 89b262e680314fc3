import 'server-only';
import { z } from 'zod';
import { LookaheadError } from '@/lib/core/errors';

/** Monitoring settings from the environment, validated once (README: Configuration). */
const onOff = z.enum(['on', 'off']);
const positiveInt = z.coerce.number().int().positive();

const envSchema = z.object({
  LOOKAHEAD_MONITORING: onOff.default('on'),
  LOOKAHEAD_TELEMETRY: onOff.default('on'),
  LOOKAHEAD_MONITORING_BUFFER: positiveInt.default(10_000),
  LOOKAHEAD_MONITORING_BATCH: positiveInt.default(500),
  LOOKAHEAD_MONITORING_FLUSH_MS: positiveInt.default(1_000),
  LOOKAHEAD_MONITORING_RETENTION_DAYS: positiveInt.default(30),
  LOOKAHEAD_MONITORING_SCHEDULE_MS: positiveInt.default(60_000),
  LOOKAHEAD_MONITORING_SAMPLE_MS: positiveInt.default(15_000),
  LOOKAHEAD_TELEMETRY_RATE_PER_MINUTE: positiveInt.default(120),
});

export interface MonitoringConfig {
  enabled: boolean;
  telemetryEnabled: boolean;
  bufferCapacity: number;
  maxBatch: number;
  flushIntervalMs: number;
  retentionDays: number;
  scheduleIntervalMs: number;
  /** How often a process that records server or job events samples its CPU and memory. */
  processSampleIntervalMs: number;
  telemetryRatePerMinute: number;
}

export function monitoringConfig(env: Record<string, string | undefined> = process.env): MonitoringConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([key, value]) => key.startsWith('LOOKAHEAD_') && value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}`);
    throw new LookaheadError('monitoring', 'internal', `bad configuration: ${problems.join('; ')}`, { cause: parsed.error });
  }
  const value = parsed.data;
  return {
    enabled: value.LOOKAHEAD_MONITORING === 'on',
    telemetryEnabled: value.LOOKAHEAD_TELEMETRY === 'on',
    bufferCapacity: Math.max(value.LOOKAHEAD_MONITORING_BUFFER, value.LOOKAHEAD_MONITORING_BATCH),
    maxBatch: value.LOOKAHEAD_MONITORING_BATCH,
    flushIntervalMs: value.LOOKAHEAD_MONITORING_FLUSH_MS,
    retentionDays: value.LOOKAHEAD_MONITORING_RETENTION_DAYS,
    scheduleIntervalMs: value.LOOKAHEAD_MONITORING_SCHEDULE_MS,
    processSampleIntervalMs: value.LOOKAHEAD_MONITORING_SAMPLE_MS,
    telemetryRatePerMinute: value.LOOKAHEAD_TELEMETRY_RATE_PER_MINUTE,
  };
}
