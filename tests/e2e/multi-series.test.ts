import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { fixtureParquet, fixtureParquetZstd, multiSeriesFixtureText } from '../support/multi-series-parquet';

/**
 * Files of many series dropped onto the page in Chromium: each fixture layout (long with a gap,
 * long with covariates, a composite key with quarterly labels, wide, quarterly labels, shuffled)
 * is stored by the server, its series are listed, and "Forecast all" ends with a forecast per
 * series; a duplicated (id, time) pair is refused with the series named.
 */
const appUrl = inject('appUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function openWorkbench(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(appUrl);
  await expect.poll(() => page.locator('[data-testid=device]').textContent(), { timeout: 30_000 }).toContain('Device:');
  return { page, errors };
}

const fixtures: { file: string; series: string[]; context: number }[] = [
  { file: 'long-3-series-gap.csv', series: ['A', 'B', 'C'], context: 30 },
  { file: 'long-covariates.csv', series: ['FOODS_1_001', 'HOBBIES_2_010'], context: 30 },
  {
    file: 'composite-key-quarterly.csv',
    series: ['Adelaide / South Australia / Business', 'Adelaide / South Australia / Holiday', 'Sydney / New South Wales / Business', 'Sydney / New South Wales / Holiday'],
    context: 20,
  },
  { file: 'wide.csv', series: ['Y1', 'Y2', 'Y3'], context: 10 },
  { file: 'quarterly-labels.csv', series: ['Melbourne', 'Perth'], context: 16 },
  { file: 'long-shuffled.csv', series: ['A', 'B', 'C'], context: 30 },
];

describe('files of many series on the page', () => {
  for (const fixture of fixtures) {
    it(`${fixture.file}: stored, its series listed, a forecast per series`, async () => {
      const { page, errors } = await openWorkbench();
      await page.setInputFiles('[data-testid=csv-input]', path.resolve('tests/fixtures/multi-series', fixture.file));
      await expect.poll(() => page.locator('[data-testid=upload-stored]').textContent(), { timeout: 60_000 }).toContain('Stored on the server');
      expect(await page.locator('[data-testid=upload-summary]').textContent()).toContain(`${fixture.series.length} series`);
      // The data picker lists the series of the upload.
      await expect.poll(() => page.$$eval('#series option', (options) => options.map((option) => (option as HTMLOptionElement).value)), { timeout: 30_000 }).toEqual(fixture.series);
      await page.locator('[data-testid=series-panel]').waitFor({ timeout: 30_000 });
      await page.selectOption('#model', 'seasonal-naive');
      await page.fill('#horizon', '4');
      await page.fill('#context', String(fixture.context));
      // The server runs jobs here (in-process worker on the embedded database): the button is offered.
      await expect.poll(() => page.locator('[data-testid=forecast-job]').isDisabled(), { timeout: 30_000 }).toBe(false);
      if (fixture.file === 'long-3-series-gap.csv') {
        // "Forecast all on the server": a forecast-batch job over every series of the stored upload.
        await page.click('[data-testid=forecast-job]');
        await expect.poll(() => page.locator('[data-testid=forecast-job-reason]').textContent(), { timeout: 60_000 }).toContain('submitted as job');
        const jobId = /submitted as job ([0-9a-f-]+)/.exec((await page.locator('[data-testid=forecast-job-reason]').textContent())!)![1]!;
        const finished = await expect
          .poll(async () => (await (await fetch(`${appUrl}/api/jobs/${jobId}`)).json()) as { terminal: boolean; state: string; seriesDone: number }, { timeout: 180_000, interval: 1_000 })
          .toMatchObject({ terminal: true });
        void finished;
        const view = (await (await fetch(`${appUrl}/api/jobs/${jobId}`)).json()) as { state: string; seriesDone: number; totalSeries: number };
        expect(view).toMatchObject({ state: 'completed', seriesDone: 3, totalSeries: 3 });
      }
      await page.click('[data-testid=forecast-all]');
      await expect.poll(() => page.locator('[data-testid=series-result]').count(), { timeout: 120_000 }).toBe(fixture.series.length);
      const rows = await page.$$eval('[data-testid=series-result]', (elements) =>
        elements.map((element) => ({ id: element.getAttribute('data-series'), first: Number(element.getAttribute('data-first')), steps: Number(element.getAttribute('data-steps')) })),
      );
      expect(rows.map((row) => row.id)).toEqual(fixture.series);
      for (const row of rows) {
        expect(Number.isFinite(row.first)).toBe(true);
        expect(row.steps).toBe(4);
      }
      if (fixture.file === 'long-3-series-gap.csv') {
        // Seasonal naive (monthly, season 12): A's 2022-01 is its 2021-01, 100 + 10 sin(2π·24/12) + 24 · 0.5.
        expect(rows[0]!.first).toBeCloseTo(112, 6);
      }
      await page.locator('[data-testid=series-overlay]').waitFor();
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('a wide file read again with a frequency and start is forecast at that frequency', async () => {
    const { page, errors } = await openWorkbench();
    await page.setInputFiles('[data-testid=csv-input]', path.resolve('tests/fixtures/multi-series/wide.csv'));
    await expect.poll(() => page.locator('[data-testid=upload-stored]').textContent(), { timeout: 60_000 }).toContain('Stored on the server');
    await page.locator('[data-testid=wide-dates]').waitFor({ timeout: 30_000 });
    await page.fill('#wide-frequency', '1Q');
    await page.fill('#wide-start', '2000-01-01');
    await page.click('[data-testid=wide-apply]');
    await expect.poll(() => page.locator('[data-testid=upload-summary]').textContent(), { timeout: 60_000 }).toContain('frequency 1Q');
    await expect.poll(() => page.locator('[data-testid=upload-stored]').textContent(), { timeout: 60_000 }).toContain('Stored on the server');
    await expect.poll(() => page.$$eval('#series option', (options) => options.map((option) => (option as HTMLOptionElement).value)), { timeout: 30_000 }).toEqual(['Y1', 'Y2', 'Y3']);
    await page.locator('[data-testid=series-panel]').waitFor({ timeout: 30_000 });
    await page.selectOption('#model', 'seasonal-naive');
    await page.fill('#horizon', '4');
    await page.fill('#context', '10');
    await page.click('[data-testid=forecast-all]');
    await expect.poll(() => page.locator('[data-testid=series-result]').count(), { timeout: 120_000 }).toBe(3);
    const rows = await page.$$eval('[data-testid=series-result]', (elements) =>
      elements.map((element) => ({ id: element.getAttribute('data-series'), first: Number(element.getAttribute('data-first-time')), last: Number(element.getAttribute('data-last-time')) })),
    );
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    // V1 is 2000 Q1: Y1 has 14 values (to 2003 Q2), Y2 11 (to 2002 Q3), Y3 13 (to 2003 Q1); four quarters follow each.
    expect(rows.map((row) => [row.id, iso(row.first), iso(row.last)])).toEqual([
      ['Y1', '2003-07-01', '2004-04-01'],
      ['Y2', '2002-10-01', '2003-07-01'],
      ['Y3', '2003-04-01', '2004-01-01'],
    ]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the long export holds every series, and the backtest compares models across them', async () => {
    const { page, errors } = await openWorkbench();
    await page.setInputFiles('[data-testid=csv-input]', path.resolve('tests/fixtures/multi-series/long-3-series-gap.csv'));
    await expect.poll(() => page.locator('[data-testid=upload-stored]').textContent(), { timeout: 60_000 }).toContain('Stored on the server');
    await page.locator('[data-testid=series-panel]').waitFor({ timeout: 30_000 });
    await page.selectOption('#model', 'seasonal-naive');
    await page.fill('#horizon', '3');
    await page.fill('#context', '24');
    await page.click('[data-testid=forecast-all]');
    await expect.poll(() => page.locator('[data-testid=series-result]').count(), { timeout: 120_000 }).toBe(3);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-long]')]);
    const text = await new Promise<string>((resolve, reject) => {
      download.createReadStream().then((stream) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        stream.on('error', reject);
      }, reject);
    });
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^unique_id,ds,mean,0\.1,/);
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['A', 'A', 'A', 'B', 'B', 'B', 'C', 'C', 'C']);
    expect(lines[1]!.split(',')[1]).toBe('2022-01-01T00:00:00.000Z');

    await page.fill('#windows', '2');
    await page.fill('#step', '3');
    await page.click('[data-testid=backtest-selected]');
    await expect.poll(() => page.locator('[data-testid=series-comparison-row]').count(), { timeout: 180_000 }).toBeGreaterThan(1);
    await expect.poll(() => page.locator('[data-testid=series-progress]').count(), { timeout: 180_000 }).toBe(0);
    const naive = page.locator('[data-testid=series-comparison-row][data-model=seasonal-naive] td');
    // Seasonal naive relative to itself: 1 on every pooled window.
    expect(await naive.nth(1).textContent()).toBe('3');
    expect(await naive.nth(4).textContent()).toBe('1.000');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('one series picked alone, then several overlaid: each forecast equals the file', async () => {
    const { page, errors } = await openWorkbench();
    await page.setInputFiles('[data-testid=csv-input]', path.resolve('tests/fixtures/multi-series/quarterly-labels.csv'));
    await expect.poll(() => page.locator('[data-testid=upload-stored]').textContent(), { timeout: 60_000 }).toContain('Stored on the server');
    await expect.poll(() => page.$$eval('#series option', (options) => options.map((option) => (option as HTMLOptionElement).value)), { timeout: 30_000 }).toEqual(['Melbourne', 'Perth']);
    // Each series listed with its count and range (from /series).
    expect(await page.$$eval('#series option', (options) => options.map((option) => option.textContent))).toEqual([
      'Melbourne (20 rows, 1998-01-01 00:00 → 2002-10-01 00:00)',
      'Perth (20 rows, 1998-01-01 00:00 → 2002-10-01 00:00)',
    ]);
    // One series, through the data picker and the main Forecast button.
    await page.selectOption('#series', 'Perth');
    await expect.poll(() => page.locator('[data-testid=series-range]').textContent()).toBe('20 rows, 1998-01-01 00:00 → 2002-10-01 00:00');
    await page.selectOption('#model', 'seasonal-naive');
    await page.fill('#horizon', '4');
    await page.fill('#context', '16');
    await page.click('button:text-is("Forecast")');
    await page.locator('[data-testid=forecast-table]').waitFor({ timeout: 60_000 });
    const medians = await page.$$eval('[data-testid=forecast-table] tbody td[data-testid=median]', (cells) => cells.map((cell) => Number(cell.getAttribute('data-value'))));
    // Seasonal naive, season 4: Perth's last four quarters, straight from the file.
    const perth = multiSeriesFixtureText('quarterly-labels.csv')
      .trim()
      .split('\n')
      .filter((line) => line.split(',')[1] === 'Perth')
      .map((line) => Number(line.split(',')[2]));
    expect(medians).toEqual(perth.slice(-4));

    // Several overlaid: both boxes ticked, "Forecast 2 selected (overlay)".
    await page.locator('[data-testid=series-panel]').waitFor({ timeout: 30_000 });
    const checks = page.locator('[data-testid=series-check]');
    await expect.poll(() => checks.count(), { timeout: 30_000 }).toBe(2);
    for (let index = 0; index < 2; index++) if (!(await checks.nth(index).isChecked())) await checks.nth(index).check();
    await page.click('[data-testid=forecast-selected]');
    await expect.poll(() => page.locator('[data-testid=series-result]').count(), { timeout: 120_000 }).toBe(2);
    const overlay = page.locator('[data-testid=series-overlay]');
    await overlay.waitFor();
    // One history line and one forecast line per series in the overlay chart.
    await expect.poll(() => overlay.locator('.recharts-line-curve').count(), { timeout: 30_000 }).toBe(4);
    const legend = await overlay.locator('.recharts-legend-item-text').allTextContents();
    expect(legend).toEqual(['Melbourne', 'Melbourne forecast', 'Perth', 'Perth forecast']);
    // Now only Perth: its result alone.
    await checks.nth(0).uncheck();
    await page.click('[data-testid=forecast-selected]');
    await expect.poll(() => page.$$eval('[data-testid=series-result]', (rows) => rows.map((row) => row.getAttribute('data-series'))), { timeout: 120_000 }).toEqual(['Perth']);
    expect(Number(await page.locator('[data-testid=series-result]').getAttribute('data-first'))).toBe(perth.at(-4));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('more series than the browser runs: "forecast all" is a server job, and the job forecasts every series', async () => {
    const { page, errors } = await openWorkbench();
    // 120 series of 24 months: more than BROWSER_SERIES_MAX (100).
    const lines = ['unique_id,ds,y'];
    for (let index = 0; index < 120; index++) {
      for (let month = 0; month < 24; month++) lines.push(`S${String(index).padStart(3, '0')},${new Date(Date.UTC(2020, month, 1)).toISOString().slice(0, 10)},${index + month}`);
    }
    await page.setInputFiles('[data-testid=csv-input]', { name: 'many-series.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) });
    await expect.poll(() => page.locator('[data-testid=upload-stored]').textContent(), { timeout: 60_000 }).toContain('Stored on the server');
    await page.locator('[data-testid=series-panel]').waitFor({ timeout: 30_000 });
    await page.selectOption('#model', 'seasonal-naive');
    await page.fill('#horizon', '3');
    await page.fill('#context', '24');
    const all = page.locator('[data-testid=forecast-all]');
    await expect.poll(() => all.isDisabled(), { timeout: 30_000 }).toBe(true);
    expect(await all.getAttribute('title')).toBe('120 series is more than the browser runs (100); use a server job');
    await expect.poll(() => page.locator('[data-testid=forecast-job]').isDisabled(), { timeout: 30_000 }).toBe(false);
    await page.click('[data-testid=forecast-job]');
    await expect.poll(() => page.locator('[data-testid=forecast-job-reason]').textContent(), { timeout: 60_000 }).toContain('submitted as job');
    const jobId = /submitted as job ([0-9a-f-]+)/.exec((await page.locator('[data-testid=forecast-job-reason]').textContent())!)![1]!;
    await expect
      .poll(async () => ((await (await fetch(`${appUrl}/api/jobs/${jobId}`)).json()) as { terminal: boolean }).terminal, { timeout: 300_000, interval: 2_000 })
      .toBe(true);
    const view = (await (await fetch(`${appUrl}/api/jobs/${jobId}`)).json()) as { state: string; seriesDone: number; totalSeries: number };
    expect(view).toMatchObject({ state: 'completed', seriesDone: 120, totalSeries: 120 });
    // The page links the job's forecasts in the long layout: every series, three steps each.
    const href = await page.locator('[data-testid=forecast-job-long]').getAttribute('href');
    expect(href).toBe(`/api/jobs/${jobId}/results?format=long`);
    const long = (await (await fetch(`${appUrl}${href}`)).text()).trim().split('\r\n');
    expect(long[0]).toMatch(/^unique_id,ds,mean,0\.1,/);
    expect(long).toHaveLength(1 + 120 * 3);
    expect(new Set(long.slice(1).map((line) => line.split(',')[0])).size).toBe(120);
    // Seasonal naive over 24 months (season 12): S007's 2022-01 is its 2021-01 value, 7 + 12.
    expect(long.find((line) => line.startsWith('S007,2022-01-01'))!.split(',')[2]).toBe('19');
    expect(errors).toEqual([]);
    await page.close();
  });

  for (const file of ['composite-key-quarterly.csv', 'long-shuffled.csv', 'wide.csv']) {
    it(`${file} as a parquet file: dropped, stored, a forecast per series`, async () => {
      const { page, errors } = await openWorkbench();
      const name = file.replace(/\.csv$/, '.parquet');
      // The shuffled file as polars writes it (ZSTD); the others as pandas/pyarrow (SNAPPY).
      const bytes = file === 'long-shuffled.csv' ? fixtureParquetZstd(file) : fixtureParquet(file);
      await page.setInputFiles('[data-testid=csv-input]', { name, mimeType: 'application/vnd.apache.parquet', buffer: Buffer.from(bytes) });
      await expect.poll(() => page.locator('[data-testid=upload-stored]').textContent(), { timeout: 60_000 }).toContain('Stored on the server');
      const expected = fixtures.find((entry) => entry.file === file)!;
      expect(await page.locator('[data-testid=upload-summary]').textContent()).toContain(`${expected.series.length} series`);
      await expect.poll(() => page.$$eval('#series option', (options) => options.map((option) => (option as HTMLOptionElement).value)), { timeout: 30_000 }).toEqual(expected.series);
      await page.locator('[data-testid=series-panel]').waitFor({ timeout: 30_000 });
      await page.selectOption('#model', 'seasonal-naive');
      await page.fill('#horizon', '4');
      await page.fill('#context', String(expected.context));
      await page.click('[data-testid=forecast-all]');
      await expect.poll(() => page.locator('[data-testid=series-result]').count(), { timeout: 120_000 }).toBe(expected.series.length);
      const rows = await page.$$eval('[data-testid=series-result]', (elements) => elements.map((element) => ({ id: element.getAttribute('data-series'), first: Number(element.getAttribute('data-first')), steps: Number(element.getAttribute('data-steps')) })));
      expect(rows.map((row) => row.id)).toEqual(expected.series);
      for (const row of rows) {
        expect(Number.isFinite(row.first)).toBe(true);
        expect(row.steps).toBe(4);
      }
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('a parquet file with a duplicated (id, time) pair is refused, naming the series and rows', async () => {
    const { page } = await openWorkbench();
    await page.setInputFiles('[data-testid=csv-input]', { name: 'dup.parquet', mimeType: 'application/vnd.apache.parquet', buffer: Buffer.from(fixtureParquet('long-duplicate-key.csv')) });
    const error = page.locator('[data-testid=error]');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toContain('parquet: series "B", duplicate timestamp 2020-05-01 in column "ds" for unique_id="B" at rows 17 and 18');
    await page.close();
  });

  it('a duplicated (id, time) pair is refused, naming the series and rows', async () => {
    const { page } = await openWorkbench();
    await page.setInputFiles('[data-testid=csv-input]', path.resolve('tests/fixtures/multi-series/long-duplicate-key.csv'));
    const error = page.locator('[data-testid=error]');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toContain('series "B", duplicate timestamp 2020-05-01 in column "ds" for unique_id="B" at rows 18 and 19');
    await page.close();
  });
});
