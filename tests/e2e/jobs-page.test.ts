import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { waitFor } from '../support/jobs';

/**
 * The workbench's Jobs view in Chromium against the e2e server (embedded PGlite, in-process
 * worker): a stored CSV of 60 series (small, so it fits the e2e budget on a loaded machine); the
 * browser/server suggestion and the override; "Run on the server for all 60 series" followed live
 * to done; results listed and searched, one series' chart with its band, the CSV download with
 * the API's numbers, a share link that renders. Cancellation keeping finished chunks is covered
 * by tests/integration/jobs-postgres.test.ts.
 */
const appUrl = inject('appUrl');
const SERIES = 60;
const LENGTH = 72;
const HOUR = 3_600_000;
const START_MS = Date.UTC(2024, 0, 1);
let browser: Browser;
let folder: string;
let csvFile: string;

const seriesId = (index: number) => `s${String(index).padStart(4, '0')}`;

interface JobView {
  id: string;
  state: string;
  terminal: boolean;
  totalSeries: number;
  seriesDone: number;
  seriesFailed: number;
}

beforeAll(async () => {
  browser = await launchChromium();
  folder = mkdtempSync(path.join(os.tmpdir(), 'lookahead-jobs-page-'));
  csvFile = path.join(folder, 'many-series.csv');
  const lines = ['unique_id,ds,y'];
  for (let index = 0; index < SERIES; index++) {
    for (let hour = 0; hour < LENGTH; hour++) lines.push(`${seriesId(index)},${new Date(START_MS + hour * HOUR).toISOString()},${10 * index + (hour % 24) + ((hour * 7) % 5) / 10}`);
  }
  writeFileSync(csvFile, `${lines.join('\n')}\n`);
});
afterAll(async () => {
  await browser?.close();
  rmSync(folder, { recursive: true, force: true });
});

async function text(page: Page, testId: string): Promise<string> {
  return (await page.locator(`[data-testid=${testId}]`).textContent()) ?? '';
}

async function downloadText(download: Download): Promise<string> {
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function jobView(id: string): Promise<JobView> {
  return (await (await fetch(`${appUrl}/api/jobs/${id}`)).json()) as JobView;
}

/** The job the page just submitted: the one the server lists that was not there before. */
async function newJobId(before: Set<string>): Promise<string> {
  return waitFor('the submitted job', async () => {
    const { jobs } = (await (await fetch(`${appUrl}/api/jobs?limit=20`)).json()) as { jobs: JobView[] };
    return jobs.find((job) => !before.has(job.id))?.id ?? null;
  }, { timeoutMs: 60_000 });
}

async function knownJobs(): Promise<Set<string>> {
  const { jobs } = (await (await fetch(`${appUrl}/api/jobs?limit=100`)).json()) as { jobs: JobView[] };
  return new Set(jobs.map((job) => job.id));
}

describe('the Jobs view on the page', () => {
  it('suggests server or browser, runs all series on the server live to done, lists results, charts one, downloads CSV, shares', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // testModels=1 lists the installed test checkpoint (tiny-random), a Chronos-Bolt-shaped model.
    await page.goto(`${appUrl}/?testModels=1`);
    await expect.poll(() => text(page, 'device'), { timeout: 30_000 }).toContain('Device:');

    // A multi-series source on the server: the CSV, stored by the server.
    await page.setInputFiles('[data-testid=csv-input]', csvFile);
    await expect.poll(() => text(page, 'upload-stored'), { timeout: 120_000 }).toContain('Stored on the server');
    await page.locator('[data-testid=series-panel]').waitFor({ timeout: 60_000 });
    await page.fill('#horizon', '12');
    await page.fill('#context', String(LENGTH));

    // The suggestion names the series count; the override to the server turns the server button on.
    await expect.poll(() => page.locator('#model option[value="tiny-random"]').count(), { timeout: 30_000 }).toBe(1);
    await page.selectOption('#model', 'tiny-random');
    await expect.poll(() => text(page, 'submit-forecast-job'), { timeout: 60_000 }).toBe(`Run on the server for all ${SERIES} series`);
    expect(await text(page, 'placement')).toMatch(new RegExp(`^Suggested: (this browser|the server) \\(${SERIES} series x 1 window x tiny-random: about \\d+ s in this browser`));
    await page.selectOption('[data-testid=placement-override]', 'browser');
    expect(await page.locator('[data-testid=submit-forecast-job]').isDisabled()).toBe(true);
    expect(await text(page, 'placement')).toContain('use Forecast / Backtest above');
    await page.selectOption('[data-testid=placement-override]', 'server');
    expect(await page.locator('[data-testid=submit-forecast-job]').isDisabled()).toBe(false);

    // Run it; the panel follows the job live to done.
    const before = await knownJobs();
    await page.click('[data-testid=submit-forecast-job]');
    const doneId = await newJobId(before);
    await expect.poll(() => text(page, 'job-state'), { timeout: 300_000, interval: 250 }).toBe('completed');
    expect(await page.locator('[data-testid=job-progress]').evaluate((element) => [(element as HTMLProgressElement).value, (element as HTMLProgressElement).max])).toEqual([SERIES, SERIES]);
    expect(await text(page, 'job-counts')).toMatch(new RegExp(`^${SERIES} / ${SERIES} series \\(0 failed\\)`));
    expect(await jobView(doneId)).toMatchObject({ state: 'completed', totalSeries: SERIES, seriesDone: SERIES, seriesFailed: 0 });

    // Results: the first page listed, searchable; one series' chart with its band.
    await expect.poll(() => page.locator('[data-testid=job-results] li').count(), { timeout: 30_000 }).toBe(50);
    expect(await page.locator('[data-testid=job-results] li button').first().textContent()).toBe(seriesId(0));
    await page.fill('input[aria-label="Search series"]', 's003');
    await expect.poll(() => page.locator('[data-testid=job-results] li button').allTextContents(), { timeout: 30_000 }).toEqual(Array.from({ length: 10 }, (_, index) => `s003${index}`));
    await page.click('[data-testid=job-results] li button >> text=s0035');
    await page.locator('[data-testid=job-series-chart]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid=job-series-chart]').getAttribute('aria-label')).toBe('Forecast of s0035');
    const band = (await page.locator('[data-testid=job-series-chart] polygon').getAttribute('points')) ?? '';
    // Upper then lower quantile across the 12 steps.
    expect(band.trim().split(/\s+/)).toHaveLength(24);
    expect(await page.locator('[data-testid=job-series-chart] polyline').count()).toBeGreaterThanOrEqual(2);

    // CSV download: every series and step, the numbers the API holds.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=job-csv]')]);
    const csv = (await downloadText(download)).trimEnd().split('\n');
    const header = csv[0]!.split(',');
    // The workbench's quantile levels (0.1 ... 0.9).
    expect(header).toEqual(['series_id', 'status', 'error', 'step', 'timestamp', 'mean', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((decile) => `q0.${decile}`)]);
    const column = (name: string) => header.indexOf(name);
    expect(csv).toHaveLength(1 + SERIES * 12);
    const lines = csv.slice(1).map((line) => line.split(','));
    expect(new Set(lines.map((cells) => cells[0])).size).toBe(SERIES);
    const mine = lines.filter((cells) => cells[0] === 's0035');
    const api = (await (await fetch(`${appUrl}/api/jobs/${doneId}/results?series=s0035`)).json()) as { payload: { quantiles: number[][]; timestamps: string[] } };
    // Every level's column is the forecast the API holds (a random test checkpoint: its quantiles need not be ordered).
    for (let decile = 1; decile <= 9; decile++) expect(mine.map((cells) => Number(cells[column(`q0.${decile}`)]))).toEqual(api.payload.quantiles[decile - 1]);
    expect(mine.map((cells) => cells[column('timestamp')])).toEqual(Array.from({ length: 12 }, (_, step) => new Date(START_MS + (LENGTH + step) * HOUR).toISOString()));

    // The finished job backs a share link that renders.
    await page.click('[data-testid=share-job]');
    const shareLink = page.locator('[data-testid=job-share-link]');
    await shareLink.waitFor({ timeout: 60_000 });
    const href = (await shareLink.getAttribute('href'))!;
    expect(href).toMatch(/^\/f\/[A-Za-z0-9_-]+$/);
    const shared = await browser.newPage();
    const response = await shared.goto(`${appUrl}${href}`);
    expect(response?.status()).toBe(200);
    const shown = (await shared.locator('body').textContent()) ?? '';
    expect(shown).toContain('s0035');
    expect(shown).toContain(`Server job ${doneId}: completed; ${SERIES} of ${SERIES} series forecast, 0 failed.`);
    await shared.close();

    expect(errors).toEqual([]);
    await page.close();
  }, 600_000);
});
