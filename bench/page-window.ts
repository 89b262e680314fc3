import { launchChromium } from '../tests/support/chromium';
import { startAppServer } from '../tests/support/app-server';
import { ensureBuilt } from '../scripts/app-build';
import { printTable, writeResult } from './lib/report';

/**
 * `npm run bench -- page-window [runs]`: a 5,000-point window on the page, from pressing Forecast
 * to the drawn chart, against the production build (next start, embedded PGlite) in headless
 * Chromium. The page's own timings split it into fetch (window route -> Arrow decode in the
 * worker), fit and forecast; "to chart" is measured outside the page, click to table + chart.
 */
const runs = Number(process.argv[3] ?? 7);
const points = 5_000;
ensureBuilt();
const server = await startAppServer();
const browser = await launchChromium();
const samples: { toChartMs: number; fetchMs: number; fitMs: number; forecastMs: number; totalMs: number }[] = [];
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.locator('[data-testid=device]').filter({ hasText: 'Device:' }).waitFor({ timeout: 60_000 });
  await page.selectOption('#source', 'etth1');
  await page.selectOption('#column', 'OT');
  await page.selectOption('#model', 'seasonal-naive');
  await page.fill('#context', String(points));
  for (let run = 0; run <= runs; run++) {
    // Alternate the horizon so each run's result is recognisable by its row count.
    const horizon = 24 + (run % 2);
    await page.fill('#horizon', String(horizon));
    const started = Date.now();
    await page.click('button:has-text("Forecast")');
    await page.waitForFunction((rows) => document.querySelectorAll('[data-testid=forecast-table] tbody tr').length === rows, horizon, { timeout: 60_000 });
    await page.locator('[data-testid=forecast-chart] path.recharts-curve').first().waitFor();
    const toChartMs = Date.now() - started;
    const text = (await page.locator('[data-testid=runtime]').textContent())!;
    const number = (label: string) => Number(text.match(new RegExp(`${label} (\\d+) ms`))?.[1] ?? Number.NaN);
    if (run > 0) samples.push({ toChartMs, totalMs: number('in'), fetchMs: number('fetch'), fitMs: number('fit'), forecastMs: number('forecast') });
  }
} finally {
  await browser.close();
  await server.stop();
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const row = (name: keyof (typeof samples)[number]) => [name, median(samples.map((sample) => sample[name])), Math.min(...samples.map((s) => s[name])), Math.max(...samples.map((s) => s[name]))];
const table = { columns: ['5,000-point window (ms)', 'median', 'min', 'max'], rows: [row('toChartMs'), row('totalMs'), row('fetchMs'), row('fitMs'), row('forecastMs')] };
printTable(table);
console.log(`wrote ${writeResult('page-window', { description: 'ETTh1 OT, 5,000-point window, seasonal naive, horizon 24: click to drawn chart in headless Chromium against next start (PGlite); first run is warm-up', points, runs: samples.length, samples, table })}`);
