import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseCsv } from '@/lib/data/csv';
import { launchChromium } from '../support/chromium';

/**
 * Chronos-Bolt on the page, on WASM and on WebGPU (SwiftShader here), against the server's answer
 * for the same input (onnxruntime-node). The model is the golden tiny-random checkpoint the e2e
 * server has installed: a test checkpoint, listed only with `?testModels=1` and labelled so.
 */
const appUrl = inject('appUrl');
const etth1 = parseCsv(readFileSync('data/samples/ETTh1.csv', 'utf8'));
const context = Array.from(etth1.values.OT!.slice(-512));
let browser: Browser;
let server: { quantiles: number[][]; levels: number[] };

beforeAll(async () => {
  browser = await launchChromium();
  const response = await fetch(`${appUrl}/api/forecast`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'tiny-random', horizon: 24, levels: [0.1, 0.5, 0.9], series: [{ values: context }] }),
  });
  expect(response.status).toBe(200);
  const json = (await response.json()) as { forecasts: { quantiles: number[][] }[]; levels: number[]; runtime: string };
  expect(json.runtime).toBe('onnxruntime-node (cpu)');
  server = { quantiles: json.forecasts[0]!.quantiles, levels: json.levels };
});
afterAll(async () => {
  await browser?.close();
});

async function forecastOnPage(page: Page, device: 'wasm' | 'webgpu', threads?: string) {
  await page.goto(`${appUrl}/?testModels=1`);
  await expect.poll(() => page.locator('[data-testid=device]').textContent(), { timeout: 30_000 }).toContain('Device:');
  if (threads !== undefined) await page.selectOption('#threads', threads);
  await expect.poll(() => page.locator('#model option[value="tiny-random"]').count(), { timeout: 30_000 }).toBe(1);
  expect(await page.locator('#model optgroup[label="Test checkpoints (not real forecasters)"] option[value="tiny-random"]').textContent()).toBe(
    'tiny-random (test checkpoint, not a real forecaster)',
  );
  await page.selectOption('#source', 'etth1');
  await page.selectOption('#column', 'OT');
  await page.selectOption('#model', 'tiny-random');
  await page.selectOption('#device', device);
  await page.fill('#horizon', '24');
  await page.fill('#context', '512');
  await page.click('button:has-text("Forecast")');
  await page.locator('[data-testid=forecast-table]').waitFor({ timeout: 150_000 });
  const rows = page.locator('[data-testid=forecast-table] tbody tr');
  const shown: { low: number; median: number; high: number }[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    shown.push({
      low: Number(await row.locator('td[data-level="0.1"]').getAttribute('data-value')),
      median: Number(await row.locator('td[data-testid=median]').getAttribute('data-value')),
      high: Number(await row.locator('td[data-level="0.9"]').getAttribute('data-value')),
    });
  }
  return { shown, runtime: (await page.locator('[data-testid=runtime]').textContent())! };
}

function expectMatchesServer(shown: { low: number; median: number; high: number }[]) {
  expect(shown).toHaveLength(24);
  // Golden README: onnxruntime-web differs from PyTorch by up to 2.2e-4 absolute on values of
  // order 100 (node: 3e-5); OT is of order 10, so 1e-3 absolute bounds both runtimes' spread.
  shown.forEach((row, step) => {
    expect(Math.abs(row.low - server.quantiles[0]![step]!)).toBeLessThan(1e-3);
    expect(Math.abs(row.median - server.quantiles[1]![step]!)).toBeLessThan(1e-3);
    expect(Math.abs(row.high - server.quantiles[2]![step]!)).toBeLessThan(1e-3);
  });
}

describe('Chronos-Bolt in the browser', () => {
  it('on WASM: the page shows the numbers the server computes', async () => {
    const page = await browser.newPage();
    const { shown, runtime } = await forecastOnPage(page, 'wasm');
    // Automatic threads: every core the browser reports (the page is cross-origin isolated).
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const label = `WASM, ${cores} thread${cores === 1 ? '' : 's'}`;
    expect(await page.locator('[data-testid=device]').textContent()).toContain(`Device: ${label}.`);
    expect(runtime).toContain(`computed with ${label}`);
    expectMatchesServer(shown);
    await page.close();
  });

  it('on WASM with the threads setting at 2: the session runs 2 threads, same numbers', async () => {
    const page = await browser.newPage();
    const { shown, runtime } = await forecastOnPage(page, 'wasm', '2');
    expect(await page.locator('[data-testid=device]').textContent()).toContain('Device: WASM, 2 threads.');
    expect(runtime).toContain('computed with WASM, 2 threads');
    expectMatchesServer(shown);
    await page.close();
  });

  it('on WebGPU (SwiftShader adapter): the page shows the numbers the server computes', async () => {
    const page = await browser.newPage();
    const { shown, runtime } = await forecastOnPage(page, 'webgpu');
    expect(runtime, runtime).toMatch(/computed with WebGPU \(/);
    expectMatchesServer(shown);
    await page.close();
  });

  it('WebGPU device lost between two runs (destroyed in the worker): the next run finishes on WASM, same numbers, and says so', async () => {
    const page = await browser.newPage();
    await page.goto(`${appUrl}/?testModels=1`);
    await expect.poll(() => page.locator('[data-testid=device]').textContent(), { timeout: 30_000 }).toContain('Device:');
    await expect.poll(() => page.workers().length, { timeout: 30_000 }).toBeGreaterThan(0);
    // Every GPUDevice the forecast worker asks for from now on (onnxruntime-web's) is kept, so the
    // test can lose it: SwiftShader's WebGPU, real Chromium, nothing faked but the moment of loss.
    const worker = page.workers()[0]!;
    await worker.evaluate(() => {
      const scope = globalThis as unknown as { lookaheadDevices?: { destroy(): void }[]; GPUAdapter?: { prototype: { requestDevice(...args: unknown[]): Promise<{ destroy(): void }> } } };
      const devices: { destroy(): void }[] = [];
      scope.lookaheadDevices = devices;
      if (!scope.GPUAdapter) throw new Error('no GPUAdapter in the worker');
      const requestDevice = scope.GPUAdapter.prototype.requestDevice;
      scope.GPUAdapter.prototype.requestDevice = async function (this: unknown, ...args: unknown[]) {
        const device = await requestDevice.apply(this, args);
        devices.push(device);
        return device;
      };
    });
    await expect.poll(() => page.locator('#model option[value="tiny-random"]').count(), { timeout: 30_000 }).toBe(1);
    await page.selectOption('#source', 'etth1');
    await page.selectOption('#column', 'OT');
    await page.selectOption('#model', 'tiny-random');
    await page.selectOption('#device', 'webgpu');
    await page.fill('#horizon', '24');
    await page.fill('#context', '512');
    await page.click('button:has-text("Forecast")');
    await expect.poll(() => page.locator('[data-testid=runtime]').textContent(), { timeout: 150_000 }).toMatch(/computed with WebGPU \(/);

    const destroyed = await worker.evaluate(() => {
      const devices = (globalThis as unknown as { lookaheadDevices: { destroy(): void }[] }).lookaheadDevices;
      for (const device of devices) device.destroy();
      return devices.length;
    });
    expect(destroyed).toBeGreaterThan(0);

    await page.click('button:has-text("Forecast")');
    await expect.poll(() => page.locator('[data-testid=runtime]').textContent(), { timeout: 150_000 }).toMatch(/computed with WASM, \d+ threads?/);
    const rows = page.locator('[data-testid=forecast-table] tbody tr');
    const shown: { low: number; median: number; high: number }[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const row = rows.nth(i);
      shown.push({
        low: Number(await row.locator('td[data-level="0.1"]').getAttribute('data-value')),
        median: Number(await row.locator('td[data-testid=median]').getAttribute('data-value')),
        high: Number(await row.locator('td[data-level="0.9"]').getAttribute('data-value')),
      });
    }
    expectMatchesServer(shown);
    await page.close();
  });

  it('never offers a test checkpoint without ?testModels=1; the real sizes are offered from the hub instead', async () => {
    const page = await browser.newPage();
    await page.goto(appUrl);
    await expect.poll(() => page.locator('[data-testid=device]').textContent(), { timeout: 30_000 }).toContain('Device:');
    expect(await page.locator('#model option[value="tiny-random"]').count()).toBe(0);
    expect(await page.locator('#model option[value="chronos-bolt-small"]').textContent()).toBe('Chronos-Bolt small (download 191 MB)');
    await page.close();
  });
});
