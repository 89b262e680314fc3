import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseForecastConfigJson, windowLength, windowQuery } from '@/lib/config';
import type { QualityReport } from '@/lib/data/quality';
import { REPORT_QUALITY_LIST_LIMIT } from '@/lib/report';
import { launchChromium } from '../support/chromium';

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

/** The panel as numbers: what each row's data-* attributes carry, and the listed gaps and outliers. */
interface PanelShown {
  status: string | null;
  statuses: Record<string, string | null>;
  missing: { count: number; rows: number };
  gaps: { count: number; missingSteps: number; list: { fromMs: number; toMs: number; missingSteps: number }[] };
  outliers: { count: number; threshold: number; median: number; mad: number; list: { index: number; value: number; score: number }[] };
  duplicates: number;
  freshness: { newestMs: number; ageMs: number };
  age: string;
  notes: string[];
}

async function readPanel(page: Page): Promise<PanelShown> {
  return page.$eval('[data-testid=quality]', (panel) => {
    const row = (check: string) => panel.querySelector(`[data-testid=quality-${check}]`)!;
    const number = (element: Element, name: string) => Number(element.getAttribute(name));
    const checks = ['missing', 'gaps', 'outliers', 'duplicates', 'freshness'];
    return {
      status: panel.getAttribute('data-status'),
      statuses: Object.fromEntries(checks.map((check) => [check, row(check).getAttribute('data-status')])),
      missing: { count: number(row('missing'), 'data-count'), rows: number(row('missing'), 'data-rows') },
      gaps: {
        count: number(row('gaps'), 'data-count'),
        missingSteps: number(row('gaps'), 'data-missing-steps'),
        list: [...panel.querySelectorAll('[data-testid=quality-gap-list] li[data-from-ms]')].map((item) => ({
          fromMs: number(item, 'data-from-ms'),
          toMs: number(item, 'data-to-ms'),
          missingSteps: number(item, 'data-missing-steps'),
        })),
      },
      outliers: {
        count: number(row('outliers'), 'data-count'),
        threshold: number(row('outliers'), 'data-threshold'),
        median: number(row('outliers'), 'data-median'),
        mad: number(row('outliers'), 'data-mad'),
        list: [...panel.querySelectorAll('[data-testid=quality-outlier-list] li[data-index]')].map((item) => ({
          index: number(item, 'data-index'),
          value: number(item, 'data-value'),
          score: number(item, 'data-score'),
        })),
      },
      duplicates: number(row('duplicates'), 'data-count'),
      freshness: { newestMs: number(row('freshness'), 'data-newest-ms'), ageMs: number(row('freshness'), 'data-age-ms') },
      age: panel.querySelector('[data-testid=quality-age]')?.textContent ?? '',
      notes: [...panel.querySelectorAll('[data-testid=quality-notes] li')].map((item) => item.textContent!),
    };
  });
}

/** The server's report of the same window, GET /api/sources/<id>/quality, fetched right after the run. */
async function serverQuality(sourceId: string, query: string, column: string): Promise<{ report: QualityReport; fetchedAt: number }> {
  const response = await fetch(`${appUrl}/api/sources/${encodeURIComponent(sourceId)}/quality?${query}`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { columns: Record<string, QualityReport> };
  return { report: body.columns[column]!, fetchedAt: Date.now() };
}

/**
 * The panel equals the server's report: every count and statistic exactly, the listed entries as
 * the report keeps them (the first 20), the newest point exactly. The age is "now" minus that, and
 * the two "nows" differ by the time between the run and the request: at most the test's runtime.
 */
function expectSameAsServer(shown: PanelShown, server: QualityReport, runStartedAt: number, fetchedAt: number): void {
  expect(shown.missing).toEqual({ count: server.missing.count, rows: server.rowCount });
  expect(shown.gaps).toEqual({
    count: server.gaps.count,
    missingSteps: server.gaps.missingSteps,
    list: server.gaps.list.slice(0, REPORT_QUALITY_LIST_LIMIT).map(({ fromMs, toMs, missingSteps }) => ({ fromMs, toMs, missingSteps })),
  });
  expect(shown.outliers).toEqual({
    count: server.outliers.count,
    threshold: server.outliers.threshold,
    median: server.outliers.median,
    mad: server.outliers.mad,
    list: server.outliers.list.slice(0, REPORT_QUALITY_LIST_LIMIT).map(({ index, value, score }) => ({ index, value, score })),
  });
  expect(shown.duplicates).toBe(server.duplicates.count);
  expect(shown.freshness.newestMs).toBe(server.freshness!.newestMs);
  const serverAge = server.freshness!.ageMs;
  expect(shown.freshness.ageMs).toBeLessThanOrEqual(serverAge);
  expect(serverAge - shown.freshness.ageMs).toBeLessThanOrEqual(fetchedAt - runStartedAt);
  expect(shown.notes).toEqual(server.notes.map((note) => `${note[0]!.toUpperCase()}${note.slice(1)}.`));
}

async function share(page: Page): Promise<string> {
  await page.click('[data-testid=share-button]');
  const link = page.locator('[data-testid=share-url]');
  await link.waitFor({ timeout: 30_000 });
  return (await link.getAttribute('href'))!;
}

/** The shared page with JavaScript off: what the server rendered from the snapshot alone. */
async function openShared(url: string) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const response = await page.goto(url);
  return { context, page, status: response!.status() };
}

describe('data quality next to the chart', () => {
  it('incomplete milk: the panel shows what the quality API computes for the same window, the gaps are shaded, and the share link shows the same panel; an old snapshot without quality still renders', async () => {
    const { page, errors } = await openWorkbench();
    await page.selectOption('#source', 'monthly-milk-incomplete');
    await page.selectOption('#model', 'seasonal-naive');
    await page.fill('#horizon', '12');
    await page.fill('#context', '500');
    const runStartedAt = Date.now();
    await page.click('button:has-text("Forecast")');
    await page.locator('[data-testid=forecast-table]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=quality]').waitFor();

    const column = await page.inputValue('#column');
    expect(column).toBe('Pounds per cow');
    const { report: server, fetchedAt } = await serverQuality('monthly-milk-incomplete', new URLSearchParams({ columns: column, limit: '500' }).toString(), column);
    const shown = await readPanel(page);
    expectSameAsServer(shown, server, runStartedAt, fetchedAt);
    // And against the file itself: 155 rows, 13 months absent in 8 gaps (the sample's description).
    expect([shown.missing.rows, shown.gaps.count, shown.gaps.missingSteps, shown.outliers.count, shown.duplicates]).toEqual([155, 8, 13, 0, 0]);
    expect(shown.gaps.list[0]).toEqual({ fromMs: Date.UTC(1963, 7, 1), toMs: Date.UTC(1963, 9, 1), missingSteps: 1 });
    expect(shown.freshness.newestMs).toBe(Date.UTC(1975, 11, 1));
    expect(shown.statuses).toEqual({ missing: 'ok', gaps: 'warning', outliers: 'ok', duplicates: 'ok', freshness: 'warning' });
    expect(shown.status).toBe('warning');
    expect(shown.age).toMatch(/^\d+ years old$/);
    expect(await page.locator('[data-testid=quality-gaps]').textContent()).toContain('13 steps of 1M absent in 8 gaps (7.7% of the grid), shaded on the chart');
    // The chart shades each gap.
    const chart = page.locator('[data-testid=forecast-chart]');
    await expect.poll(() => chart.locator('.recharts-reference-area').count()).toBe(8);
    expect(await chart.locator('.recharts-reference-dot').count()).toBe(0);

    // Shared: the same panel, from the snapshot, without JavaScript.
    const url = await share(page);
    const shared = await openShared(url);
    expect(shared.status).toBe(200);
    expect(await readPanel(shared.page)).toEqual(shown);
    expect(await shared.page.locator('[data-testid=forecast-chart] svg rect.quality-gap').count()).toBe(8);
    const config = parseForecastConfigJson((await shared.page.locator('[data-testid=config-json]').textContent())!);
    // The window the configuration reads is the one the API judged.
    expect(windowQuery(config, config.context)).toBe(new URLSearchParams({ columns: column, limit: '500' }).toString());

    // A snapshot stored before reports carried quality (the same document without the key) still renders.
    const token = url.split('/').at(-1)!;
    const snapshot = (await (await fetch(`${appUrl}/api/forecasts/${token}`)).json()) as Record<string, unknown>;
    expect(snapshot.quality).toMatchObject({ rowCount: 155, gaps: { count: 8, missingSteps: 13 } });
    delete snapshot.quality;
    const published = await fetch(`${appUrl}/api/forecasts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ snapshot }) });
    expect(published.status).toBe(201);
    const { path } = (await published.json()) as { path: string };
    const old = await openShared(`${appUrl}${path}`);
    expect(old.status).toBe(200);
    expect(await old.page.locator('[data-testid=quality]').getAttribute('data-status')).toBe('unknown');
    expect(await old.page.locator('[data-testid=quality]').textContent()).toContain('Not recorded: this forecast was saved before Lookahead checked data quality.');
    expect(await old.page.locator('[data-testid=forecast-chart] svg path.median').count()).toBe(1);
    expect(await old.page.locator('[data-testid=forecast-chart] svg rect.quality-gap').count()).toBe(0);
    expect(await old.page.locator('[data-testid=forecast-table] tbody tr').count()).toBe(12);

    await Promise.all([shared.context.close(), old.context.close()]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Peyton Manning backtest: outliers listed and circled on both charts, numbers equal to the quality API', async () => {
    const { page, errors } = await openWorkbench();
    await page.selectOption('#source', 'peyton-manning');
    await page.selectOption('#model', 'seasonal-naive');
    await page.fill('#horizon', '14');
    await page.fill('#context', '448');
    await page.fill('#windows', '2');
    await page.fill('#step', '14');
    const runStartedAt = Date.now();
    await page.click('[data-testid=backtest-button]');
    await page.locator('[data-testid=comparison-table]').waitFor({ timeout: 120_000 });
    await page.locator('[data-testid=quality]').waitFor();

    const column = await page.inputValue('#column');
    // A backtest reads the context of the oldest window plus every later step.
    const limit = windowLength({ context: 448, horizon: 14, backtest: { windows: 2, step: 14, models: [] } });
    expect(limit).toBe(476);
    const { report: server, fetchedAt } = await serverQuality('peyton-manning', new URLSearchParams({ columns: column, limit: String(limit) }).toString(), column);
    const shown = await readPanel(page);
    expectSameAsServer(shown, server, runStartedAt, fetchedAt);
    expect(shown.outliers.count).toBeGreaterThan(0);
    expect(shown.statuses.outliers).toBe('warning');
    const listed = shown.outliers.list.length;
    // Every listed outlier is circled (the window is short enough that the brush shows all of it).
    const chart = page.locator('[data-testid=forecast-chart]');
    await expect.poll(() => chart.locator('.recharts-reference-dot').count()).toBe(listed);
    await expect.poll(() => chart.locator('.recharts-reference-area').count()).toBe(Math.min(shown.gaps.count, REPORT_QUALITY_LIST_LIMIT));

    const shared = await openShared(await share(page));
    expect(shared.status).toBe(200);
    expect(await readPanel(shared.page)).toEqual(shown);
    expect(await shared.page.locator('[data-testid=forecast-chart] svg circle.quality-outlier').count()).toBe(listed);
    await shared.context.close();
    expect(errors).toEqual([]);
    await page.close();
  });
});
