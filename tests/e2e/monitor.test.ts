import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { SPIKE_ROW, SPIKE_RULE_ID, SPIKE_START_MS, spikeCsv, spikeSourceId, TRAINED_DRIFT_RULE_ID, TRAINED_MODEL_ID } from '../support/monitor-fixture';

/**
 * Done means (issue 11): after server forecasts, an in-browser forecast, a backtest job and a
 * (tiny) server train job, /monitor shows their latencies per model and runtime, the training
 * curve (train/val loss per epoch), the trained model's drift, the job queue and the server's CPU
 * and memory, /metrics scrapes (training runs too), a drift rule naming the trained model fires,
 * and an injected spike in an uploaded series is listed as an anomaly on
 * the page (chart and table) and fires the server's alert rule to a local webhook receiver.
 */
const appUrl = inject('appUrl');
const alertReceiverUrl = inject('alertReceiverUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function uploadSpike(): Promise<string> {
  const upload = await fetch(`${appUrl}/api/uploads?fileName=spike.csv`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: spikeCsv() });
  expect(upload.status).toBeLessThan(300);
  const { source } = (await upload.json()) as { source: { id: string } };
  // The id the alert rule of the e2e server names (tests/support/monitor-fixture.ts).
  expect(source.id).toBe(spikeSourceId());
  return source.id;
}

describe('/monitor, /metrics and anomalies in the running app', () => {
  it('server and browser forecasts, a backtest job and a train job appear per model and runtime, with the training curve, the trained model\'s drift, the queue and CPU/memory; /metrics scrapes', async () => {
    // A backtest job over the spike upload (the in-process worker of the embedded database runs it).
    const sourceId = await uploadSpike();
    const submitted = await fetch(`${appUrl}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'backtest-batch', params: { source: sourceId, window: { columns: 'load' }, models: ['seasonal-naive'], horizon: 12, windows: 2, context: 48 } }),
    });
    expect(submitted.status).toBeLessThan(300);
    const { id: jobId } = (await submitted.json()) as { id: string };
    await expect
      .poll(async () => ((await (await fetch(`${appUrl}/api/jobs/${jobId}`)).json()) as { state: string }).state, { timeout: 180_000, interval: 1_000 })
      .toBe('completed');
    // A tiny Informer trained on the same upload by a server train job (the in-process worker, tfjs WASM).
    const trainSubmitted = await fetch(`${appUrl}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'train',
        params: {
          source: sourceId, window: { columns: 'load' }, modelId: TRAINED_MODEL_ID, task: 'energy', size: 'small',
          overrides: { contextLength: 24, labelLength: 12, horizon: 6, dModel: 8, heads: 2, encoderLayers: 1, decoderLayers: 1, dFeedForward: 16, factor: 2 },
          epochs: 2, batchSize: 16, learningRate: 0.003, patience: 2, maxStepsPerEpoch: 4, maxValidationWindows: 16, seed: 7,
        },
      }),
    });
    expect(trainSubmitted.status).toBeLessThan(300);
    const { id: trainJobId } = (await trainSubmitted.json()) as { id: string };
    await expect
      .poll(async () => ((await (await fetch(`${appUrl}/api/jobs/${trainJobId}`)).json()) as { state: string }).state, { timeout: 300_000, interval: 1_000 })
      .toBe('completed');
    for (let i = 0; i < 3; i += 1) {
      const response = await fetch(`${appUrl}/api/forecast`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'seasonal-naive', horizon: 4, series: [{ values: [1, 2, 3, 4, 5, 6, 7, 8] }] }),
      });
      expect(response.status).toBe(200);
    }
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const telemetry = page.waitForResponse((response) => response.url().endsWith('/api/telemetry'), { timeout: 120_000 });
    await page.goto(appUrl);
    await expect.poll(() => page.locator('[data-testid=device]').textContent(), { timeout: 30_000 }).toContain('Device:');
    await page.selectOption('#source', 'etth1');
    await page.selectOption('#column', 'OT');
    await page.selectOption('#model', 'seasonal-naive');
    await page.click('button:has-text("Forecast")');
    await page.locator('[data-testid=forecast-table]').waitFor({ timeout: 60_000 });
    expect((await telemetry).status()).toBe(202);

    await page.goto(`${appUrl}/monitor?range=1h`);
    const summary = page.locator('[data-testid=monitor-summary]');
    await summary.waitFor({ timeout: 30_000 });
    const rows = await summary.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    const server = rows.find((row) => row[0] === 'seasonal-naive · server-cpu');
    const browserRow = rows.find((row) => row[0] === 'seasonal-naive · browser-wasm');
    const job = rows.find((row) => row[0] === 'seasonal-naive · job-cpu');
    expect(Number(server?.[1])).toBeGreaterThanOrEqual(3);
    expect(Number(browserRow?.[1])).toBeGreaterThanOrEqual(1);
    // The backtest job's chunk: one model run with origin job, its latency beside the others.
    expect(Number(job?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(job?.[5])).toBeGreaterThan(0);
    // CPU and memory of the server process that served them (it samples itself every 2 s here).
    await expect
      .poll(
        async () => {
          await page.click('button:has-text("Refresh")');
          return page.locator('[data-testid=monitor-resources] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
        },
        { timeout: 60_000, interval: 2_000 },
      )
      .toContainEqual([expect.stringMatching(/^server/), expect.stringMatching(/^\d/), expect.stringMatching(/^\d/), expect.stringMatching(/^[1-9]\d*$/)]);
    expect(await page.locator('[data-testid=monitor-read]').textContent()).toContain('from raw events');
    // Latency chart drawn (four percentile lines).
    await expect.poll(() => page.locator('.recharts-line').count()).toBeGreaterThanOrEqual(4);
    await page.selectOption('[data-testid=monitor-range]', '7d');
    await expect.poll(() => page.locator('[data-testid=monitor-read]').textContent(), { timeout: 30_000 }).toContain('1-hour rollups');
    // The job queue reports to the dashboard: the app's in-process worker (embedded database) is live.
    await expect.poll(() => page.locator('[data-testid=monitor-queue]').textContent(), { timeout: 30_000 }).toMatch(/no jobs waiting · \d+ running · [1-9]\d* workers? with a recent heartbeat/);
    // The training curve: train and validation loss per epoch of the train job's run.
    const epochs = await page.locator('[data-testid=monitor-training-epochs] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    const runEpochs = epochs.filter((row) => row[0] === `train-${trainJobId}`);
    expect(runEpochs.map((row) => [row[1], row[3]])).toEqual([[TRAINED_MODEL_ID, '1'], [TRAINED_MODEL_ID, '2']]);
    for (const row of runEpochs) {
      expect(Number(row[4])).toBeGreaterThan(0);
      expect(Number(row[5])).toBeGreaterThan(0);
    }
    expect(runEpochs[0]![2]).toBe('succeeded');
    // Its drift beside it: training window vs the data after it, checked by the schedule (every 10 s here).
    const driftRow = page.locator(`[data-testid=trained-drift-row][data-model="${TRAINED_MODEL_ID}"]`);
    await expect
      .poll(
        async () => {
          await page.click('button:has-text("Refresh")');
          return (await driftRow.count()) ? driftRow.locator('[data-testid=trained-drift-psi]').textContent() : '';
        },
        { timeout: 90_000, interval: 2_000 },
      )
      .toMatch(/^\d+\.\d{3}$/);
    expect(await driftRow.locator('[data-testid=trained-drift-error]').textContent()).toMatch(/^\d+\.\d{3} \/ \d+\.\d{3} \(×\d+\.\d{2}\)$/);
    expect(errors).toEqual([]);
    // The revision route carries the same check; the drift rule naming the model fired to the webhook.
    const revisions = (await (await fetch(`${appUrl}/api/models/trained/${TRAINED_MODEL_ID}`)).json()) as { current: string };
    const detail = (await (await fetch(`${appUrl}/api/models/trained/${TRAINED_MODEL_ID}/${revisions.current}`)).json()) as { drift: { model: string; psi: number; ruleId: string | null; rollingError: { revision: string } }[] };
    expect(detail.drift.find((check) => check.ruleId === null)).toMatchObject({ model: TRAINED_MODEL_ID, rollingError: expect.objectContaining({ revision: revisions.current }) });
    const driftFired = async () => ((await (await fetch(`${alertReceiverUrl}/received`)).json()) as Record<string, unknown>[]).filter((body) => body.rule === TRAINED_DRIFT_RULE_ID);
    await expect.poll(driftFired, { timeout: 90_000, interval: 2_000 }).toHaveLength(1);
    expect((await driftFired())[0]).toMatchObject({ kind: 'drift', model: TRAINED_MODEL_ID, revision: revisions.current, source: sourceId, reference: expect.objectContaining({ kind: 'training window (train split)' }) });

    const metrics = await (await fetch(`${appUrl}/metrics`)).text();
    expect(metrics).toMatch(/lookahead_training_runs\{status="succeeded",origin="job"\} [1-9]/);
    expect(metrics).toMatch(/lookahead_training_epochs_total\{origin="job"\} [2-9]/);
    expect(metrics).toMatch(/lookahead_training_runs_active 0/);
    expect(metrics).toMatch(/lookahead_job_queue_depth\{queue="[^"]+"\} \d+/);
    expect(metrics).toMatch(/lookahead_http_requests_total\{route="\/api\/forecast",method="POST",status="200",model="seasonal-naive"\} [3-9]/);
    expect(metrics).toMatch(/lookahead_inference_total\{model="seasonal-naive",runtime="browser-wasm",origin="browser",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/lookahead_inference_total\{model="seasonal-naive",runtime="job-cpu",origin="job",outcome="ok"\} [1-9]/);
    await page.close();
  });

  it('an injected spike in an uploaded series is listed and marked on the anomaly chart, and fires the alert webhook once', async () => {
    const sourceId = await uploadSpike();
    const page = await browser.newPage();
    await page.goto(`${appUrl}/monitor?range=1h`);
    await page.fill('[data-testid=anomaly-source]', sourceId);
    await page.fill('[data-testid=anomaly-columns]', 'load');
    await page.fill('[data-testid=anomaly-window]', '48');
    await page.click('[data-testid=anomaly-run]');
    await page.locator('[data-testid=anomaly-results]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid=anomaly-count]').textContent()).toMatch(/^1 anomaly in 240 points of load \(scored in lib\/core\)/);
    const first = await page.locator('[data-testid=anomaly-results] tbody tr td').first().textContent();
    const spikeTime = new Date(SPIKE_START_MS + SPIKE_ROW * 3_600_000).toISOString();
    expect(first).toBe(spikeTime);
    await expect.poll(() => page.locator('.recharts-scatter-symbol').count()).toBe(1);

    // The server's rule on this series (evaluated every 10 s here) posts the spike to the local receiver, once.
    const fired = async () => ((await (await fetch(`${alertReceiverUrl}/received`)).json()) as Record<string, unknown>[]).filter((body) => body.rule === SPIKE_RULE_ID);
    await expect.poll(fired, { timeout: 90_000, interval: 2_000 }).toHaveLength(1);
    expect((await fired())[0]).toMatchObject({ rule: SPIKE_RULE_ID, level: 'critical', source: sourceId, column: 'load', method: 'zscore', time: spikeTime, value: 500, threshold: 3.5 });
    // The firing is recorded and listed on /monitor; later rounds do not fire the same point again.
    await page.reload();
    await expect.poll(() => page.locator('[data-testid=monitor-alerts]').textContent(), { timeout: 30_000 }).toContain(SPIKE_RULE_ID);
    expect(await page.locator('[data-testid=monitor-alerts]').textContent()).toContain('yes');
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    expect(await fired()).toHaveLength(1);
    await page.close();
  });
});
