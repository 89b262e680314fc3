import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/db';
import { Monitor, setMonitor } from '@/lib/server/monitoring';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';

type Routes = {
  forecast: typeof import('@/app/api/forecast/route');
  telemetry: typeof import('@/app/api/telemetry/route');
  metrics: typeof import('@/app/metrics/route');
};

const forecastBody = { model: 'seasonal-naive', horizon: 3, levels: [0.1, 0.5, 0.9], series: [{ values: [1, 2, 3, 4, 5, 6, 7, 8], timestamps: Array.from({ length: 8 }, (_, i) => `2026-01-0${i + 1}T00:00:00Z`) }] };

function post(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://localhost${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

const telemetry = { model: 'chronos-bolt-tiny', revision: 'abc123', device: 'webgpu', deviceLabel: 'WebGPU (SwiftShader)', latencyMs: 42.5, points: 512, horizon: 24, outcome: 'ok' };

for (const backend of backends) {
  describe.skipIf(!backend.available)(`monitoring: recording on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;
    let monitor: Monitor;
    let routes: Routes;

    beforeAll(async () => {
      database = await createTestDatabase(backend.name);
      monitor = new Monitor({ database: async () => database.handle, config: { flushIntervalMs: 60_000, telemetryRatePerMinute: 5 } });
      setMonitor(monitor);
      routes = { forecast: await import('@/app/api/forecast/route'), telemetry: await import('@/app/api/telemetry/route'), metrics: await import('@/app/metrics/route') };
    }, 120_000);
    afterAll(async () => {
      setMonitor(null);
      await monitor?.close();
      await database?.drop();
    });

    it('POST /api/forecast records an inference event and an audit row per request, including failures that named a model', async () => {
      const ok = await routes.forecast.POST(post('/api/forecast', forecastBody, { 'x-forwarded-for': '203.0.113.9' }));
      expect(ok.status).toBe(200);
      const failed = await routes.forecast.POST(post('/api/forecast', { ...forecastBody, model: 'no-such-model' }));
      expect(failed.status).toBe(400);
      const invalid = await routes.forecast.POST(post('/api/forecast', '{not json'));
      expect(invalid.status).toBe(400);
      await monitor.flush();
      const events = await database.handle.query<Record<string, unknown>>('SELECT model, runtime, device, origin, endpoint, points, horizon, outcome, error_kind, latency_ms FROM inference_events ORDER BY "time"');
      expect(events).toHaveLength(2);
      expect(events[0]).toMatchObject({ model: 'seasonal-naive', runtime: 'server-cpu', device: 'JavaScript', origin: 'server', endpoint: '/api/forecast', points: 8, horizon: 3, outcome: 'ok', error_kind: null });
      expect(Number(events[0]!.latency_ms)).toBeGreaterThan(0);
      expect(events[1]).toMatchObject({ model: 'no-such-model', outcome: 'error', error_kind: 'bad_input' });
      const audit = await database.handle.query<Record<string, unknown>>('SELECT action, actor, model, data_window, details FROM forecast_audit ORDER BY id');
      expect(audit).toHaveLength(2);
      expect(audit[0]).toMatchObject({ action: 'forecast', model: 'seasonal-naive', data_window: { series: 1, points: 8, lengths: [8], start: '2026-01-01T00:00:00Z', end: '2026-01-08T00:00:00Z' } });
      // The client address is never stored, only a salted hash of it.
      expect(String(audit[0]!.actor)).toMatch(/^client:[0-9a-f]{16}$/);
      expect(JSON.stringify(audit)).not.toContain('203.0.113.9');
    });

    it('POST /api/telemetry records a browser run, names a bad field with a 400, and rate-limits per client with a 429', async () => {
      const accepted = await routes.telemetry.POST(post('/api/telemetry', telemetry, { 'x-forwarded-for': '198.51.100.1' + backend.name }));
      expect(accepted.status).toBe(202);
      expect(await accepted.json()).toEqual({ recorded: true });
      const bad = await routes.telemetry.POST(post('/api/telemetry', { ...telemetry, device: 'tpu', latencyMs: -1 }, { 'x-forwarded-for': '198.51.100.1' + backend.name }));
      expect(bad.status).toBe(400);
      const message = ((await bad.json()) as { error: { message: string } }).error.message;
      expect(message).toMatch(/^telemetry: /);
      expect(message).toContain('device: device must be "webgpu" or "wasm"');
      expect(message).toContain('latencyMs');
      const extra = await routes.telemetry.POST(post('/api/telemetry', { ...telemetry, values: [1, 2] }, { 'x-forwarded-for': '198.51.100.1' + backend.name }));
      expect(extra.status).toBe(400);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await routes.telemetry.POST(post('/api/telemetry', telemetry, { 'x-forwarded-for': '198.51.100.1' + backend.name }))).status);
      expect(statuses).toContain(429);
      const limited = await routes.telemetry.POST(post('/api/telemetry', telemetry, { 'x-forwarded-for': '198.51.100.1' + backend.name }));
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another client is not limited by the first.
      expect((await routes.telemetry.POST(post('/api/telemetry', telemetry, { 'x-forwarded-for': '198.51.100.2' + backend.name }))).status).toBe(202);
      await monitor.flush();
      const rows = await database.handle.query<Record<string, unknown>>(`SELECT model, revision, runtime, device, origin, endpoint, points, latency_ms FROM inference_events WHERE origin = 'browser'`);
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(rows[0]).toMatchObject({ model: 'chronos-bolt-tiny', revision: 'abc123', runtime: 'browser-webgpu', device: 'WebGPU (SwiftShader)', endpoint: 'browser:forecast', points: 512 });
      expect(Number(rows[0]!.latency_ms)).toBe(42.5);
    });

    it('with telemetry off on the server, reports are accepted and nothing is recorded', async () => {
      const off = new Monitor({ database: async () => database.handle, config: { telemetryEnabled: false } });
      setMonitor(off);
      try {
        const response = await routes.telemetry.POST(post('/api/telemetry', telemetry, { 'x-forwarded-for': '192.0.2.77' }));
        expect(response.status).toBe(202);
        expect(await response.json()).toMatchObject({ recorded: false, reason: expect.stringContaining('LOOKAHEAD_TELEMETRY=off') });
        expect(off.stats()[0]!.accepted).toBe(0);
      } finally {
        setMonitor(monitor);
        await off.close();
      }
    });

    it('GET /metrics scrapes: requests per route, status and model, latency histograms, queue gauges at 0, buffers', async () => {
      const text = await (await routes.metrics.GET()).text();
      expect(text).toMatch(/lookahead_http_requests_total\{route="\/api\/forecast",method="POST",status="200",model="seasonal-naive"\} [1-9]/);
      expect(text).toMatch(/lookahead_http_requests_total\{route="\/api\/forecast",method="POST",status="400",model="no-such-model"\} [1-9]/);
      expect(text).toMatch(/lookahead_http_request_duration_seconds_bucket\{route="\/api\/forecast",method="POST",model="seasonal-naive",le="\+Inf"\} [1-9]/);
      expect(text).toMatch(/lookahead_http_requests_total\{route="\/api\/telemetry",method="POST",status="429",model=""\} [1-9]/);
      expect(text).toMatch(/lookahead_inference_total\{model="chronos-bolt-tiny",runtime="browser-webgpu",origin="browser",outcome="ok"\} [1-9]/);
      expect(text).toContain('lookahead_job_queue_depth{queue="default"} 0');
      expect(text).toContain('lookahead_workers 0');
      expect(text).toContain('lookahead_training_runs_active 0');
      expect(text).toMatch(/lookahead_monitoring_events_written_total\{buffer="inference_events"\} [1-9]/);
      // Every sample line is "name{labels} value" or "name value".
      for (const line of text.trim().split('\n')) if (!line.startsWith('#')) expect(line).toMatch(/^[a-z_]+(\{.*\})? (-?[0-9.e+-]+|NaN|\+Inf)$/);
    });

    it('training runs and metrics are recorded, and a running run shows in /metrics', async () => {
      expect(await monitor.recordTrainingRun({ id: 'run-1', model: 'informer', origin: 'job', status: 'running', parameters: { lr: 0.001 } })).toBe(true);
      for (let step = 0; step < 5; step += 1) monitor.recordTrainingMetric({ runId: 'run-1', model: 'informer', epoch: 0, step, trainLoss: 1 / (step + 1), learningRate: 0.001 });
      await monitor.flush();
      expect(await (await routes.metrics.GET()).text()).toContain('lookahead_training_runs_active 1');
      expect(await monitor.recordTrainingRun({ id: 'run-1', model: 'informer', origin: 'job', status: 'succeeded', finishedAt: new Date().toISOString() })).toBe(true);
      const [run] = await database.handle.query<Record<string, unknown>>(`SELECT status, parameters, finished_at FROM training_runs WHERE id = 'run-1'`);
      expect(run).toMatchObject({ status: 'succeeded', parameters: { lr: 0.001 } });
      expect(run!.finished_at).not.toBeNull();
      const losses = await database.handle.query<{ train_loss: number }>(`SELECT train_loss FROM training_metrics WHERE run_id = 'run-1' ORDER BY step`);
      expect(losses.map((row) => Number(row.train_loss))).toEqual([1, 1 / 2, 1 / 3, 1 / 4, 1 / 5]);
    });

    it('a job event is an audit row, and a finished job that ran a model an inference event with origin job', async () => {
      monitor.recordJobEvent({ jobId: 'j1', kind: 'backtest', state: 'created' });
      monitor.recordJobEvent({ jobId: 'j1', kind: 'backtest', state: 'completed', workerId: 'w1', model: 'auto-ets', latencyMs: 1234, points: 1000, horizon: 12, seriesCount: 4 });
      await monitor.flush();
      const audits = await database.handle.query<Record<string, unknown>>(`SELECT actor, details FROM forecast_audit WHERE action = 'job' ORDER BY id`);
      expect(audits.map((row) => (row.details as { state: string }).state)).toEqual(['created', 'completed']);
      expect(audits[1]).toMatchObject({ actor: 'worker:w1', details: { jobId: 'j1', kind: 'backtest', workerId: 'w1' } });
      const [event] = await database.handle.query<Record<string, unknown>>(`SELECT runtime, endpoint, series_count, outcome FROM inference_events WHERE origin = 'job'`);
      expect(event).toMatchObject({ runtime: 'server-cpu', endpoint: 'job:backtest', series_count: 4, outcome: 'ok' });
    });

    it('a process that recorded server and job events samples its own CPU and memory into process_samples', async () => {
      // The forecasts and the job event above started the sampler; burn CPU so the next sample has some to show.
      const started = performance.now();
      let spin = 0;
      while (performance.now() - started < 300) spin += Math.sqrt(spin + 1);
      expect(spin).toBeGreaterThan(0);
      const sample = monitor.sampleProcess();
      expect(sample).not.toBeNull();
      expect(sample).toMatchObject({ role: 'server+worker', pid: process.pid });
      expect(sample!.cpuPercent).toBeGreaterThan(0);
      // RSS as the process reports it now, within what the few milliseconds in between can change.
      expect(Math.abs(sample!.rssMb - process.memoryUsage().rss / 2 ** 20)).toBeLessThan(64);
      await monitor.flush();
      const rows = await database.handle.query<Record<string, unknown>>(`SELECT role, pid, cpu_percent, rss_mb FROM process_samples WHERE process_id = $1`, [sample!.processId]);
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(rows.at(-1)).toMatchObject({ role: 'server+worker', pid: process.pid });
      // With nothing recorded since, the next sample keeps the last role.
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(monitor.sampleProcess()).toMatchObject({ role: 'server+worker' });
    });
  });
}

describe('monitoring: the database is down', () => {
  it('requests still answer, events are held up to the buffer and the rest counted as dropped', async () => {
    // Port 1 on localhost refuses connections: a database that is down.
    const unreachable = await openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none' });
    const monitor = new Monitor({ database: async () => unreachable, config: { bufferCapacity: 4, maxBatch: 2, flushIntervalMs: 60_000 } });
    setMonitor(monitor);
    try {
      const { POST } = await import('@/app/api/forecast/route');
      const statuses: number[] = [];
      for (let i = 0; i < 6; i += 1) statuses.push((await POST(post('/api/forecast', forecastBody))).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
      await monitor.flush();
      const [inference] = monitor.stats();
      // Each event ends up in exactly one place: written, still buffered, or dropped.
      expect(inference!.written + inference!.buffered + inference!.dropped).toBe(6);
      expect(inference!.dropped).toBeGreaterThanOrEqual(2);
      expect(inference!.buffered).toBeLessThanOrEqual(4);
      expect(inference!.written).toBe(0);
      expect(inference!.lastError).toMatch(/ECONNREFUSED|connect/);
      const text = await monitor.renderMetrics();
      expect(text).toMatch(/lookahead_monitoring_events_dropped_total\{buffer="inference_events"\} [1-9]/);
      expect(text).toContain('lookahead_training_runs_active NaN');
    } finally {
      setMonitor(null);
      await monitor.close();
      await unreachable.close();
    }
  });
});
