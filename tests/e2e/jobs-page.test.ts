import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server';
import { launchChromium } from '../support/chromium';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { spawnNpmWorker, stopNpmWorker, type NpmWorker } from '../support/job-workers';
import { createSeriesFixture, expectedSeasonalNaive, FIXTURE_APP_TABLES, FIXTURE_START, seriesName } from '../support/jobs';
import { chartSeries, downloadJobCsv, jobView, shareFromPage, submitFromPage, testIdText as text } from '../support/jobs-page';

/**
 * The workbench's Jobs view in Chromium, the issue's "Done means" end to end:
 * - on the e2e server (embedded PGlite, no DATABASE_URL): a stored CSV of 60 series (small, so it
 *   fits the e2e budget on a loaded machine); the browser/server suggestion and the override;
 *   "Run on the server for all 60 series" run by the server's own in-process worker, followed live
 *   to done; results listed and searched, one series' chart with its band, the CSV download with
 *   the API's numbers, a share link that renders.
 * - with DATABASE_URL: the production server (scripts/server.mjs) on real Postgres (no in-process worker there), two `npm run
 *   worker` processes, a 10,000-series app table; the same page submission, the progress the page
 *   shows moving while the workers run, the CSV download from the page (every series, every step,
 *   the closed-form seasonal-naive medians), a share link made from the finished job.
 * Cancellation keeping finished chunks is covered by tests/integration/jobs-postgres.test.ts.
 */
const appUrl = inject('appUrl');
const appPid = inject('appPid');
const SERIES = 60;
const LENGTH = 72;
const HOUR = 3_600_000;
const START_MS = Date.UTC(2024, 0, 1);
let browser: Browser;
let folder: string;
let csvFile: string;

const seriesId = (index: number) => `s${String(index).padStart(4, '0')}`;

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

/** A workbench page that collects its errors. */
async function openPage(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await expect.poll(() => text(page, 'device'), { timeout: 30_000 }).toContain('Device:');
  return { page, errors };
}

describe('the Jobs view on the page, embedded default (PGlite, the worker inside the server)', () => {
  it('suggests server or browser, runs all series in-process live to done, lists results, charts one, downloads CSV, shares', async () => {
    // testModels=1 lists the installed test checkpoint (tiny-random), a Chronos-Bolt-shaped model.
    const { page, errors } = await openPage(`${appUrl}/?testModels=1`);

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
    const { id: doneId, progress } = await submitFromPage(page, appUrl);
    expect(progress.at(-1)).toBe(SERIES);
    expect(await page.locator('[data-testid=job-progress]').evaluate((element) => [(element as HTMLProgressElement).value, (element as HTMLProgressElement).max])).toEqual([SERIES, SERIES]);
    expect(await text(page, 'job-counts')).toMatch(new RegExp(`^${SERIES} / ${SERIES} series \\(0 failed\\)`));
    const done = await jobView(appUrl, doneId);
    expect(done).toMatchObject({ state: 'completed', totalSeries: SERIES, seriesDone: SERIES, seriesFailed: 0 });
    // In-process: the one worker that ran it is the server process itself (host:pid:random).
    expect(done.workers).toHaveLength(1);
    expect(done.workers[0]!.split(':')[1]).toBe(String(appPid));

    // Results: the first page listed, searchable; one series' chart with its band.
    await expect.poll(() => page.locator('[data-testid=job-results] li').count(), { timeout: 30_000 }).toBe(50);
    expect(await page.locator('[data-testid=job-results] li button').first().textContent()).toBe(seriesId(0));
    await page.fill('input[aria-label="Search series"]', 's003');
    await expect.poll(() => page.locator('[data-testid=job-results] li button').allTextContents(), { timeout: 30_000 }).toEqual(Array.from({ length: 10 }, (_, index) => `s003${index}`));
    await chartSeries(page, 's0035');
    const band = (await page.locator('[data-testid=job-series-chart] polygon').getAttribute('points')) ?? '';
    // Upper then lower quantile across the 12 steps.
    expect(band.trim().split(/\s+/)).toHaveLength(24);
    expect(await page.locator('[data-testid=job-series-chart] polyline').count()).toBeGreaterThanOrEqual(2);

    // CSV download: every series and step, the numbers the API holds.
    const { header, rows: lines } = await downloadJobCsv(page);
    // The workbench's quantile levels (0.1 ... 0.9).
    expect(header).toEqual(['series_id', 'status', 'error', 'step', 'timestamp', 'mean', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((decile) => `q0.${decile}`)]);
    const column = (name: string) => header.indexOf(name);
    expect(lines).toHaveLength(SERIES * 12);
    expect(new Set(lines.map((cells) => cells[0])).size).toBe(SERIES);
    const mine = lines.filter((cells) => cells[0] === 's0035');
    const api = (await (await fetch(`${appUrl}/api/jobs/${doneId}/results?series=s0035`)).json()) as { payload: { quantiles: number[][]; timestamps: string[] } };
    // Every level's column is the forecast the API holds (a random test checkpoint: its quantiles need not be ordered).
    for (let decile = 1; decile <= 9; decile++) expect(mine.map((cells) => Number(cells[column(`q0.${decile}`)]))).toEqual(api.payload.quantiles[decile - 1]);
    expect(mine.map((cells) => cells[column('timestamp')])).toEqual(Array.from({ length: 12 }, (_, step) => new Date(START_MS + (LENGTH + step) * HOUR).toISOString()));

    // The finished job backs a share link that renders.
    const { shown } = await shareFromPage(page, browser, appUrl);
    expect(shown).toContain('s0035');
    expect(shown).toContain(`Server job ${doneId}: completed; ${SERIES} of ${SERIES} series forecast, 0 failed.`);

    expect(errors).toEqual([]);
    await page.close();
  }, 600_000);
});

describe.skipIf(!process.env.DATABASE_URL)('the Jobs view on the page, real Postgres: the production server plus two npm run worker processes, 10,000 series', () => {
  const MANY = 10_000;
  // Two days of hourly points: the seasonal-naive median of step k is 10 * entity + (k - 1) % 24.
  const POINTS = 48;
  const STEPS = 12;
  let database: TestDatabase;
  let server: AppServer;
  const workers: NpmWorker[] = [];
  const workerIds: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    await createSeriesFixture(database.handle, { series: MANY, length: POINTS });
    await database.handle.query('ANALYZE fixture_series');
    // The app source offers only the tables it is given: the server and every worker name the fixture.
    // LOOKAHEAD_INPROCESS_WORKER left at its default (auto): with DATABASE_URL the server runs no worker, as `npm start` would.
    server = await startAppServer({ DATABASE_URL: database.url!, LOOKAHEAD_APP_TABLES: FIXTURE_APP_TABLES });
    // Two workers on this machine share its cores: one onnxruntime thread each (README, multi-machine set-up).
    for (let index = 0; index < 2; index++) workers.push(spawnNpmWorker({ DATABASE_URL: database.url!, LOOKAHEAD_APP_TABLES: FIXTURE_APP_TABLES, LOOKAHEAD_ORT_THREADS: '1', LOOKAHEAD_WORKER_NAME: `page-e2e-${index}` }));
    // Both are pulling from the queue before the job exists, so both take chunks of it.
    workerIds.push(...(await Promise.all(workers.map((worker) => worker.ready))));
  }, 600_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => stopNpmWorker(worker)));
    await server?.stop();
    await database?.drop();
  });

  it('submitted from the page: progress moves live, both workers run it (the server none), the CSV holds every series, the share link shows the summary', async () => {
    const { page, errors } = await openPage(server.url);
    await page.selectOption('#source', 'app');
    await expect.poll(() => page.$eval('#table', (element) => (element as HTMLSelectElement).value), { timeout: 60_000 }).toBe(FIXTURE_APP_TABLES);
    await expect.poll(() => page.$eval('#time-column', (element) => (element as HTMLSelectElement).value), { timeout: 30_000 }).toBe('ts');
    expect(await page.$eval('#entity-column', (element) => (element as HTMLSelectElement).value)).toBe('entity');
    expect(await page.$eval('#column', (element) => (element as HTMLSelectElement).value)).toBe('value');
    await expect.poll(() => page.locator('#model option[value="seasonal-naive"]').count(), { timeout: 30_000 }).toBe(1);
    await page.selectOption('#model', 'seasonal-naive');
    await page.fill('#horizon', String(STEPS));
    await page.fill('#context', String(POINTS));
    // The button counts the table's series (the listing's cap is 10,000: no "+").
    await expect.poll(() => text(page, 'submit-forecast-job'), { timeout: 120_000 }).toBe(`Run on the server for all ${MANY.toLocaleString('en')} series`);
    await page.selectOption('[data-testid=placement-override]', 'server');

    const { id, progress } = await submitFromPage(page, server.url, { timeoutMs: 540_000 });
    // Live: the bar showed at least two values strictly between nothing and everything before it read done.
    const between = progress.filter((value) => value > 0 && value < MANY);
    expect(between.length, `progress shown: ${progress.join(', ')}`).toBeGreaterThanOrEqual(2);
    expect(between).toEqual([...between].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(MANY);
    expect(await text(page, 'job-counts')).toMatch(/^10,000 \/ 10,000 series \(0 failed\)/);
    const done = await jobView(server.url, id);
    expect(done).toMatchObject({ state: 'completed', totalSeries: MANY, seriesDone: MANY, seriesFailed: 0 });
    // Run by the two npm run worker processes, not by the server.
    expect([...done.workers].sort()).toEqual([...workerIds].sort());
    expect(done.workers.map((worker) => worker.split(':')[1])).not.toContain(String(server.pid));

    // Downloadable from the page: every series, STEPS rows each, the closed-form medians.
    const { header, rows } = await downloadJobCsv(page);
    expect(header.slice(0, 6)).toEqual(['series_id', 'status', 'error', 'step', 'timestamp', 'mean']);
    const median = header.indexOf('q0.5');
    expect(median).toBeGreaterThan(5);
    expect(rows).toHaveLength(MANY * STEPS);
    const perSeries = new Map<string, number>();
    const wrong: string[] = [];
    for (const cells of rows) {
      const series = cells[0]!;
      perSeries.set(series, (perSeries.get(series) ?? 0) + 1);
      const entity = Number(series.slice(1));
      if (cells[1] !== 'ok' || Number(cells[median]) !== expectedSeasonalNaive(entity, Number(cells[3]))) wrong.push(cells.join(','));
    }
    expect(perSeries.size).toBe(MANY);
    expect([...perSeries.values()].every((count) => count === STEPS)).toBe(true);
    expect(perSeries.has(seriesName(0)) && perSeries.has(seriesName(MANY - 1))).toBe(true);
    expect(wrong.slice(0, 5)).toEqual([]);
    // The first step of a series follows its last point (FIXTURE_START + 47 h).
    const first = rows.find((cells) => cells[0] === seriesName(MANY - 1) && cells[3] === '1')!;
    expect(first[4]).toBe(new Date(Date.parse(FIXTURE_START) + POINTS * HOUR).toISOString());

    // Shareable: the link made from the finished job shows its summary and the chosen series.
    const last = seriesName(MANY - 1);
    await chartSeries(page, last);
    const { shown } = await shareFromPage(page, browser, server.url);
    expect(shown).toContain(`Server job ${id}: completed; 10,000 of 10,000 series forecast, 0 failed.`);
    expect(shown).toContain(last);

    expect(errors).toEqual([]);
    await page.close();
  }, 600_000);
});
