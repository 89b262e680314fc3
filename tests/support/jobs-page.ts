import type { Browser, Download, Page } from 'playwright-core';
import { expect } from 'vitest';
import { waitFor } from './jobs';

/**
 * Steps of the Jobs view e2e tests (tests/e2e/jobs-page.test.ts) shared by the run on the
 * embedded PGlite default (in-process worker) and the run on real Postgres with `npm run worker`
 * processes: submit from the page, follow the progress the page shows, download the CSV the page
 * links, share the finished job from the page and open the link.
 */

export interface JobView {
  id: string;
  state: string;
  terminal: boolean;
  totalSeries: number;
  seriesDone: number;
  seriesFailed: number;
  workers: string[];
}

export async function testIdText(page: Page, testId: string): Promise<string> {
  return (await page.locator(`[data-testid=${testId}]`).textContent()) ?? '';
}

export async function downloadText(download: Download): Promise<string> {
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function jobView(appUrl: string, id: string): Promise<JobView> {
  return (await (await fetch(`${appUrl}/api/jobs/${id}`)).json()) as JobView;
}

async function listJobs(appUrl: string, limit: number): Promise<JobView[]> {
  const response = await fetch(`${appUrl}/api/jobs?limit=${limit}`);
  const body = (await response.json()) as { jobs?: JobView[] };
  if (!response.ok || !body.jobs) throw new Error(`GET /api/jobs answered HTTP ${response.status}: ${JSON.stringify(body).slice(0, 500)}`);
  return body.jobs;
}

async function knownJobs(appUrl: string): Promise<Set<string>> {
  return new Set((await listJobs(appUrl, 100)).map((job) => job.id));
}

/**
 * Presses "Run on the server for all N series" and follows the job on the page until its state
 * reads `completed`. Meanwhile the page itself samples the progress bar every 50 ms, so the test
 * sees every value the page showed (not only those its own polling happened to catch).
 * Answers the job's id (the one the server lists that was not there before) and the distinct
 * progress values shown, in order.
 */
export async function submitFromPage(page: Page, appUrl: string, { timeoutMs = 300_000 }: { timeoutMs?: number } = {}): Promise<{ id: string; progress: number[] }> {
  const before = await knownJobs(appUrl);
  await page.evaluate(() => {
    const shown: number[] = [];
    (window as unknown as { jobProgressShown: number[] }).jobProgressShown = shown;
    setInterval(() => {
      const bar = document.querySelector('[data-testid=job-progress]') as HTMLProgressElement | null;
      if (bar && shown.at(-1) !== bar.value) shown.push(bar.value);
    }, 50);
  });
  await page.click('[data-testid=submit-forecast-job]');
  const id = await waitFor(
    'the submitted job',
    async () => (await listJobs(appUrl, 20)).find((job) => !before.has(job.id))?.id ?? null,
    { timeoutMs: 60_000 },
  );
  await expect.poll(() => testIdText(page, 'job-state'), { timeout: timeoutMs, interval: 250 }).toBe('completed');
  const progress = await page.evaluate(() => {
    const shown = (window as unknown as { jobProgressShown: number[] }).jobProgressShown;
    const bar = document.querySelector('[data-testid=job-progress]') as HTMLProgressElement | null;
    if (bar && shown.at(-1) !== bar.value) shown.push(bar.value);
    return shown.slice();
  });
  return { id, progress };
}

/** The CSV behind the page's download link, as header and rows of cells (the job CSV quotes no plain cells). */
export async function downloadJobCsv(page: Page): Promise<{ header: string[]; rows: string[][] }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=job-csv]')]);
  const lines = (await downloadText(download)).trimEnd().split('\n');
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((line) => line.split(',')) };
}

/** Opens one series from the results list (searched for by its id) in the chart. */
export async function chartSeries(page: Page, seriesId: string): Promise<void> {
  await page.fill('input[aria-label="Search series"]', seriesId);
  await expect.poll(() => page.locator('[data-testid=job-results] li button').allTextContents(), { timeout: 30_000 }).toContain(seriesId);
  await page.click(`[data-testid=job-results] li button >> text=${seriesId}`);
  await page.locator('[data-testid=job-series-chart]').waitFor({ timeout: 30_000 });
  expect(await page.locator('[data-testid=job-series-chart]').getAttribute('aria-label')).toBe(`Forecast of ${seriesId}`);
}

/** Shares the finished job (the charted series) from the page, opens the /f/<token> link in a fresh page and answers its text. */
export async function shareFromPage(page: Page, browser: Browser, appUrl: string): Promise<{ href: string; shown: string }> {
  await page.click('[data-testid=share-job]');
  const shareLink = page.locator('[data-testid=job-share-link]');
  await shareLink.waitFor({ timeout: 60_000 });
  const href = (await shareLink.getAttribute('href'))!;
  expect(href).toMatch(/^\/f\/[A-Za-z0-9_-]+$/);
  const shared = await browser.newPage();
  try {
    const response = await shared.goto(`${appUrl}${href}`);
    expect(response?.status()).toBe(200);
    return { href, shown: (await shared.locator('body').textContent()) ?? '' };
  } finally {
    await shared.close();
  }
}
