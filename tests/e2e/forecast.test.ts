import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseCsv } from '@/lib/data/csv';
import { createBaselineModel, forecastSeries } from '@/lib/models';
import { loadAugursNode } from '@/lib/runtime/augurs-node';
import { pointForecast, quantileAt, DEFAULT_QUANTILE_LEVELS } from '@/lib/core/forecast';
import { launchChromium } from '../support/chromium';

const appUrl = inject('appUrl');
let browser: Browser;
const pageErrors = new WeakMap<Page, string[]>();

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function openWorkbench(): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(appUrl);
  await expect.poll(() => page.locator('[data-testid=device]').textContent(), { timeout: 30_000 }).toContain('Device:');
  pageErrors.set(page, errors);
  return page;
}

/** Time, and the 10%, median and 90% cells of each row (the table has a column per level; `data-level` names it). */
async function readTable(page: Page) {
  const rows = page.locator('[data-testid=forecast-table] tbody tr');
  const count = await rows.count();
  const result: { time: string; low: number; median: number; high: number }[] = [];
  for (let i = 0; i < count; i++) {
    const row = rows.nth(i);
    result.push({
      time: (await row.locator('td').nth(0).textContent())!,
      low: Number(await row.locator('td[data-level="0.1"]').getAttribute('data-value')),
      median: Number(await row.locator('td[data-testid=median]').getAttribute('data-value')),
      high: Number(await row.locator('td[data-level="0.9"]').getAttribute('data-value')),
    });
  }
  return result;
}

/** The same model, same data, in Node: the page must show exactly these numbers. */
async function forecastInNode(modelId: string, values: Float64Array, timestampsMs: Float64Array, frequencyLabel: string, horizon: number) {
  const { frequencyFromLabel } = await import('@/lib/core/frequency');
  const model = await createBaselineModel(modelId, { augurs: loadAugursNode });
  const run = await forecastSeries({
    model,
    values,
    timestampsMs,
    frequency: frequencyFromLabel(frequencyLabel),
    horizon,
    quantileLevels: DEFAULT_QUANTILE_LEVELS,
  });
  return { median: pointForecast(run.forecast), low: quantileAt(run.forecast, 0.1), high: quantileAt(run.forecast, 0.9) };
}

const etth1 = parseCsv(readFileSync('data/samples/ETTh1.csv', 'utf8'));

describe('in-browser forecast of ETTh1 OT', () => {
  for (const modelId of ['seasonal-naive', 'mstl']) {
    it(`${modelId}: draws the chart and shows the numbers Node computes`, async () => {
      const page = await openWorkbench();
      await page.selectOption('#source', 'etth1');
      await page.selectOption('#column', 'OT');
      await page.selectOption('#model', modelId);
      await page.fill('#horizon', '24');
      await page.fill('#context', '512');
      await page.click('button:has-text("Forecast")');
      await page.locator('[data-testid=forecast-table]').waitFor({ timeout: 60_000 });

      // The chart is drawn: history and median lines plus the interval bands, one per symmetric
      // pair of the default levels (10-90, 20-80, 30-70, 40-60).
      const chart = page.locator('[data-testid=forecast-chart]');
      await expect.poll(() => chart.locator('path.recharts-curve').count()).toBeGreaterThanOrEqual(2);
      expect(await chart.locator('.recharts-area-area').count()).toBe(4);
      expect(await page.locator('[data-testid=runtime]').textContent()).toMatch(/computed with (JavaScript|WASM)/);
      expect(await page.locator('[data-testid=elapsed]').textContent()).toMatch(/^\d+ ms$/);

      const shown = await readTable(page);
      expect(shown).toHaveLength(24);
      // The time axis is the data's own: ETTh1 ends 2018-06-26 19:00, so the forecast starts at 20:00.
      expect(shown[0]!.time).toBe('2018-06-26 20:00');
      expect(shown[23]!.time).toBe('2018-06-27 19:00');

      const node = await forecastInNode(modelId, etth1.values.OT!.slice(-512), etth1.timestampsMs!.slice(-512), '1h', 24);
      shown.forEach((row, step) => {
        // Same code and the same WASM on the same input: equal to the last bits that survive the DOM.
        expect(row.median).toBeCloseTo(node.median[step]!, 9);
        expect(row.low).toBeCloseTo(node.low[step]!, 9);
        expect(row.high).toBeCloseTo(node.high[step]!, 9);
      });
      expect(pageErrors.get(page)).toEqual([]);
      await page.close();
    });
  }

  it('with software WebGPU (SwiftShader) it says so and uses WASM, naming the adapter', async () => {
    // launchChromium() enables SwiftShader, so this browser has exactly one, software, adapter.
    const page = await openWorkbench();
    const text = await page.locator('[data-testid=device]').textContent();
    expect(text).toMatch(/^Device: WASM, \d threads?\. WebGPU adapter is a software adapter \(.*swiftshader.*\), slower than WASM; using WASM, \d threads?/i);
    await page.close();
  });

  it('without WebGPU it says why and uses WASM', async () => {
    const plain = await launchChromium({ webgpu: false, extraArgs: ['--disable-features=WebGPU'] });
    try {
      const page = await plain.newPage();
      await page.goto(appUrl);
      await expect.poll(() => page.locator('[data-testid=device]').textContent(), { timeout: 30_000 }).toContain('Device:');
      const text = await page.locator('[data-testid=device]').textContent();
      expect(text).toMatch(/^Device: WASM, \d threads?\. WebGPU unavailable: (this browser does not expose navigator\.gpu|navigator\.gpu\.requestAdapter\(\) returned no adapter|requestAdapter failed: .+); using WASM/);
      expect(text).not.toContain('software adapter');
    } finally {
      await plain.close();
    }
  });
});

describe('gaps stay gaps', () => {
  it('a window with missing months reaches the model as NaNs, and the page says so', async () => {
    const page = await openWorkbench();
    await page.selectOption('#source', 'monthly-milk-incomplete');
    await page.selectOption('#model', 'seasonal-naive');
    await page.fill('#horizon', '12');
    await page.fill('#context', '500');
    await page.click('button:has-text("Forecast")');
    await page.locator('[data-testid=forecast-table]').waitFor({ timeout: 60_000 });
    // 155 rows in the file + 13 missing months = 168 monthly steps from 1962-01 to 1975-12.
    expect(await page.locator('[data-testid=runtime]').textContent()).toContain('on 168 points');
    await expect.poll(() => page.getByText('13 missing monthly step(s) in this window are treated as missing values (NaN), not filled from their neighbours.').count()).toBe(1);
    expect(pageErrors.get(page)).toEqual([]);
    await page.close();
  });
});

describe('CSV upload', () => {
  it('forecasts a numeric column of a dropped CSV', async () => {
    const page = await openWorkbench();
    await page.setInputFiles('[data-testid=csv-input]', path.resolve('data/samples/AirPassengers.csv'));
    await expect.poll(() => page.locator('[data-testid=upload-summary]').textContent()).toContain('AirPassengers.csv: 144 rows, 1 numeric column(s), frequency 1M');
    await page.selectOption('#model', 'seasonal-naive');
    await page.fill('#horizon', '12');
    await page.click('button:has-text("Forecast")');
    await page.locator('[data-testid=forecast-table]').waitFor({ timeout: 60_000 });
    const shown = await readTable(page);
    expect(shown.map((row) => row.time)).toEqual(['1961-01', '1961-02', '1961-03', '1961-04', '1961-05', '1961-06', '1961-07', '1961-08', '1961-09', '1961-10', '1961-11', '1961-12']);
    // Seasonal naive on monthly data repeats 1960: 417, 391, 419, ...
    expect(shown.map((row) => row.median)).toEqual([417, 391, 419, 461, 472, 535, 622, 606, 508, 461, 390, 432]);
    await page.close();
  });

  it('shows a readable error for a bad CSV and keeps working', async () => {
    const page = await openWorkbench();
    await page.setInputFiles('[data-testid=csv-input]', path.resolve('tests/fixtures/e2e/duplicate-dates.csv'));
    const error = page.locator('[data-testid=error]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^csv: duplicate timestamp 2020-01-02.* rows 3 and 4/);
    // The app still works: forecast a sample dataset after the error.
    await page.selectOption('#source', 'air-passengers');
    await page.selectOption('#model', 'seasonal-naive');
    await page.click('button:has-text("Forecast")');
    await page.locator('[data-testid=forecast-table]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid=error]').count()).toBe(0);
    expect(pageErrors.get(page)).toEqual([]);
    await page.close();
  });
});
