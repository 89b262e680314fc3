/**
 * The Node side of the Informer browser harness: bundles tests/browser/informer-harness.ts with
 * esbuild, serves it with the golden folders and tfjs-backend-wasm's binaries, and opens pages.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { startStaticServer, type StaticServer } from './static-server';
import type { InformerHarness } from './informer-harness';
import { INFORMER_GOLDEN_ROOT } from '../support/informer-golden';

export interface InformerHarnessServer { url: string; close(): Promise<void> }

export async function startInformerHarness(): Promise<InformerHarnessServer> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'lookahead-informer-harness-'));
  let server: StaticServer;
  try {
    await build({
      entryPoints: [path.resolve('tests/browser/informer-harness.ts')],
      outfile: path.join(outDir, 'harness.js'),
      bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
      tsconfig: path.resolve('tsconfig.json'), logLevel: 'error',
      // tfjs-backend-wasm's Emscripten glue mentions Node modules it never loads in a browser.
      external: ['fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto'],
    });
    await writeFile(path.join(outDir, 'index.html'), '<!doctype html><html><head><meta charset="utf-8"><title>Informer harness</title><link rel="icon" href="data:,"></head><body><script type="module" src="/harness.js"></script></body></html>\n');
    const wasmDir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    server = await startStaticServer({ '/': outDir, '/tfjs-wasm/': wasmDir, '/golden/': INFORMER_GOLDEN_ROOT });
  } catch (error) {
    await rm(outDir, { recursive: true, force: true });
    throw error;
  }
  return { url: server.url, async close() { await server.close(); await rm(outDir, { recursive: true, force: true }); } };
}

export interface InformerPage {
  page: Page;
  errors: string[];
  run: InformerHarness['run'];
  timeStep: InformerHarness['timeStep'];
  close(): Promise<void>;
}

export async function openInformerPage(browser: Pick<Browser, 'newPage'>, server: InformerHarnessServer): Promise<InformerPage> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(`console: ${message.text()}`); });
  await page.goto(`${server.url}/index.html`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 60_000 });
  return {
    page, errors,
    run: (backend, config) => page.evaluate(([b, c]) => window.informerHarness!.run(b, c), [backend, config] as const),
    timeStep: (backend, attention, length, repeats) => page.evaluate(([b, a, l, r]) => window.informerHarness!.timeStep(b, a, l, r), [backend, attention, length, repeats] as const),
    close: () => page.close(),
  };
}
