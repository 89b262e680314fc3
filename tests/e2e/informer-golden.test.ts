/**
 * Informer golden parity in real Chromium: all eight PyTorch golden configs through the app's
 * lib/runtime/tfjs-browser.ts and lib/models/informer, on tfjs wasm and on tfjs webgpu (Chromium's
 * SwiftShader adapter, --enable-unsafe-webgpu), with the same replay check and tolerance as the
 * Node unit test (tests/unit/informer-golden.test.ts): every recorded intermediate, M and output
 * within 1e-4 x max(1, max|ref|), top-u sets equal, no tensors left behind. Each backend runs in
 * its own page (tfjs holds one engine per page).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '@/tests/support/chromium';
import { openInformerPage, startInformerHarness, type InformerHarnessServer, type InformerPage } from '@/tests/browser/informer-page';
import { INFORMER_GOLDEN_CONFIGS, loadInformerChecks } from '@/tests/support/informer-golden';

let server: InformerHarnessServer;
let browser: Browser;
const pages = new Map<string, InformerPage>();
const checks = loadInformerChecks();
const worst: string[] = [];

beforeAll(async () => {
  server = await startInformerHarness();
  browser = await launchChromium();
});

afterAll(async () => {
  console.log(`Informer golden parity in Chromium, worst error / allowed per config:\n${worst.join('\n')}`);
  for (const page of pages.values()) await page.close();
  await browser?.close();
  await server?.close();
});

for (const backend of ['wasm', 'webgpu'] as const) {
  describe(`Informer goldens in Chromium on tfjs ${backend}`, () => {
    for (const name of INFORMER_GOLDEN_CONFIGS) {
      it(`${name}`, async () => {
        let page = pages.get(backend);
        if (page === undefined) {
          page = await openInformerPage(browser, server);
          pages.set(backend, page);
        }
        const report = await page.run(backend, name);
        expect(report.backend).toBe(backend);
        const failures = report.tensors.filter((t) => !t.ok).map((t) => `${t.name}: ${t.maxAbs} > ${t.allowed}`);
        expect(failures, page.errors.join('\n')).toEqual([]);
        expect(report.selections.filter((s) => !s.setsEqual)).toEqual([]);
        expect(report.tensors.length).toBeGreaterThan(10);
        expect(report.leakedTensors).toBe(0);
        expect(report.ok).toBe(true);
        const spread = checks[name]?.other_seed_without_replay_vs_golden?.max_abs;
        if (spread !== undefined) {
          expect(report.withoutReplayMaxAbs).toBeGreaterThanOrEqual(0.4 * spread);
          expect(report.withoutReplayMaxAbs).toBeLessThanOrEqual(2.5 * spread);
        }
        const ratio = Math.max(...report.tensors.map((t) => t.maxAbs / t.allowed));
        worst.push(`${backend} ${name}: ${ratio.toExponential(2)}`);
      }, 600_000);
    }
  });
}
