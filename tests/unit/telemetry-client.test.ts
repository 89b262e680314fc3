import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { sendTelemetry, telemetryAllowed, TELEMETRY_STORAGE_KEY } from '@/lib/client/telemetry';

describe('browser telemetry client', () => {
  it('is allowed unless this browser stored "off", and a throwing storage (private mode) does not block it', () => {
    expect(telemetryAllowed({ getItem: () => null })).toBe(true);
    expect(telemetryAllowed({ getItem: (key) => (key === TELEMETRY_STORAGE_KEY ? 'off' : null) })).toBe(false);
    expect(telemetryAllowed({ getItem: () => { throw new Error('SecurityError'); } })).toBe(true);
    expect(telemetryAllowed(undefined)).toBe(true);
  });

  it('POSTs the report as JSON to /api/telemetry of the origin, and a server that is down is ignored', async () => {
    const received: { url: string; body: unknown }[] = [];
    const server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      received.push({ url: request.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      response.writeHead(202).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sendTelemetry(origin, { kind: 'forecast', model: 'mstl', device: 'wasm', deviceLabel: 'WASM (augurs), 1 thread', latencyMs: 12.3456, points: 100, horizon: 12, outcome: 'ok' });
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]).toEqual({ url: '/api/telemetry', body: { kind: 'forecast', model: 'mstl', device: 'wasm', deviceLabel: 'WASM (augurs), 1 thread', latencyMs: 12.35, points: 100, horizon: 12, outcome: 'ok' } });
    server.close();
    // Port 1 refuses: the rejected fetch is swallowed (no unhandled rejection fails this test).
    sendTelemetry('http://127.0.0.1:1', { kind: 'forecast', model: 'mstl', device: 'wasm', deviceLabel: '', latencyMs: 1, points: 1, horizon: 1, outcome: 'ok' });
    await new Promise((resolve) => setTimeout(resolve, 200));
  });
});
