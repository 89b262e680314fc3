import { createHash } from 'node:crypto';

/**
 * The e2e monitoring fixture: an hourly CSV with one injected spike, and the alert rule the e2e
 * server is started with (the upload's source id is derived from its bytes, so the rule can name
 * it before the test uploads it).
 */
export const SPIKE_ROW = 150;
export const SPIKE_START_MS = Date.UTC(2026, 1, 1);

export function spikeCsv(): string {
  const lines = ['time,load'];
  for (let i = 0; i < 240; i += 1) {
    const value = i === SPIKE_ROW ? 500 : 100 + 10 * Math.sin((2 * Math.PI * i) / 24) + ((i * 31) % 7);
    lines.push(`${new Date(SPIKE_START_MS + i * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')},${value}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The source id the server gives the upload of spikeCsv() (lib/server/uploads: upload-<first 16 hex of its sha256>). */
export function spikeSourceId(): string {
  return `upload-${createHash('sha256').update(spikeCsv()).digest('hex').slice(0, 16)}`;
}

export const SPIKE_RULE_ID = 'e2e-spike';

/** The trained model the monitor e2e trains on the spike upload (a tiny server train job). */
export const TRAINED_MODEL_ID = 'informer-e2e-monitor';
export const TRAINED_DRIFT_RULE_ID = 'e2e-trained-drift';

export function spikeAlertRules(): string {
  return JSON.stringify([
    { id: SPIKE_RULE_ID, source: spikeSourceId(), column: 'load', window: 48, threshold: 3.5, level: 'critical' },
    // A drift rule naming the trained model (its training window is the reference); the threshold is
    // so low that any check fires, so the e2e sees the webhook (until the model exists the rule reports that it does not).
    { id: TRAINED_DRIFT_RULE_ID, kind: 'drift', trainedModel: TRAINED_MODEL_ID, psiThreshold: 1e-9, folds: 1, repeatMinutes: 1440, level: 'info' },
  ]);
}
