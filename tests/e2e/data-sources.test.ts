import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeConfigParam, parseForecastConfig } from '@/lib/config';
import { launchChromium } from '../support/chromium';
import { LAKE_END_MS, lakeValue, P2_GAP_HOURS, P2_NULL_HOUR, PLANT_HOURS, PLANT_START_MS, plantKw } from '../support/e2e-sources';

/**
 * The data half of the workbench against real sources: a Postgres table (tables, role mapping,
 * series, filters, downsampling), a parquet lake (series from file names) and a CSV stored on the
 * server; the worker reads the last two straight from their parquet files by HTTP Range. Seasonal naive repeats the last season, so the page's medians are checked against the
 * rows the source holds, computed here independently.
 */
const appUrl = inject('appUrl');
const warehouseUrl = inject('warehouseUrl');
const HOUR = 3_600_000;
let browser: Browser;
const pageErrors = new WeakMap<Page, string[]>();

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function openWorkbench(url = appUrl): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  pageErrors.set(page, errors);
  await page.goto(url);
  await expect.poll(() => page.locator('[data-testid=device]').textContent(), { timeout: 30_000 }).toContain('Device:');
  return page;
}

/** The window requests the worker made. */
function windowRequests(page: Page): URL[] {
  const seen: URL[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (/^\/api\/sources\/[^/]+\/window$/.test(url.pathname)) seen.push(url);
  });
  return seen;
}

interface FileResponse {
  path: string;
  range: string | null;
  status: number;
  bytes: number;
}

/** The data requests of a page and its worker: window streams, and byte ranges of files (/api/files). */
function dataRequests(page: Page): { windows: URL[]; files: FileResponse[] } {
  const seen = { windows: [] as URL[], files: [] as FileResponse[] };
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (/^\/api\/sources\/[^/]+\/window$/.test(url.pathname)) seen.windows.push(url);
  });
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (!url.pathname.startsWith('/api/files/')) return;
    seen.files.push({ path: decodeURIComponent(url.pathname), range: response.request().headers()['range'] ?? null, status: response.status(), bytes: Number(response.headers()['content-length']) });
  });
  return seen;
}

async function forecast(page: Page, { model = 'seasonal-naive', horizon, context }: { model?: string; horizon: number; context: number }) {
  await page.selectOption('#model', model);
  await page.fill('#horizon', String(horizon));
  await page.fill('#context', String(context));
  await page.click('button:has-text("Forecast")');
  await page.locator('[data-testid=forecast-table]').waitFor({ timeout: 60_000 });
}

async function medians(page: Page): Promise<number[]> {
  return page.$$eval('[data-testid=forecast-table] tbody td[data-testid=median]', (cells) => cells.map((cell) => Number(cell.getAttribute('data-value'))));
}

async function selectedValue(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (element) => (element as HTMLSelectElement | HTMLInputElement).value);
}

describe.skipIf(!warehouseUrl)('a Postgres table (needs DATABASE_URL; CI sets it)', () => {
  let sql: postgres.Sql;
  beforeAll(() => {
    sql = postgres(warehouseUrl, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
  });

  it('lists the tables, suggests the roles, lists the series, and forecasts the chosen one from its rows', async () => {
    const page = await openWorkbench();
    const requests = windowRequests(page);
    await page.selectOption('#source', 'warehouse');
    await expect.poll(() => selectedValue(page, '#table')).toBe('public.plant_load');
    // Suggested from names and types: the timestamp, the text id column, the first number.
    await expect.poll(() => selectedValue(page, '#time-column')).toBe('observed_at');
    expect(await selectedValue(page, '#entity-column')).toBe('plant');
    expect(await selectedValue(page, '#column')).toBe('kw');
    await expect.poll(() => page.$$eval('#series option', (options) => options.map((option) => (option as HTMLOptionElement).value))).toEqual(['p1', 'p2']);
    expect(await page.locator('[data-testid=series-range]').textContent()).toBe(`${PLANT_HOURS} rows, 2024-03-01 00:00 → 2024-04-09 23:00`);
    await page.selectOption('#series', 'p1');

    await forecast(page, { horizon: 24, context: 168 });
    // The last day of p1, straight from the table.
    const rows = await sql<{ kw: number }[]>`SELECT kw FROM public.plant_load WHERE plant = 'p1' ORDER BY observed_at DESC LIMIT 24`;
    expect(await medians(page)).toEqual(rows.map((row) => row.kw).reverse());
    expect(rows[0]!.kw).toBe(plantKw('p1', PLANT_HOURS - 1));
    const sent = requests.at(-1)!;
    expect(Object.fromEntries(sent.searchParams)).toEqual({ columns: 'kw', limit: '168', table: 'public.plant_load', time: 'observed_at', entity: 'plant', series: 'p1' });
    expect(pageErrors.get(page)).toEqual([]);
    await page.close();
  });

  it('a gap in the table reaches the model as missing steps, and the page says how many', async () => {
    const page = await openWorkbench();
    await page.selectOption('#source', 'warehouse');
    await expect.poll(() => page.$$eval('#series option', (options) => options.length), { timeout: 30_000 }).toBe(2);
    await page.selectOption('#series', 'p2');
    await forecast(page, { horizon: 24, context: 200 });
    // 200 rows read; 5 hours absent in between: 205 hourly steps.
    expect(await page.locator('[data-testid=runtime]').textContent()).toContain('on 205 points');
    await expect.poll(() => page.getByText(new RegExp(`^${P2_GAP_HOURS.length} missing \\S+ step\\(s\\) in this window`)).count()).toBe(1);
    await page.close();
  });

  it('downsamples in the database: daily maxima, with the bucket and aggregation sent as chosen', async () => {
    const page = await openWorkbench();
    const requests = windowRequests(page);
    await page.selectOption('#source', 'warehouse');
    await expect.poll(() => page.$$eval('#series option', (options) => options.length), { timeout: 30_000 }).toBe(2);
    await page.selectOption('#series', 'p1');
    await page.click('summary:has-text("Time range, filters and downsampling")');
    await page.fill('#bucket', '1D');
    await page.selectOption('#agg', 'max');
    await forecast(page, { horizon: 7, context: 28 });
    const daily = await sql<{ kw: number }[]>`
      SELECT max(kw) AS kw, date_bin('1 day', observed_at, '2000-01-03 00:00:00+00') AS day FROM public.plant_load WHERE plant = 'p1'
      GROUP BY day ORDER BY day DESC LIMIT 7`;
    // Weekly season on daily data: the last 7 daily maxima, oldest first.
    expect(await medians(page)).toEqual(daily.map((row) => row.kw).reverse());
    expect(requests.at(-1)!.searchParams.get('bucket')).toBe('1D');
    expect(requests.at(-1)!.searchParams.get('agg')).toBe('max');
    await page.close();
  });

  it('sends the time range and row filters as chosen, and the server applies them', async () => {
    const page = await openWorkbench();
    const requests = windowRequests(page);
    await page.selectOption('#source', 'warehouse');
    await expect.poll(() => page.$$eval('#series option', (options) => options.length), { timeout: 30_000 }).toBe(2);
    await page.selectOption('#series', 'p2');
    await page.click('summary:has-text("Time range, filters and downsampling")');
    const end = new Date(PLANT_START_MS + (P2_NULL_HOUR + 5) * HOUR).toISOString();
    await page.fill('#window-start', '2024-03-02T00:00:00Z');
    await page.fill('#window-end', end);
    await page.fill('#filter-min', '150');
    await page.check('#exclude-nulls');
    await forecast(page, { horizon: 4, context: 48 });
    const sent = Object.fromEntries(requests.at(-1)!.searchParams);
    expect(sent).toMatchObject({ start: '2024-03-02T00:00:00Z', end, min: '150', excludeNulls: 'true', series: 'p2' });
    // The null hour was dropped by the server (48 rows without it), and the grid put it back as one
    // missing step: 49 points. Without excludeNulls the null row would be one of the 48.
    expect(await page.locator('[data-testid=runtime]').textContent()).toContain('on 49 points');
    // Seasonal naive (24 h) repeats the day before the forecast.
    const dayBefore = await sql<{ kw: number | null }[]>`
      SELECT kw FROM public.plant_load WHERE plant = 'p2' AND observed_at > ${end}::timestamptz - interval '24 hours' AND observed_at <= ${end}::timestamptz - interval '20 hours'
      ORDER BY observed_at`;
    expect(await medians(page)).toEqual(dayBefore.map((row) => row.kw));
    await page.close();
  });

  it('a configuration link reopens the same table, series and downsampling, and reruns it', async () => {
    const config = parseForecastConfig({
      version: 1,
      source: 'warehouse',
      table: 'public.plant_load',
      time: 'observed_at',
      entity: 'plant',
      series: 'p2',
      target: 'kw',
      covariates: ['temp_c'],
      downsample: { bucket: '1h', agg: 'avg' },
      model: 'seasonal-naive',
      context: 96,
      horizon: 24,
    });
    const page = await openWorkbench(`${appUrl}/?config=${encodeConfigParam(config)}&run=forecast`);
    await page.locator('[data-testid=forecast-table]').waitFor({ timeout: 60_000 });
    expect(await selectedValue(page, '#table')).toBe('public.plant_load');
    expect(await selectedValue(page, '#series')).toBe('p2');
    expect(await selectedValue(page, '#bucket')).toBe('1h');
    const lastDay = (await sql<{ kw: number | null }[]>`SELECT kw FROM public.plant_load WHERE plant = 'p2' ORDER BY observed_at DESC LIMIT 24`).map((row) => row.kw).reverse();
    // p2's last day holds its null reading: seasonal naive fills that step from earlier seasons; every other step repeats the day.
    expect(lastDay.filter((kw) => kw === null)).toHaveLength(1);
    const shown = await medians(page);
    lastDay.forEach((kw, step) => (kw === null ? expect(Number.isFinite(shown[step])).toBe(true) : expect(shown[step]).toBe(kw)));
    // Nothing the picker loaded afterwards replaced the configuration's choices.
    expect(await selectedValue(page, '#column')).toBe('kw');
    expect(await page.isChecked('input[name=covariate][value=temp_c]')).toBe(true);
    await page.close();
  });

  it('a series the table does not hold is a readable error, and the page keeps working', async () => {
    const config = parseForecastConfig({
      version: 1,
      source: 'warehouse',
      table: 'public.plant_load',
      time: 'observed_at',
      entity: 'plant',
      series: 'p9',
      target: 'kw',
      model: 'seasonal-naive',
      context: 48,
      horizon: 4,
    });
    const page = await openWorkbench(`${appUrl}/?config=${encodeConfigParam(config)}&run=forecast`);
    const error = page.locator('[data-testid=error]');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toContain('p9');
    await page.selectOption('#series', 'p1');
    await forecast(page, { horizon: 4, context: 48 });
    expect(await page.locator('[data-testid=error]').count()).toBe(0);
    await page.close();
  });
});

describe('a parquet lake', () => {
  it('lists the series named by the files and forecasts one from its rows, read by HTTP Range in the browser', async () => {
    const page = await openWorkbench();
    const requests = dataRequests(page);
    await page.selectOption('#source', 'parquet');
    await expect.poll(() => selectedValue(page, '#time-column')).toBe('ts');
    expect(await selectedValue(page, '#column')).toBe('level');
    expect(await page.$eval('#entity-column option[value=""]', (option) => option.textContent)).toBe('none (series from file names)');
    await expect.poll(() => page.$$eval('#series option', (options) => options.map((option) => (option as HTMLOptionElement).value))).toEqual(['north', 'south']);
    await page.selectOption('#series', 'south');
    await forecast(page, { horizon: 24, context: 100 });
    const expected = Array.from({ length: 24 }, (_, step) => lakeValue('south', LAKE_END_MS - (24 - step) * HOUR));
    const shown = await medians(page);
    shown.forEach((value, step) => expect(value).toBeCloseTo(expected[step]!, 9));
    // The worker read the parquet files itself: byte ranges of south's files, no window stream.
    expect(requests.windows).toEqual([]);
    expect(requests.files.length).toBeGreaterThan(0);
    for (const file of requests.files) {
      expect(file.path).toMatch(/^\/api\/files\/parquet\/2024\/0[12]\/south_2024_0[12]\.parquet$/);
      expect(file.range).toMatch(/^bytes=\d+-\d*$/);
      expect(file.status).toBe(206);
    }
    // 100 hourly rows at the end of February: February's two newest row groups (of 200 rows) and
    // both footers, against the two files the series lives in.
    const listed = (await (await fetch(`${appUrl}/api/sources/parquet/tables?series=south`)).json()) as { files: { sizeBytes: number }[] };
    expect(listed.files).toHaveLength(2);
    const fileBytes = listed.files.reduce((sum, file) => sum + file.sizeBytes, 0);
    const fetched = requests.files.reduce((sum, file) => sum + file.bytes, 0);
    console.log(`parquet lake: the worker fetched ${fetched} bytes in ${requests.files.length} range requests of ${fileBytes} bytes in 2 files`);
    expect(fetched).toBeLessThan(fileBytes / 3);
    expect(pageErrors.get(page)).toEqual([]);
    await page.close();
  });

  it('a calendar bucket is refused before anything is sent, naming the fix', async () => {
    const page = await openWorkbench();
    const requests = dataRequests(page);
    await page.selectOption('#source', 'parquet');
    await expect.poll(() => selectedValue(page, '#series')).toBe('north');
    await page.click('summary:has-text("Time range, filters and downsampling")');
    await page.fill('#bucket', '1M');
    await page.click('button:has-text("Forecast")');
    const error = page.locator('[data-testid=error]');
    await error.waitFor();
    expect(await error.textContent()).toContain('bucket must be a fixed duration such as 30s, 5min, 1h, 1D or 1W');
    expect(requests).toEqual({ windows: [], files: [] });
    await page.close();
  });
});

describe('a CSV stored on the server', () => {
  it('survives a reload: the stored upload is listed and forecasts as before', async () => {
    const page = await openWorkbench();
    await page.setInputFiles('[data-testid=csv-input]', path.resolve('data/samples/AirPassengers.csv'));
    await expect.poll(() => page.locator('[data-testid=upload-stored]').textContent(), { timeout: 60_000 }).toMatch(/^Stored on the server as source upload-[0-9a-f]+/);
    const id = (await page.locator('[data-testid=upload-stored]').textContent())!.match(/upload-[0-9a-f]+/)![0];
    expect(await selectedValue(page, '#source')).toBe(id);
    await expect.poll(() => selectedValue(page, '#column')).toBe('#Passengers');
    await page.reload();
    await expect.poll(() => page.locator('[data-testid=device]').textContent(), { timeout: 30_000 }).toContain('Device:');
    await page.selectOption('#source', id);
    await expect.poll(() => selectedValue(page, '#column')).toBe('#Passengers');
    const requests = dataRequests(page);
    await forecast(page, { horizon: 12, context: 96 });
    // Seasonal naive on monthly data repeats 1960.
    expect(await medians(page)).toEqual([417, 391, 419, 461, 472, 535, 622, 606, 508, 461, 390, 432]);
    // The stored parquet was read by the worker by HTTP Range, not through the window route.
    expect(requests.windows).toEqual([]);
    expect(requests.files.length).toBeGreaterThan(0);
    for (const file of requests.files) {
      expect(file.path.startsWith(`/api/files/${id}/`)).toBe(true);
      expect(file.range).toMatch(/^bytes=\d+-\d*$/);
      expect(file.status).toBe(206);
    }
    expect(pageErrors.get(page)).toEqual([]);
    await page.close();
  });
});

describe("the app's own database", () => {
  it('with no tables of its own, the page says how to add some instead of offering an empty form', async () => {
    const page = await openWorkbench();
    await page.selectOption('#source', 'app');
    const problem = page.locator('[data-testid=data-problem]');
    await problem.waitFor();
    expect(await problem.textContent()).toContain('npm run ingest');
    expect(await page.isDisabled('button:has-text("Forecast")')).toBe(true);
    expect(pageErrors.get(page)).toEqual([]);
    await page.close();
  });
});

describe('a CSV the server will not store', () => {
  it('without a timestamp column it stays usable in this tab, and the page says why it was not stored', async () => {
    const page = await openWorkbench();
    const requests = windowRequests(page);
    await page.setInputFiles('[data-testid=csv-input]', path.resolve('tests/fixtures/e2e/no-timestamps.csv'));
    await expect.poll(() => page.locator('[data-testid=upload-stored]').textContent()).toContain('Kept in this tab only (the server did not store it: upload: "no-timestamps.csv" has no timestamp column');
    expect(await selectedValue(page, '#source')).toBe('upload:no-timestamps.csv');
    await forecast(page, { horizon: 4, context: 60 });
    // Read in the page: no window request; steps are numbered, not dated.
    expect(requests).toEqual([]);
    expect(await page.$$eval('[data-testid=forecast-table] tbody tr td:first-child', (cells) => cells.map((cell) => cell.textContent))).toEqual(['+1', '+2', '+3', '+4']);
    expect(pageErrors.get(page)).toEqual([]);
    await page.close();
  });
});
