import { parquetReadObjects } from 'hyparquet';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { browserModelInfos, loadBrowserModelCatalog } from '@/lib/client/browser-models';
import { parseForecastConfigJson } from '@/lib/config';
import { DEFAULT_QUANTILE_LEVELS } from '@/lib/core/forecast';
import { COMPARISON_COLUMNS } from '@/lib/evaluation';
import { launchChromium } from '../support/chromium';
import { compareInNode } from '../support/comparison';

const appUrl = inject('appUrl');
let browser: Browser;

/** Every model the browser offers as a real forecaster: baselines and installed models, test checkpoints excluded. */
let offeredModels: string[];
/** What "compare every model" runs: the offered models minus hub checkpoints this browser has not downloaded and opt-in (slow) models. */
let comparedModels: string[];
/** Installed test checkpoints (the e2e server has the golden tiny-random one): never offered. */
let testOnlyModels: string[];

beforeAll(async () => {
  browser = await launchChromium();
  await loadBrowserModelCatalog(appUrl);
  offeredModels = browserModelInfos()
    .filter((model) => !model.testOnly)
    .map((model) => model.id);
  comparedModels = browserModelInfos()
    .filter((model) => !model.testOnly && !model.needsDownload && !model.optIn)
    .map((model) => model.id);
  testOnlyModels = browserModelInfos()
    .filter((model) => model.testOnly)
    .map((model) => model.id);
});
afterAll(async () => {
  await browser?.close();
});

const baselineIds = ['seasonal-naive', 'auto-ets', 'theta', 'mstl'];
/** Columns that must be the same wherever the table is computed (time taken is not). */
const scoreColumns = COMPARISON_COLUMNS.map((column) => column.metric).filter((metric) => metric !== 'timeMs');

interface ComparisonRowShown {
  model: string;
  values: Record<string, string>;
  best: string[];
}

async function openWorkbench(url = appUrl): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await expect.poll(() => page.locator('[data-testid=device]').textContent(), { timeout: 30_000 }).toContain('Device:');
  return { page, errors };
}

async function runBacktest(
  page: Page,
  settings: { source: string; column: string; model: string; horizon: number; context: number; windows: number; step: number },
): Promise<void> {
  await page.selectOption('#source', settings.source);
  await page.selectOption('#column', settings.column);
  await page.selectOption('#model', settings.model);
  await page.fill('#horizon', String(settings.horizon));
  await page.fill('#context', String(settings.context));
  await page.fill('#windows', String(settings.windows));
  await page.fill('#step', String(settings.step));
  await page.click('[data-testid=backtest-button]');
  await page.locator('[data-testid=comparison-table]').waitFor({ timeout: 120_000 });
}

async function readComparison(page: Page): Promise<ComparisonRowShown[]> {
  return page.$$eval('[data-testid=comparison-table] tbody tr', (rows) =>
    rows.map((row) => ({
      model: row.getAttribute('data-model')!,
      values: Object.fromEntries([...row.querySelectorAll('td[data-metric]')].map((cell) => [cell.getAttribute('data-metric')!, cell.getAttribute('data-value')!])),
      best: [...row.querySelectorAll('td[data-best]')].map((cell) => cell.getAttribute('data-metric')!),
    })),
  );
}

async function readForecastTable(page: Page): Promise<string[][]> {
  return page.$$eval('[data-testid=forecast-table] tbody tr', (rows) =>
    rows.map((row) => [...row.querySelectorAll('td')].map((cell, index) => (index === 0 ? cell.textContent! : cell.getAttribute('data-value')!))),
  );
}

/** Table checks shared by both data sets: every offered model, finite scores, a best cell per column. */
function checkTable(shown: ComparisonRowShown[]): void {
  expect(shown.map((row) => row.model)).toEqual(comparedModels);
  for (const row of shown) {
    for (const metric of scoreColumns) {
      expect(Number.isFinite(Number(row.values[metric])), `${row.model} ${metric} = "${row.values[metric]}"`).toBe(true);
      expect(row.values[metric]).not.toBe('');
    }
  }
  for (const metric of scoreColumns) expect(shown.some((row) => row.best.includes(metric)), `best ${metric}`).toBe(true);
}

/** The page's table equals the one Node computes with the same code (same WASM): to 1e-9 relative. */
function checkAgainstNode(shown: ComparisonRowShown[], node: Awaited<ReturnType<typeof compareInNode>>): void {
  const baselines = shown.filter((row) => baselineIds.includes(row.model));
  expect(baselines.map((row) => row.model)).toEqual(node.comparison.rows.map((row) => row.modelId));
  baselines.forEach((row, index) => {
    const expected = node.comparison.rows[index]!;
    for (const metric of scoreColumns) {
      const want = expected.values[metric]!;
      const got = Number(row.values[metric]);
      expect(Math.abs(got - want), `${row.model} ${metric}: page ${got}, node ${want}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
    }
  });
}

async function download(page: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testId}]`)]);
  const stream = await file.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { name: file.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

/** PNG signature and the IHDR chunk's width and height. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.readUInt32BE(8)).toBe(13);
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Shares the result on the page; returns the link and its delete secret. */
async function share(page: Page): Promise<{ url: string; secret: string }> {
  await page.click('[data-testid=share-button]');
  const link = page.locator('[data-testid=share-url]');
  await link.waitFor({ timeout: 30_000 });
  const url = (await link.getAttribute('href'))!;
  expect(url).toMatch(new RegExp(`^${appUrl}/f/[A-Za-z0-9_-]{24}$`));
  return { url, secret: (await page.locator('[data-testid=delete-secret]').textContent())! };
}

/** Opens the link in a fresh browser context with JavaScript off: the page must stand on its server HTML alone. */
async function openShared(url: string) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const response = await page.goto(url);
  return { context, page, status: response!.status() };
}

describe('backtest comparison, chart, exports and sharing', () => {
  it('ETTh1 OT: every model on the same windows, the chart with bands and backtests, exports, a share link that shows the same numbers and unfurls, then 404 once deleted', async () => {
    const settings = { source: 'etth1', column: 'OT', model: 'mstl', horizon: 24, context: 256, windows: 3, step: 24 };
    const { page, errors } = await openWorkbench();
    await runBacktest(page, settings);

    const shown = await readComparison(page);
    checkTable(shown);
    // Test checkpoints are neither offered nor compared.
    const offered = await page.$$eval('#model option', (options) => options.map((option) => (option as HTMLOptionElement).value));
    expect(offered).toEqual(offeredModels);
    for (const id of testOnlyModels) expect(shown.map((row) => row.model)).not.toContain(id);
    const node = await compareInNode({
      file: 'data/samples/ETTh1.csv',
      column: 'OT',
      settings: { horizon: 24, context: 256, quantileLevels: [...DEFAULT_QUANTILE_LEVELS], windows: 3, step: 24 },
    });
    checkAgainstNode(shown, node);
    // The model runtimes and times are shown per row.
    expect(await page.locator('[data-testid=comparison-table] [data-testid=model-runtime]').allTextContents()).toEqual(
      expect.arrayContaining(['JavaScript, 1 thread', 'WASM (augurs), 1 thread']),
    );

    // Chart: history, median and the three backtest medians; one band per symmetric level pair (4 for 10%..90%); a brush.
    const chart = page.locator('[data-testid=forecast-chart]');
    await expect.poll(() => chart.locator('path.recharts-curve').count()).toBeGreaterThanOrEqual(2 + 3);
    expect(await chart.locator('.recharts-area-area').count()).toBe(4);
    expect(await chart.locator('.recharts-brush').count()).toBe(1);
    // The forecast of the future is MSTL's, as chosen: equal to Node's.
    const table = await readForecastTable(page);
    expect(table).toHaveLength(24);
    expect(table[0]![0]).toBe('2018-06-26 20:00');
    const mstlForecast = node.models.find((entry) => entry.model.id === 'mstl')!.forecast!;
    table.forEach((row, step) => expect(Number(row[5])).toBeCloseTo(mstlForecast.quantiles[4]![step]!, 9));

    // Exports.
    const csv = await download(page, 'export-csv');
    expect(csv.name).toBe('etth1-ot-mstl.csv');
    const csvLines = csv.bytes.toString('utf8').trimEnd().split('\r\n');
    expect(csvLines[0]).toBe('timestamp,step,mean,q0.1,q0.2,q0.3,q0.4,q0.5,q0.6,q0.7,q0.8,q0.9');
    expect(csvLines).toHaveLength(25);
    expect(csvLines[1]!.startsWith('2018-06-26T20:00:00.000Z,1,')).toBe(true);
    const json = JSON.parse((await download(page, 'export-json')).bytes.toString('utf8'));
    expect(json).toMatchObject({ format: 'lookahead-forecast', target: 'OT', model: { id: 'mstl' } });
    expect(json.steps).toHaveLength(24);
    expect(json.steps[0].quantiles['0.5']).toBe(Number(table[0]![5]));
    const parquet = await download(page, 'export-parquet');
    const parquetBytes = parquet.bytes.buffer.slice(parquet.bytes.byteOffset, parquet.bytes.byteOffset + parquet.bytes.byteLength);
    const rows = await parquetReadObjects({ file: parquetBytes as ArrayBuffer });
    expect(rows).toHaveLength(24);
    expect(rows[0]!['q0.5']).toBe(Number(table[0]![5]));
    expect((rows[0]!.timestamp as Date).toISOString()).toBe('2018-06-26T20:00:00.000Z');
    const png = await download(page, 'export-png');
    expect(png.name).toBe('etth1-ot-mstl.png');
    const size = pngSize(png.bytes);
    // Drawn at 2x the chart's on-screen size.
    const box = (await chart.locator('svg.recharts-surface').first().boundingBox())!;
    expect(size).toEqual({ width: Math.round(box.width * 2), height: Math.round(box.height * 2) });

    // Share, then open the link in a fresh context without JavaScript.
    const { url, secret } = await share(page);
    const forecastShown = await readForecastTable(page);
    const shared = await openShared(url);
    expect(shared.status).toBe(200);
    expect(await readComparison(shared.page)).toEqual(shown);
    expect(await readForecastTable(shared.page)).toEqual(forecastShown);
    expect(await shared.page.locator('[data-testid=forecast-chart] svg path.median').count()).toBe(1);
    expect(await shared.page.locator('[data-testid=forecast-chart] svg path.band').count()).toBe(4);
    expect(await shared.page.locator('[data-testid=forecast-chart] svg path.backtest').count()).toBe(3);
    expect(await shared.page.locator('h2').first().textContent()).toBe('ETTh1 · OT · MSTL + AutoETS (augurs)');

    // The preview image: an absolute og:image URL serving a 1200x630 PNG.
    const ogImage = (await shared.page.locator('meta[property="og:image"]').getAttribute('content'))!;
    expect(ogImage.startsWith(`${url}/opengraph-image`)).toBe(true);
    expect(await shared.page.locator('meta[property="og:title"]').getAttribute('content')).toBe('ETTh1 · OT · MSTL + AutoETS (augurs)');
    const image = await fetch(ogImage);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(pngSize(Buffer.from(await image.arrayBuffer()))).toEqual({ width: 1200, height: 630 });

    // Delete with the secret (the page's button), then the link, its image and its JSON answer 404 like a token that never existed.
    const token = url.split('/').at(-1)!;
    await page.click('[data-testid=delete-share]');
    await page.locator('[data-testid=share-deleted]').waitFor();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await shared.page.goto(url))!.status()).toBe(404);
    await shared.context.close();
    expect((await fetch(ogImage)).status).toBe(404);
    const unknownToken = 'x'.repeat(24);
    const deletedJson = await fetch(`${appUrl}/api/forecasts/${token}`);
    const unknownJson = await fetch(`${appUrl}/api/forecasts/${unknownToken}`);
    expect([deletedJson.status, unknownJson.status]).toEqual([404, 404]);
    expect(await deletedJson.text()).toBe(await unknownJson.text());
    // The 404 pages are the same document but for the token in the URL and the per-response CSP
    // nonce. (Next.js renders the
    // not-found UI of a notFound() page on the client: vercel/next.js#62228.)
    const withoutNonce = async (response: Response) => {
      const nonce = /'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1] ?? 'no nonce';
      return (await response.text()).replaceAll(nonce, 'NONCE');
    };
    const deletedHtml = await fetch(url).then(async (response) => [response.status, (await withoutNonce(response)).replaceAll(token, 'TOKEN')]);
    const unknownHtml = await fetch(`${appUrl}/f/${unknownToken}`).then(async (response) => [response.status, (await withoutNonce(response)).replaceAll(unknownToken, 'TOKEN')]);
    expect(deletedHtml).toEqual(unknownHtml);
    const notFoundPage = await browser.newPage();
    expect((await notFoundPage.goto(url))!.status()).toBe(404);
    await expect.poll(() => notFoundPage.locator('[data-testid=share-not-found]').textContent()).toContain('No forecast is shared at this link');
    await notFoundPage.close();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('AirPassengers: the comparison, a share link with the same numbers, and "Open in workbench" re-running it', async () => {
    const settings = { source: 'air-passengers', column: '#Passengers', model: 'auto-ets', horizon: 12, context: 96, windows: 2, step: 12 };
    const { page, errors } = await openWorkbench();
    await runBacktest(page, settings);
    const shown = await readComparison(page);
    checkTable(shown);
    const node = await compareInNode({
      file: 'data/samples/AirPassengers.csv',
      column: '#Passengers',
      settings: { horizon: 12, context: 96, quantileLevels: [...DEFAULT_QUANTILE_LEVELS], windows: 2, step: 12 },
    });
    checkAgainstNode(shown, node);
    const forecastShown = await readForecastTable(page);
    expect(forecastShown.map((row) => row[0])).toEqual(['1961-01', '1961-02', '1961-03', '1961-04', '1961-05', '1961-06', '1961-07', '1961-08', '1961-09', '1961-10', '1961-11', '1961-12']);
    const chart = page.locator('[data-testid=forecast-chart]');
    await expect.poll(() => chart.locator('path.recharts-curve').count()).toBeGreaterThanOrEqual(2 + 2);

    const { url } = await share(page);
    const shared = await openShared(url);
    expect(shared.status).toBe(200);
    expect(await readComparison(shared.page)).toEqual(shown);
    expect(await readForecastTable(shared.page)).toEqual(forecastShown);
    const config = parseForecastConfigJson((await shared.page.locator('[data-testid=config-json]').textContent())!);
    expect(config).toMatchObject({ source: 'air-passengers', target: '#Passengers', model: 'auto-ets', context: 96, horizon: 12, backtest: { windows: 2, step: 12 } });
    const reopen = (await shared.page.locator('[data-testid=open-in-workbench]').getAttribute('href'))!;
    await shared.context.close();

    // "Open in workbench": the configuration re-runs on today's data (the sample is unchanged, so the scores are too).
    const again = await openWorkbench(`${appUrl}${reopen}`);
    await again.page.locator('[data-testid=comparison-table]').waitFor({ timeout: 120_000 });
    expect(await again.page.inputValue('#horizon')).toBe('12');
    expect(await again.page.inputValue('#model')).toBe('auto-ets');
    const rerun = await readComparison(again.page);
    expect(rerun.map((row) => [row.model, scoreColumns.map((metric) => row.values[metric])])).toEqual(
      shown.map((row) => [row.model, scoreColumns.map((metric) => row.values[metric])]),
    );
    expect(again.errors).toEqual([]);
    await again.page.close();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the share API: 413 over the size cap, 400 naming a bad field, 404 for a wrong delete secret', async () => {
    const post = (body: string) => fetch(`${appUrl}/api/forecasts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const huge = await post(JSON.stringify({ snapshot: { padding: 'x'.repeat(3 * 1024 * 1024) } }));
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { message: string } }).error.message).toMatch(
      /^share: the snapshot is 3\.0 MiB, over the 2\.0 MiB limit for shared forecasts; use a shorter context, fewer backtest windows or fewer models$/,
    );
    const invalid = await post(JSON.stringify({ snapshot: { version: 1 } }));
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { message: string } }).error.message).toMatch(/^share: not a valid forecast snapshot: title: /);
    const wrong = await fetch(`${appUrl}/api/forecasts/${'y'.repeat(24)}`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deleteSecret: 'guess' }),
    });
    expect(wrong.status).toBe(404);
  });

  it('configuration: presets, export, and import validated with a readable error', async () => {
    const { page, errors } = await openWorkbench();
    await page.selectOption('#source', 'etth1');
    await page.selectOption('#preset', 'energy');
    expect([await page.inputValue('#context'), await page.inputValue('#horizon'), await page.inputValue('#windows'), await page.inputValue('#step')]).toEqual([
      '168',
      '24',
      '7',
      '24',
    ]);
    const exported = parseForecastConfigJson((await download(page, 'export-config')).bytes.toString('utf8'));
    expect(exported).toMatchObject({ version: 1, source: 'etth1', target: 'OT', context: 168, horizon: 24, preset: 'energy' });

    // Import a changed document: the settings follow it.
    const changed = JSON.stringify({ ...exported, horizon: 6, context: 48, quantileLevels: [0.05, 0.5, 0.95], preset: null });
    await page.setInputFiles('[data-testid=config-input]', { name: 'config.json', mimeType: 'application/json', buffer: Buffer.from(changed) });
    await expect.poll(() => page.inputValue('#horizon')).toBe('6');
    expect(await page.inputValue('#context')).toBe('48');
    expect(await page.inputValue('#levels')).toBe('0.05, 0.5, 0.95');

    // An invalid document is refused, naming the field.
    const invalid = JSON.stringify({ ...exported, horizon: 0 });
    await page.setInputFiles('[data-testid=config-input]', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(invalid) });
    await expect.poll(() => page.locator('[data-testid=error]').textContent()).toMatch(/^config: not a valid Lookahead configuration: horizon: /);
    expect(await page.inputValue('#horizon')).toBe('6');
    expect(errors).toEqual([]);
    await page.close();
  });
});

