import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { flatten, loadGolden } from '../support/chronos-golden';

/**
 * Chronos-Bolt installed in the browser from the hub: the worker downloads config.json and
 * model.safetensors from LOOKAHEAD_HUB_URL (the FAKE local hub of global-setup, since there is no
 * internet here, serving the golden tiny-random checkpoint as amazon/chronos-bolt-tiny), verifies,
 * converts, caches and runs it. The numbers must match the PyTorch goldens.
 */
const appUrl = inject('appUrl');
const hubUrl = inject('hubUrl');
const modelsDir = inject('modelsDir');
const golden = loadGolden('tiny-random');
const seasonal = golden.inputs.seasonal_300!;
/** predict_default of seasonal_300: [1, 9, 64], levels 0.1 ... 0.9. */
const expected = flatten(golden.goldens.single_series.seasonal_300!.predict_default);
const csv = Buffer.from(`value\n${seasonal.map((value) => (value === null ? '' : String(value))).join('\n')}\n`);

interface HubRequest {
  method: string;
  path: string;
  range: string | null;
}

async function hubRequests(): Promise<HubRequest[]> {
  return (await (await fetch(`${hubUrl}/__fake/requests`)).json()) as HubRequest[];
}

async function hubOffline(on: boolean): Promise<void> {
  await fetch(`${hubUrl}/__fake/offline?on=${on ? 1 : 0}`, { method: 'POST' });
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await hubOffline(false);
  await browser?.close();
});

async function openWorkbench(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  // Every text the progress bar shows, in order (the tiny checkpoint installs faster than polling).
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { progressSeen: string[] }).progressSeen = seen;
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid=progress]')?.textContent ?? '';
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  await page.goto(appUrl);
  await expect.poll(() => page.locator('[data-testid=device]').textContent(), { timeout: 30_000 }).toContain('Device:');
  await page.setInputFiles('[data-testid=csv-input]', { name: 'seasonal_300.csv', mimeType: 'text/csv', buffer: csv });
  await expect.poll(() => page.$eval('#source', (element) => (element as HTMLSelectElement).value), { timeout: 30_000 }).toBe('upload:seasonal_300.csv');
  return page;
}

async function forecast(page: Page, model: string, { expectError = false } = {}) {
  await page.selectOption('#model', model);
  await page.selectOption('#device', 'wasm');
  await page.fill('#horizon', '64');
  await page.fill('#context', '512');
  await page.click('button:has-text("Forecast")');
  if (expectError) {
    await page.locator('[data-testid=error]').waitFor({ timeout: 120_000 });
    return (await page.locator('[data-testid=error]').textContent())!;
  }
  await page.locator('[data-testid=forecast-table]').waitFor({ timeout: 180_000 });
  return '';
}

/** The table's quantiles, [level][step], for levels 0.1 ... 0.9. */
async function shownQuantiles(page: Page): Promise<number[][]> {
  const levels = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
  return Promise.all(
    levels.map((level) =>
      page.$$eval(`[data-testid=forecast-table] tbody td[data-level="${level}"]`, (cells) => cells.map((cell) => Number(cell.getAttribute('data-value')))),
    ),
  );
}

function expectGolden(shown: number[][]) {
  expect(shown.map((row) => row.length)).toEqual(Array(9).fill(64));
  const magnitude = Math.max(...Array.from(expected.values, Math.abs));
  // Golden README: onnxruntime-web is within 2.2e-4 absolute of PyTorch on values of order 100.
  const tolerance = 1e-5 * magnitude + 1e-4;
  let worst = 0;
  shown.forEach((row, level) => row.forEach((value, step) => (worst = Math.max(worst, Math.abs(value - expected.values[level * 64 + step]!)))));
  expect(worst, `worst error ${worst} vs tolerance ${tolerance}`).toBeLessThan(tolerance);
}

async function hubThrottle(bytesPerSecond: number): Promise<void> {
  await fetch(`${hubUrl}/__fake/throttle?bytesPerSecond=${bytesPerSecond}`, { method: 'POST' });
}

async function cachedRepos(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const cache = await caches.open('lookahead-installed-models-v1');
    return (await cache.keys()).map((request) => new URL(request.url).pathname);
  });
}

describe('Chronos-Bolt installed in the browser from the hub', () => {
  let context: BrowserContext;
  beforeAll(async () => {
    context = await browser.newContext();
  });
  afterAll(async () => {
    await context?.close();
  });

  it('offers all four sizes with their download size', async () => {
    const page = await context.newPage();
    await page.goto(appUrl);
    await expect.poll(() => page.locator('#model option[value="chronos-bolt-base"]').count(), { timeout: 30_000 }).toBe(1);
    const labels = await page.$$eval('#model option[value^="chronos-bolt-"]', (options) => options.map((option) => option.textContent));
    expect(labels).toEqual([
      'Chronos-Bolt tiny (download 35 MB)',
      'Chronos-Bolt mini (download 85 MB)',
      'Chronos-Bolt small (download 191 MB)',
      'Chronos-Bolt base (download 821 MB)',
    ]);
    await page.close();
  });

  it('the first forecast downloads, verifies, converts and caches the checkpoint in the worker, with one progress bar, and matches the PyTorch goldens', async () => {
    await fetch(`${hubUrl}/__fake/reset`, { method: 'POST' });
    const page = await openWorkbench(context);
    await forecast(page, 'chronos-bolt-tiny');
    expectGolden(await shownQuantiles(page));
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    const phase = (pattern: RegExp) => seen.findIndex((text) => pattern.test(text));
    expect(phase(/downloading Chronos-Bolt tiny/), seen.join(' | ')).toBeGreaterThanOrEqual(0);
    expect(phase(/converting Chronos-Bolt tiny to ONNX \(fp32\)/), seen.join(' | ')).toBeGreaterThan(phase(/downloading/));
    expect(phase(/warm-up/), seen.join(' | ')).toBeGreaterThan(phase(/converting/));
    const requests = await hubRequests();
    const paths = requests.map((request) => request.path);
    expect(paths).toContain('/api/models/amazon/chronos-bolt-tiny/revision/main?blobs=true');
    expect(paths).toContain(`/amazon/chronos-bolt-tiny/resolve/${'1'.repeat(40)}/config.json`);
    expect(paths).toContain(`/amazon/chronos-bolt-tiny/resolve/${'1'.repeat(40)}/model.safetensors`);
    expect(paths.some((path) => path.startsWith('/cdn/'))).toBe(true);
    // Cached under repo, commit and sha256, onnx and manifest.
    const keys = await cachedRepos(page);
    expect(keys.filter((key) => key.startsWith(`/__lookahead-installed/amazon/chronos-bolt-tiny/${'1'.repeat(40)}/`)).map((key) => key.split('/').at(-1)).sort()).toEqual(['manifest.json', 'model.onnx']);
    await page.locator('[data-testid=browser-models] summary').click();
    await expect.poll(() => page.locator('[data-testid=browser-model]').count()).toBe(1);
    expect(await page.locator('[data-testid=browser-model]').getAttribute('data-repo')).toBe('amazon/chronos-bolt-tiny');
    expect(Number(await page.locator('[data-testid=browser-model]').getAttribute('data-bytes'))).toBeGreaterThan(1_000_000);
    await page.close();
  });

  it('a reload starts from the cache: no hub request at all, the same numbers', async () => {
    await fetch(`${hubUrl}/__fake/reset`, { method: 'POST' });
    const page = await openWorkbench(context);
    expect(await page.locator('#model option[value="chronos-bolt-tiny"]').textContent()).toBe('Chronos-Bolt tiny (in this browser)');
    await forecast(page, 'chronos-bolt-tiny');
    expectGolden(await shownQuantiles(page));
    expect(await hubRequests()).toEqual([]);
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    // Straight to the warm-up: nothing downloaded or converted (React may batch away the brief "loaded from the cache" line).
    expect(seen.some((text) => /warm-up/.test(text)), seen.join(' | ')).toBe(true);
    expect(seen.some((text) => /downloading|converting/.test(text)), seen.join(' | ')).toBe(false);
    // Manage models: delete it, and it is gone from the cache.
    await page.locator('[data-testid=browser-models] summary').click();
    await page.locator('[data-testid=browser-model] button:has-text("Delete")').click();
    await expect.poll(() => page.locator('[data-testid=browser-model]').count()).toBe(0);
    expect(await cachedRepos(page)).toEqual([]);
    await page.close();
  });

  it('fp16 weights when chosen: converted as fp16 in the worker, cached under their own dtype key, forecasts within 1% of the goldens; deleted again', async () => {
    await fetch(`${hubUrl}/__fake/reset`, { method: 'POST' });
    const page = await openWorkbench(context);
    await page.selectOption('#weights', 'fp16');
    await forecast(page, 'chronos-bolt-tiny');
    const shown = await shownQuantiles(page);
    expect(shown.map((row) => row.length)).toEqual(Array(9).fill(64));
    // fp16 weights, float32 compute: tests/unit/chronos-dtype.test.ts bounds the error at 1e-2 of the series scale.
    const magnitude = Math.max(...Array.from(expected.values, Math.abs));
    let worst = 0;
    let differs = false;
    shown.forEach((row, level) => row.forEach((value, step) => {
      const error = Math.abs(value - expected.values[level * 64 + step]!);
      worst = Math.max(worst, error);
      if (error > 0) differs = true;
    }));
    expect(worst, `worst error ${worst}`).toBeLessThan(1e-2 * magnitude);
    expect(differs, 'fp16 weights give the fp32 numbers exactly: the fp32 model ran').toBe(true);
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    expect(seen.some((text) => /converting Chronos-Bolt tiny to ONNX \(fp16\)/.test(text)), seen.join(' | ')).toBe(true);
    const keys = (await cachedRepos(page)).filter((key) => key.includes('chronos-bolt-tiny'));
    expect(keys.length, keys.join(' ')).toBeGreaterThan(0);
    expect(keys.every((key) => key.split('/').at(-2) === 'fp16'), keys.join(' ')).toBe(true);
    await page.locator('[data-testid=browser-models] summary').click();
    await page.locator('[data-testid=browser-model] button:has-text("Delete")').click();
    await expect.poll(() => page.locator('[data-testid=browser-model]').count()).toBe(0);
    expect(await cachedRepos(page)).toEqual([]);
    await page.close();
  });

  it('cancel during the download: the page says it was cancelled, nothing half-written is cached, and a later install succeeds', async () => {
    const page = await openWorkbench(context);
    // The FAKE hub serves the 1.6 MB weights at 100 kB/s, so the download is still running when we cancel.
    await hubThrottle(100_000);
    try {
      await page.selectOption('#model', 'chronos-bolt-tiny');
      await page.selectOption('#device', 'wasm');
      await page.fill('#horizon', '64');
      await page.fill('#context', '512');
      await page.click('button:has-text("Forecast")');
      const received = async () => {
        const match = ((await page.locator('[data-testid=progress]').textContent().catch(() => '')) ?? '').match(/downloading Chronos-Bolt tiny: ([\d.]+) of ([\d.]+) MB/);
        return match ? Number(match[1]) : 0;
      };
      await expect.poll(received, { timeout: 60_000, interval: 100 }).toBeGreaterThan(0.1);
      await page.locator('[data-testid=cancel-button]').click();
      await page.locator('[data-testid=cancelled]').waitFor({ timeout: 30_000 });
      expect(await page.locator('[data-testid=cancelled]').textContent()).toContain('Cancelled');
      expect(await page.locator('[data-testid=error]').count()).toBe(0);
      expect(await page.locator('[data-testid=forecast-table]').count()).toBe(0);
      // Nothing of the cancelled install is in the Cache API, and the model is still offered as a download.
      expect((await cachedRepos(page)).filter((key) => key.includes('chronos-bolt-tiny'))).toEqual([]);
      expect(await page.locator('#model option[value="chronos-bolt-tiny"]').textContent()).toBe('Chronos-Bolt tiny (download 35 MB)');
    } finally {
      await hubThrottle(0);
    }
    // A later install, at full speed, downloads again and matches the goldens.
    await fetch(`${hubUrl}/__fake/reset`, { method: 'POST' });
    await page.evaluate(() => ((window as unknown as { progressSeen: string[] }).progressSeen.length = 0));
    await page.click('button:has-text("Forecast")');
    await page.locator('[data-testid=forecast-table]').waitFor({ timeout: 180_000 });
    expectGolden(await shownQuantiles(page));
    expect((await hubRequests()).some((request) => request.path.startsWith('/cdn/'))).toBe(true);
    expect(await page.locator('[data-testid=cancelled]').count()).toBe(0);
    expect((await cachedRepos(page)).filter((key) => key.includes('chronos-bolt-tiny')).map((key) => key.split('/').at(-1)).sort()).toEqual(['manifest.json', 'model.onnx']);
    await page.close();
  });

  it('refuses a corrupted download: the message names the file and the sha256, nothing is cached, baselines still forecast', async () => {
    const page = await openWorkbench(context);
    const message = await forecast(page, 'chronos-bolt-mini', { expectError: true });
    expect(message).toContain('model.safetensors of amazon/chronos-bolt-mini');
    expect(message).toMatch(/has sha256 [0-9a-f]{64}, but the hub publishes [0-9a-f]{64}/);
    expect(message).toContain('nothing was cached');
    expect((await cachedRepos(page)).filter((key) => key.includes('chronos-bolt-mini'))).toEqual([]);
    await forecast(page, 'seasonal-naive');
    expect(await page.locator('[data-testid=forecast-table] tbody tr').count()).toBe(64);
    await page.close();
  });

  it('offline: the message names the hub and says to check the network; baselines still forecast', async () => {
    const page = await openWorkbench(context);
    await hubOffline(true);
    try {
      const message = await forecast(page, 'chronos-bolt-small', { expectError: true });
      expect(message).toContain(`could not reach the model hub at ${hubUrl}`);
      expect(message).toContain("check this computer's network connection");
      expect((await cachedRepos(page)).filter((key) => key.includes('chronos-bolt-small'))).toEqual([]);
      await forecast(page, 'seasonal-naive');
      expect(await page.locator('[data-testid=forecast-table] tbody tr').count()).toBe(64);
    } finally {
      await hubOffline(false);
    }
    await page.close();
  });

  it('a storage quota too small for the model: the message says so and how to free space, nothing is cached, baselines still forecast', async () => {
    const small = await browser.newContext();
    try {
      const page = await openWorkbench(small);
      const cdp = await small.newCDPSession(page);
      // The tiny-random ONNX is ~1.6 MB; leave this origin 200 kB.
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(appUrl).origin, quotaSize: 200_000 });
      const message = await forecast(page, 'chronos-bolt-tiny', { expectError: true });
      expect(message).toContain('model-cache: the browser has no room to store Chronos-Bolt tiny (fp32)');
      expect(message).toContain('delete models under "Models in this browser", choose fp16 weights or a smaller model');
      expect(await cachedRepos(page)).toEqual([]);
      await forecast(page, 'seasonal-naive');
      expect(await page.locator('[data-testid=forecast-table] tbody tr').count()).toBe(64);
    } finally {
      await small.close();
    }
  });

  it('"install on the server" pulls and converts in the background with progress; the model is then listed for every visitor, no restart', async () => {
    const page = await openWorkbench(context);
    try {
      await page.selectOption('#model', 'chronos-bolt-base');
      await page.locator('[data-testid=server-install] button').click();
      // The status, or the page's error (so a refused install fails with its reason, not a timeout).
      const installState = () =>
        page.evaluate(() => {
          const failure = document.querySelector('[data-testid=server-install-error]')?.textContent;
          return failure ? `error: ${failure}` : (document.querySelector('[data-testid=server-install-status]')?.getAttribute('data-status') ?? 'none');
        });
      await expect.poll(installState, { timeout: 120_000 }).toBe('done');
      expect(await page.locator('[data-testid=server-install-status]').textContent()).toBe(`amazon/chronos-bolt-base is installed on the server as chronos-bolt-base@${'4'.repeat(40)}`);
      // The page's list now has the server's copy (no download label), and so has a new visitor's.
      await expect.poll(() => page.locator('#model option[value="chronos-bolt-base"]').textContent(), { timeout: 30_000 }).toBe('Chronos-Bolt base');
      const other = await browser.newPage();
      await other.goto(appUrl);
      await expect.poll(() => other.locator('#model option[value="chronos-bolt-base"]').textContent(), { timeout: 30_000 }).toBe('Chronos-Bolt base');
      await other.close();
      // It forecasts from the server's files, not from the hub.
      await fetch(`${hubUrl}/__fake/reset`, { method: 'POST' });
      await forecast(page, 'chronos-bolt-base');
      expectGolden(await shownQuantiles(page));
      expect(await hubRequests()).toEqual([]);
    } finally {
      // Other e2e files compare "every model": leave the server as it was.
      rmSync(path.join(modelsDir, 'chronos-bolt-base'), { recursive: true, force: true });
      await page.close();
    }
  });
});
