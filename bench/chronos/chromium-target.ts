import type { Browser, BrowserContext, CDPSession } from 'playwright-core';
import { openChronosPage, type ChronosHarnessServer, type ChronosPage } from '@/tests/browser/chronos-page';
import { launchChromium } from '@/tests/support/chromium';
import type { BenchModel, CellRequest, RuntimeTarget } from './target';

/**
 * onnxruntime-web WASM in headless Chromium: the test harness page (tests/browser), cross-origin
 * isolated so WASM threads are possible, one browser context per model. The renderer's pid (for
 * /proc) is the renderer that burned the CPU time of loading the model: Chromium keeps spare
 * renderers around, so "the new renderer" is ambiguous.
 */

/** Headless Chromium as the tests launch it, without WebGPU, plus eager measureUserAgentSpecificMemory (else it waits for a GC, up to a minute). */
export function launchBenchChromium(): Promise<Browser> {
  return launchChromium({ webgpu: false, extraArgs: ['--enable-blink-features=ForceEagerMeasureMemory'] });
}

async function rendererCpuSeconds(cdp: CDPSession): Promise<Map<number, number>> {
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number; cpuTime: number }[] };
  return new Map(processInfo.filter((info) => info.type === 'renderer').map((info) => [info.id, info.cpuTime]));
}

export function chromiumTarget(browser: Browser, server: ChronosHarnessServer, threads: number): RuntimeTarget {
  let context: BrowserContext | null = null;
  let page: ChronosPage | null = null;
  let handle = 0;
  let rendererPid = 0;
  let cdp: CDPSession | null = null;

  const current = (): ChronosPage => {
    if (page === null) throw new Error('bench: no Chromium page loaded');
    return page;
  };

  return {
    runtime: 'onnxruntime-web-chromium',
    get pid() {
      if (rendererPid === 0) throw new Error('bench: no Chromium renderer loaded');
      return rendererPid;
    },
    async load(model: BenchModel) {
      cdp ??= await browser.newBrowserCDPSession();
      context = await browser.newContext();
      page = await openChronosPage(context, server);
      const before = await rendererCpuSeconds(cdp);
      const loaded = await page.load({
        modelUrl: server.modelPath(model.size, 'model.onnx'),
        manifestUrl: server.modelPath(model.size, 'manifest.json'),
        executionProviders: ['wasm'],
        numThreads: threads,
      });
      const after = await rendererCpuSeconds(cdp);
      const busiest = [...after].sort(([pidA, cpuA], [pidB, cpuB]) => cpuB - (before.get(pidB) ?? 0) - (cpuA - (before.get(pidA) ?? 0)))[0];
      if (busiest === undefined) throw new Error('bench: Chromium reports no renderer process');
      rendererPid = busiest[0];
      handle = loaded.handle;
      if (!loaded.crossOriginIsolated) throw new Error('bench: the harness page is not cross-origin isolated; WASM threads would be off');
      return { loadMs: loaded.loadMs, detail: `${loaded.executionProvider}, ${loaded.numThreads} thread(s), renderer pid ${rendererPid}` };
    },
    time: (request: CellRequest) => current().call(handle, { kind: 'time', ...request }),
    reportedMemoryBytes: () => current().measureMemory(),
    async unload() {
      await context?.close();
      context = null;
      page = null;
      rendererPid = 0;
    },
  };
}
