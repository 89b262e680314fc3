import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../support/chromium';

/**
 * A long window on the chart: the history is drawn downsampled (min/max per pixel column, display
 * only) while the run used every point; moving the brush re-samples its range from every point.
 */
const appUrl = inject('appUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('chart downsampling', () => {
  it('draws a 17,000-point history with at most ~2 points per column, and re-samples the brushed range', async () => {
    const page = await browser.newPage();
    await page.goto(appUrl);
    await expect.poll(() => page.locator('[data-testid=device]').textContent(), { timeout: 60_000 }).toContain('Device:');
    await page.selectOption('#source', 'etth1');
    await page.selectOption('#column', 'OT');
    await page.selectOption('#model', 'seasonal-naive');
    await page.fill('#context', '17000');
    await page.fill('#horizon', '24');
    await page.click('button:has-text("Forecast")');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=forecast-table] tbody tr').length === 24, undefined, { timeout: 120_000 });
    const chart = page.locator('[data-testid=forecast-chart]');
    await chart.locator('path.recharts-curve').first().waitFor();
    expect(Number(await chart.getAttribute('data-history-points'))).toBe(17_000);
    const drawn = Number(await chart.getAttribute('data-drawn-points'));
    expect(drawn).toBeGreaterThan(600);
    expect(drawn).toBeLessThanOrEqual(1202);
    // The run itself used every point: the runtime line reports the full context.
    expect(await page.locator('[data-testid=runtime]').textContent()).toContain('17000');
    // Drag the brush's left traveller: the selected range is re-sampled from the full series.
    const traveller = chart.locator('.recharts-brush-traveller').first();
    const box = (await traveller.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 150, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => Number(await chart.getAttribute('data-drawn-points')), { timeout: 10_000 }).toBeGreaterThan(drawn);
    await page.close();
  }, 240_000);

  it('a 1,000-step forecast table renders only the rows in view, and scrolling brings the last step', async () => {
    const page = await browser.newPage();
    await page.goto(appUrl);
    await expect.poll(() => page.locator('[data-testid=device]').textContent(), { timeout: 60_000 }).toContain('Device:');
    await page.selectOption('#source', 'etth1');
    await page.selectOption('#column', 'OT');
    await page.selectOption('#model', 'seasonal-naive');
    await page.fill('#context', '2000');
    await page.fill('#horizon', '1000');
    await page.click('button:has-text("Forecast")');
    const viewport = page.locator('[data-testid=forecast-table-viewport]');
    await viewport.waitFor({ timeout: 120_000 });
    expect(await viewport.getAttribute('data-rows')).toBe('1000');
    const rendered = () => page.$$eval('[data-testid=forecast-table] tbody tr[data-step]', (rows) => rows.map((row) => Number(row.getAttribute('data-step'))));
    const first = await rendered();
    expect(first[0]).toBe(0);
    const median = async (step: number) => Number(await page.locator(`[data-testid=forecast-table] tbody tr[data-step="${step}"] [data-testid=median]`).getAttribute('data-value'));
    // Seasonal naive on hourly data repeats the last day: step 999 = step 15 (999 - 41 x 24).
    const step15 = await median(15);
    expect(first.length).toBeLessThan(60);
    // Scrolled to the end, the last step is there and the first is not.
    await viewport.evaluate((element) => (element.scrollTop = element.scrollHeight));
    await expect.poll(async () => (await rendered()).at(-1), { timeout: 10_000 }).toBe(999);
    const last = await rendered();
    expect(last).not.toContain(0);
    expect(last.length).toBeLessThan(60);
    // Rendered rows are consecutive, and the viewport holds the rows its scroll offset says it does.
    expect(last).toEqual(Array.from({ length: last.length }, (_, index) => last[0]! + index));
    expect(await median(999)).toBe(step15);
    await page.close();
  }, 240_000);
});
