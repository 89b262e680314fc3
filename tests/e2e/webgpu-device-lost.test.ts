import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertCheckpointDir } from '@/scripts/models-convert';
import { openChronosPage, startChronosHarness, type ChronosHarnessServer, type ChronosPage } from '@/tests/browser/chronos-page';
import { launchChromium } from '@/tests/support/chromium';
import { checkpointDir } from '../support/chronos-golden';

/**
 * WebGPU device lost in the middle of a run, in real Chromium (SwiftShader's WebGPU adapter; no
 * GPU here): the page records every GPUDevice it hands out, and the test destroys them between
 * two runs of the app's own onnxruntime-web session (createWebOnnxSession with ['webgpu', 'wasm']).
 * The run after the loss must finish on WASM with the same numbers, and the session must say it
 * moved and why.
 */
const CHECKPOINT = 'tiny-random';
let modelsDir: string;
let server: ChronosHarnessServer;
let browser: Browser;
let page: ChronosPage;

beforeAll(async () => {
  modelsDir = await mkdtemp(path.join(tmpdir(), 'webgpu-device-lost-'));
  await convertCheckpointDir({ checkpointDir: checkpointDir(CHECKPOINT), outDir: path.join(modelsDir, CHECKPOINT) });
  server = await startChronosHarness({ [CHECKPOINT]: path.join(modelsDir, CHECKPOINT) });
  browser = await launchChromium();
  page = await openChronosPage(browser, server);
  // Every device the page creates (onnxruntime-web's included) is kept, so the test can lose it.
  await page.page.evaluate(() => {
    const devices: { destroy(): void }[] = [];
    (window as unknown as { lookaheadDevices: typeof devices }).lookaheadDevices = devices;
    const adapter = (globalThis as unknown as { GPUAdapter?: { prototype: { requestDevice(...args: unknown[]): Promise<{ destroy(): void }> } } }).GPUAdapter;
    if (!adapter) return;
    const requestDevice = adapter.prototype.requestDevice;
    adapter.prototype.requestDevice = async function (this: unknown, ...args: unknown[]) {
      const device = await requestDevice.apply(this, args);
      devices.push(device);
      return device;
    };
  });
}, 180_000);

afterAll(async () => {
  await page?.close();
  await browser?.close();
  await server?.close();
  if (modelsDir !== undefined) await rm(modelsDir, { recursive: true, force: true });
});

describe('WebGPU device lost during a run', () => {
  it('the run falls back to WASM and finishes with the same numbers, and the session says why', async () => {
    const session = await page.load({
      modelUrl: server.modelPath(CHECKPOINT, 'model.onnx'),
      manifestUrl: server.modelPath(CHECKPOINT, 'manifest.json'),
      executionProviders: ['webgpu', 'wasm'],
      numThreads: 1,
    });
    expect(session.executionProvider).toBe('webgpu');
    const series = [Array.from({ length: 96 }, (_, i) => 20 + 5 * Math.sin((2 * Math.PI * i) / 24) + (i % 7) * 0.3)];
    const before = await page.call(session.handle, { kind: 'predict', series, predictionLength: 12 });
    expect(before.values.length).toBeGreaterThan(0);

    const lost = await page.page.evaluate(async () => {
      const devices = (window as unknown as { lookaheadDevices: { destroy(): void; lost?: Promise<{ reason: string }> }[] }).lookaheadDevices;
      for (const device of devices) device.destroy();
      const reasons = await Promise.all(devices.map((device) => device.lost?.then((info) => info.reason)));
      return { count: devices.length, reasons };
    });
    expect(lost.count).toBeGreaterThan(0);
    expect(lost.reasons).toContain('destroyed');

    const after = await page.call(session.handle, { kind: 'predict', series, predictionLength: 12 });
    const state = await page.call(session.handle, { kind: 'describe' });
    expect(state.executionProvider).toBe('wasm');
    expect(state.fallbacks.some((fallback) => fallback.executionProvider === 'webgpu' && /failed on WebGPU/.test(fallback.reason))).toBe(true);
    expect(after.values.length).toBe(before.values.length);
    // WebGPU (SwiftShader) and WASM agree to float32 rounding on this model.
    for (let index = 0; index < before.values.length; index++) {
      expect(Math.abs(after.values[index]! - before.values[index]!)).toBeLessThanOrEqual(1e-3 * (1 + Math.abs(before.values[index]!)));
    }
    // Later runs stay on WASM and still work.
    const again = await page.call(session.handle, { kind: 'predict', series, predictionLength: 12 });
    expect(again.values).toEqual(after.values);
  }, 300_000);
});
