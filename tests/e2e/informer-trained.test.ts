import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { parseCsv } from '@/lib/data/csv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../support/chromium';

/**
 * A trained Informer through the running app: a tiny `train` job on ETTh1 OT over HTTP (the
 * embedded worker runs it on tfjs WASM), the model listed by GET /api/models, then chosen in the
 * workbench: the browser worker loads its weights from the server and forecasts with TensorFlow.js,
 * and the page shows the numbers POST /api/forecast computes for the same context.
 */
const appUrl = inject('appUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const MODEL = 'informer-e2e-etth1-ot';
const etth1 = parseCsv(readFileSync('data/samples/ETTh1.csv', 'utf8'));

describe('trained Informer in the workbench', () => {
  it('trains as a job, is listed, and forecasts in the browser as on the server', async () => {
    const submitted = await fetch(`${appUrl}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'train',
        params: {
          source: 'etth1', window: { columns: 'OT' }, modelId: MODEL, points: 800, task: 'energy', size: 'small',
          overrides: { contextLength: 48, labelLength: 24, horizon: 12, dModel: 16, heads: 2, encoderLayers: 1, decoderLayers: 1, dFeedForward: 32 },
          epochs: 2, batchSize: 16, learningRate: 0.003, maxStepsPerEpoch: 5, maxValidationWindows: 32, seed: 3,
        },
      }),
    });
    expect(submitted.status).toBe(201);
    const { id } = (await submitted.json()) as { id: string };
    await expect.poll(async () => ((await (await fetch(`${appUrl}/api/jobs/${id}`)).json()) as { state: string }).state, { timeout: 240_000, interval: 1000 }).toBe('completed');

    const listing = (await (await fetch(`${appUrl}/api/models`)).json()) as { trained: { id: string; revision: string; current: boolean }[] };
    const trained = listing.trained.find((model) => model.id === MODEL);
    expect(trained).toMatchObject({ current: true });

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(appUrl);
    await expect.poll(() => page.locator('[data-testid=device]').textContent(), { timeout: 30_000 }).toContain('Device:');
    await page.selectOption('#source', 'etth1');
    await page.selectOption('#column', 'OT');
    await page.selectOption('#model', MODEL);
    await page.fill('#horizon', '12');
    await page.fill('#context', '96');
    await page.click('button:has-text("Forecast")');
    await page.locator('[data-testid=forecast-table]').waitFor({ timeout: 120_000 });
    const rows = page.locator('[data-testid=forecast-table] tbody tr');
    expect(await rows.count()).toBe(12);
    const medians: number[] = [];
    for (let i = 0; i < 12; i++) {
      const row = rows.nth(i);
      const low = Number(await row.locator('td[data-level="0.1"]').getAttribute('data-value'));
      const median = Number(await row.locator('td[data-testid=median]').getAttribute('data-value'));
      const high = Number(await row.locator('td[data-level="0.9"]').getAttribute('data-value'));
      expect(Number.isFinite(low) && Number.isFinite(median) && Number.isFinite(high)).toBe(true);
      expect(low).toBeLessThanOrEqual(median);
      expect(median).toBeLessThanOrEqual(high);
      medians.push(median);
    }

    // The server (tfjs WASM in Node) on the same last 96 points of OT: the same network and draw,
    // so only float32 rounding differs (WebGPU or WASM in the page).
    const values = Array.from(etth1.values.OT!.slice(-96));
    const timestamps = Array.from(etth1.timestampsMs!.slice(-96), (ms) => new Date(ms).toISOString());
    const server = await fetch(`${appUrl}/api/forecast`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: MODEL, horizon: 12, levels: [0.1, 0.5, 0.9], series: [{ values, timestamps }] }) });
    expect(server.status).toBe(200);
    const answer = (await server.json()) as { runtime: string; forecasts: { quantiles: number[][] }[] };
    expect(answer.runtime).toBe('tfjs (wasm)');
    answer.forecasts[0]!.quantiles[1]!.forEach((value, step) => expect(Math.abs(medians[step]! - value)).toBeLessThan(1e-3 * Math.max(1, Math.abs(value))));
    expect(errors).toEqual([]);
    await page.close();
  }, 400_000);
});
