import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';

/**
 * The home page's first load: the JavaScript it ships and how soon it can forecast.
 *
 * - Shipped: every script the HTML names (<script src>, and <link rel=preload|modulepreload> of
 *   scripts), fetched and gzipped here (level 6, as `next start` compresses), so the number does
 *   not depend on the server's own compression.
 * - Loaded: every script response the browser received until the page was ready, page and worker
 *   together, by encoded (wire) size, in a fresh browser context (empty cache) each run.
 * - Ready: navigation start to the device line saying "Device:" (hydrated, and the forecast worker
 *   has answered its probe, so Forecast works). Also first contentful paint, DOMContentLoaded and
 *   the end of the last long task (> 50 ms) before ready: TTI's usual lower bound.
 */
export interface ShippedScripts {
  count: number;
  rawBytes: number;
  gzipBytes: number;
  scripts: { url: string; rawBytes: number; gzipBytes: number }[];
}

export interface FirstLoadRun {
  readyMs: number;
  fcpMs: number;
  domContentLoadedMs: number;
  lastLongTaskEndMs: number;
  longTasks: number;
  scriptsLoaded: number;
  scriptBytesLoaded: number;
}

export async function shippedScripts(url: string): Promise<ShippedScripts> {
  const html = await (await fetch(url)).text();
  const found = new Set<string>();
  for (const match of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) found.add(match[1]!);
  for (const match of html.matchAll(/<link\b[^>]*>/g)) {
    const tag = match[0];
    if (/\bas="script"/.test(tag) || /\brel="modulepreload"/.test(tag)) {
      const href = tag.match(/\bhref="([^"]+)"/)?.[1];
      if (href) found.add(href);
    }
  }
  const scripts = await Promise.all(
    [...found].map(async (src) => {
      const body = new Uint8Array(await (await fetch(new URL(src.replaceAll('&amp;', '&'), url))).arrayBuffer());
      return { url: src, rawBytes: body.byteLength, gzipBytes: gzipSync(body, { level: 6 }).byteLength };
    }),
  );
  return {
    count: scripts.length,
    rawBytes: scripts.reduce((sum, script) => sum + script.rawBytes, 0),
    gzipBytes: scripts.reduce((sum, script) => sum + script.gzipBytes, 0),
    scripts: scripts.sort((a, b) => b.gzipBytes - a.gzipBytes),
  };
}

export async function firstLoadRun(browser: Browser, url: string): Promise<FirstLoadRun> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.addInitScript(() => {
      const holder = window as unknown as { __longTasks: { start: number; end: number }[] };
      holder.__longTasks = [];
      try {
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) holder.__longTasks.push({ start: entry.startTime, end: entry.startTime + entry.duration });
        }).observe({ type: 'longtask', buffered: true });
      } catch {
        // No long-task timing in this browser: the lower bound is then DOMContentLoaded.
      }
    });
    // Scripts received until the page was ready; lazy chunks fetched later (e.g. the result view,
    // prefetched once the worker answers) are not part of the first load, and their sizes may be
    // asked for after the context closes, so they are ignored rather than left to reject.
    const scripts: Promise<number>[] = [];
    let counting = true;
    page.on('requestfinished', (request) => {
      if (!counting) return;
      if (request.resourceType() === 'script' || /\.m?js(\?|$)/.test(request.url())) scripts.push(request.sizes().then((sizes) => sizes.responseBodySize, () => 0));
    });
    await page.goto(url);
    await page.locator('[data-testid=device]').filter({ hasText: 'Device:' }).waitFor({ timeout: 120_000 });
    const readyMs = await page.evaluate(() => performance.now());
    counting = false;
    const timings = await page.evaluate((ready) => {
      const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN;
      const tasks = (window as unknown as { __longTasks: { start: number; end: number }[] }).__longTasks.filter((task) => task.start <= ready);
      return {
        fcpMs: fcp,
        domContentLoadedMs: navigation?.domContentLoadedEventEnd ?? Number.NaN,
        lastLongTaskEndMs: tasks.reduce((latest, task) => Math.max(latest, task.end), 0),
        longTasks: tasks.length,
      };
    }, readyMs);
    const sizes = await Promise.all(scripts);
    return {
      readyMs: Math.round(readyMs),
      fcpMs: Math.round(timings.fcpMs),
      domContentLoadedMs: Math.round(timings.domContentLoadedMs),
      lastLongTaskEndMs: Math.round(Math.max(timings.lastLongTaskEndMs, timings.domContentLoadedMs)),
      longTasks: timings.longTasks,
      scriptsLoaded: sizes.length,
      scriptBytesLoaded: sizes.reduce((sum, size) => sum + size, 0),
    };
  } finally {
    await context.close();
  }
}
