import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TrainingTelemetry } from '@/lib/client/training-telemetry';

/** The page's reports of a browser training run to POST /api/telemetry/training, against a real local HTTP server. */
describe('browser training telemetry client', () => {
  it('sends the run status at once, batches step metrics, flushes at an epoch, splits big batches and nulls non-finite numbers', async () => {
    const received: { url: string; body: { run: { id: string; status: string }; metrics: Record<string, unknown>[] } }[] = [];
    const server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      received.push({ url: request.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      response.writeHead(202).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const telemetry = new TrainingTelemetry({ id: 'browser-abc123', model: 'informer-x', status: 'running', device: 'TensorFlow.js WASM' }, { origin, allowed: true });
      telemetry.status('running');
      await expect.poll(() => received.length).toBe(1);
      expect(received[0]).toEqual({ url: '/api/telemetry/training', body: { run: { id: 'browser-abc123', model: 'informer-x', status: 'running', device: 'TensorFlow.js WASM' }, metrics: [] } });
      telemetry.metric({ epoch: 0, step: 0, trainLoss: 1.5, gradNorm: Number.NaN });
      telemetry.metric({ epoch: 0, step: 1, trainLoss: 1.25 });
      // Queued, not sent, until the epoch metric flushes them.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received).toHaveLength(1);
      telemetry.metric({ epoch: 0, trainLoss: 1.4, valLoss: 1.1, learningRate: 0.003 }, { now: true });
      await expect.poll(() => received.length).toBe(2);
      expect(received[1]!.body.metrics).toEqual([
        { epoch: 0, step: 0, trainLoss: 1.5, valLoss: null, learningRate: null, gradNorm: null, stepMs: null },
        { epoch: 0, step: 1, trainLoss: 1.25, valLoss: null, learningRate: null, gradNorm: null, stepMs: null },
        { epoch: 0, step: null, trainLoss: 1.4, valLoss: 1.1, learningRate: 0.003, gradNorm: null, stepMs: null },
      ]);
      for (let step = 0; step < 700; step++) telemetry.metric({ epoch: 1, step, trainLoss: 1 });
      telemetry.status('succeeded', { revision: 'abcdef012345' });
      await expect.poll(() => received.length).toBe(4);
      expect(received.slice(2).map((report) => report.body.metrics.length).sort((a, b) => a - b)).toEqual([200, 500]);
      expect(received.at(-1)!.body.run).toMatchObject({ status: 'succeeded', revision: 'abcdef012345' });
    } finally {
      server.close();
    }
  });

  it('sends nothing when this browser opted out', async () => {
    let calls = 0;
    const telemetry = new TrainingTelemetry({ id: 'browser-abc123', model: 'informer-x', status: 'running' }, { origin: 'http://127.0.0.1:1', allowed: false, fetchImpl: (async () => { calls++; return new Response('{}'); }) as typeof fetch });
    telemetry.status('running');
    telemetry.metric({ epoch: 0, step: 0, trainLoss: 1 }, { now: true });
    telemetry.status('succeeded');
    expect(calls).toBe(0);
  });
});
