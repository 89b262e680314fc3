/**
 * The browser's run reports to POST /api/telemetry (model, device, latency, points): sent by the
 * worker after each run, fire-and-forget (a failed report never disturbs the run). Opt out in the
 * browser with localStorage["lookahead.telemetry"] = "off" (the client then marks each job
 * telemetry: false), or on the server with LOOKAHEAD_TELEMETRY=off.
 */
export const TELEMETRY_STORAGE_KEY = 'lookahead.telemetry';

export interface TelemetryPayload {
  kind: 'forecast' | 'backtest';
  model: string;
  revision?: string | null;
  device: 'webgpu' | 'wasm';
  deviceLabel: string;
  latencyMs: number;
  points: number;
  horizon: number;
  seriesCount?: number;
  outcome: 'ok' | 'error' | 'cancelled';
  errorKind?: string | null;
}

/** False when this browser opted out (main thread only; a worker receives the answer in its job). */
export function telemetryAllowed(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): boolean {
  try {
    return storage?.getItem(TELEMETRY_STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
}

export function sendTelemetry(origin: string, payload: TelemetryPayload, fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)): void {
  const body = JSON.stringify({ ...payload, latencyMs: Math.round(payload.latencyMs * 100) / 100, deviceLabel: payload.deviceLabel.slice(0, 200), model: payload.model.slice(0, 200) });
  void fetchImpl(new URL('/api/telemetry', origin), { method: 'POST', headers: { 'content-type': 'application/json' }, body, keepalive: true }).catch(() => {});
}
