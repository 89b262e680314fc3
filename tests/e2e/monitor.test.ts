import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../support/chromium';

/**
 * Done means (issue 11): after server forecasts and an in-browser forecast, /monitor shows their
 * latencies per model and runtime, /metrics scrapes, and an injected spike in an uploaded series
 * is listed as an anomaly on the page (chart and table).
 */
const appUrl = inject('appUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const SPIKE_ROW = 150;
function spikeCsv(): string {
  const lines = ['time,load'];
  for (let i = 0; i < 240; i += 1) {
    const value = i === SPIKE_ROW ? 500 : 100 + 10 * Math.sin((2 * Math.PI * i) / 24) + ((i * 31) % 7);
    lines.push(`${new Date(Date.UTC(2026, 1, 1) + i * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')},${value}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('/monitor, /metrics and anomalies in the running app', () => {
  it('server and browser forecasts appear per model and runtime; /metrics scrapes', async () => {
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
    expect(Number(server?.[1])).toBeGreaterThanOrEqual(3);
    expect(Number(browserRow?.[1])).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-testid=monitor-read]').textContent()).toContain('from raw events');
    // Latency chart drawn (four percentile lines).
    await expect.poll(() => page.locator('.recharts-line').count()).toBeGreaterThanOrEqual(4);
    await page.selectOption('[data-testid=monitor-range]', '7d');
    await expect.poll(() => page.locator('[data-testid=monitor-read]').textContent(), { timeout: 30_000 }).toContain('1-hour rollups');
    // The job queue reports to the dashboard: the app's in-process worker (embedded database) is live.
    await expect.poll(() => page.locator('[data-testid=monitor-queue]').textContent(), { timeout: 30_000 }).toMatch(/no jobs waiting · \d+ running · [1-9]\d* workers? with a recent heartbeat/);
    expect(errors).toEqual([]);

    const metrics = await (await fetch(`${appUrl}/metrics`)).text();
    expect(metrics).toMatch(/lookahead_http_requests_total\{route="\/api\/forecast",method="POST",status="200",model="seasonal-naive"\} [3-9]/);
    expect(metrics).toMatch(/lookahead_inference_total\{model="seasonal-naive",runtime="browser-wasm",origin="browser",outcome="ok"\} [1-9]/);
    await page.close();
  });

  it('an injected spike in an uploaded series is listed and marked on the anomaly chart', async () => {
    const upload = await fetch(`${appUrl}/api/uploads?fileName=spike.csv`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: spikeCsv() });
    expect(upload.status).toBeLessThan(300);
    const { source } = (await upload.json()) as { source: { id: string } };
    const page = await browser.newPage();
    await page.goto(`${appUrl}/monitor?range=1h`);
    await page.fill('[data-testid=anomaly-source]', source.id);
    await page.fill('[data-testid=anomaly-columns]', 'load');
    await page.fill('[data-testid=anomaly-window]', '48');
    await page.click('[data-testid=anomaly-run]');
    await page.locator('[data-testid=anomaly-table]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid=anomaly-count]').textContent()).toMatch(/^1 anomaly in 240 points of load \(scored in lib\/core\)/);
    const first = await page.locator('[data-testid=anomaly-table] tbody tr td').first().textContent();
    expect(first).toBe(new Date(Date.UTC(2026, 1, 1) + SPIKE_ROW * 3_600_000).toISOString());
    await expect.poll(() => page.locator('.recharts-scatter-symbol').count()).toBe(1);
    await page.close();
  });
});
