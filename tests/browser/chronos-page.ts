import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { bundleHarness } from './bundle';
import type { HarnessCall, HarnessReplies, LoadRequest, LoadedSession } from './chronos-protocol';
import { startStaticServer, type StaticServer } from './static-server';

/**
 * The Node side of the Chronos-Bolt browser harness: bundles it, serves it with converted model
 * folders and onnxruntime-web's dist files (cross-origin isolated), and drives pages of it.
 */

export interface ChronosHarnessServer {
  url: string;
  /** URL path of a served model folder's file: modelPath('tiny-random', 'model.onnx'). */
  modelPath(name: string, file: string): string;
  close(): Promise<void>;
}

export const ORT_WASM_PATH = '/ort/';

function onnxruntimeWebDist(): string {
  const require = createRequire(import.meta.url);
  // package.json is not exported; the wasm file is, and lies in dist/ with the rest.
  return path.dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
}

/** `models`: name -> folder (a converted model: model.onnx, manifest.json, ...), served under /models/<name>/. */
export async function startChronosHarness(models: Record<string, string>): Promise<ChronosHarnessServer> {
  const bundleDir = await bundleHarness();
  let server: StaticServer;
  try {
    server = await startStaticServer({
      '/': bundleDir,
      [ORT_WASM_PATH]: onnxruntimeWebDist(),
      ...Object.fromEntries(Object.entries(models).map(([name, dir]) => [`/models/${name}/`, dir])),
    });
  } catch (error) {
    await rm(bundleDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: server.url,
    modelPath: (name, file) => `/models/${encodeURIComponent(name)}/${file}`,
    async close() {
      await server.close();
      await rm(bundleDir, { recursive: true, force: true });
    },
  };
}

export interface ChronosPage {
  page: Page;
  /** Page errors and console errors seen so far (a failing test should show them). */
  errors: string[];
  load(request: Omit<LoadRequest, 'wasmPaths'>): Promise<LoadedSession>;
  call<K extends HarnessCall['kind']>(handle: number, request: Extract<HarnessCall, { kind: K }>): Promise<HarnessReplies[K]>;
  release(handle: number): Promise<void>;
  measureMemory(): Promise<number | null>;
  close(): Promise<void>;
}

/** A fresh page (its own onnxruntime-web instance) with the harness loaded and ready; `owner` is a Browser or a BrowserContext. */
export async function openChronosPage(owner: Pick<Browser, 'newPage'>, server: ChronosHarnessServer): Promise<ChronosPage> {
  const page = await owner.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(`${server.url}/index.html`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 30_000 });
  return {
    page,
    errors,
    load: (request) => page.evaluate((full) => window.chronosHarness!.load(full), { ...request, wasmPaths: ORT_WASM_PATH }),
    call: (handle, request) =>
      page.evaluate(([h, r]) => window.chronosHarness!.call(h, r as never), [handle, request] as const) as never,
    release: (handle) => page.evaluate((h) => window.chronosHarness!.release(h), handle),
    measureMemory: () => page.evaluate(() => window.chronosHarness!.measureMemory()),
    close: () => page.close(),
  };
}
