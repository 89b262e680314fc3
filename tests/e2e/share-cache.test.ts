import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { reportFromBacktest } from '@/lib/client/report';
import { parseForecastConfig } from '@/lib/config';
import type { ForecastReport } from '@/lib/report';
import { launchChromium } from '../support/chromium';
import { compareInNode } from '../support/comparison';

/**
 * /f/<token> and its preview image from the share cache (lib/server/share-cache): rendered once,
 * then the same bytes with an ETag; deletion and expiry answer the page's own 404 at once.
 */
const appUrl = inject('appUrl');
let report: ForecastReport;
let browser: Browser;

beforeAll(async () => {
  const settings = { horizon: 12, context: 48, quantileLevels: [0.1, 0.5, 0.9], windows: 2, step: 12 };
  const result = await compareInNode({ file: 'data/samples/AirPassengers.csv', column: '#Passengers', settings, modelIds: ['seasonal-naive', 'auto-ets'] });
  const config = parseForecastConfig({ version: 1, source: 'air-passengers', target: '#Passengers', model: 'auto-ets', context: 48, horizon: 12, quantileLevels: [0.1, 0.5, 0.9], backtest: { windows: 2, step: 12 } });
  report = reportFromBacktest({ config, dataName: 'AirPassengers', result });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

async function publish(expiresInDays: number | null = null): Promise<{ token: string; url: string; deleteSecret: string; expiresAt: string | null }> {
  const response = await fetch(`${appUrl}/api/forecasts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ snapshot: report, expiresInDays }),
  });
  expect(response.status).toBe(201);
  return response.json();
}

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers: { 'accept-encoding': 'identity', ...headers } });

async function confirmedThroughNext(url: string): Promise<Response> {
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  return get(url, { 'x-lookahead-share-front': 'off' });
}

async function imageUrl(pageUrl: string): Promise<string> {
  const html = await (await get(pageUrl)).text();
  const image = /property="og:image" content="([^"]+)"/.exec(html)?.[1];
  expect(image).toBeDefined();
  return image!.replace(/^https?:\/\/[^/]+/, appUrl).replaceAll('&amp;', '&');
}

describe('share pages from the cache', () => {
  it('renders a page once, then serves the same bytes with an ETag, a 304 on If-None-Match, the same document to gzip clients; the preview image likewise', async () => {
    const share = await publish();
    const url = `${appUrl}/f/${share.token}`;
    const first = await get(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-lookahead-share-cache')).toBe('miss');
    expect(first.headers.get('content-type')).toMatch(/^text\/html/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    expect(first.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const html = await first.text();
    // Server-rendered: the snapshot's numbers are in the HTML, readable with JavaScript off.
    expect(html).toContain('data-testid="shared-forecast"');
    expect(html).toContain(report.title.replaceAll('&', '&amp;'));

    // From the cache: the share front before Next (scripts/server.mjs), or Next's route handler
    // when the entry's liveness is due for a recheck.
    const second = await get(url);
    expect(second.headers.get('x-lookahead-share-cache')).toMatch(/^(hit|front)$/);
    expect(second.headers.get('etag')).toBe(etag);
    expect(await second.text()).toBe(html);

    const revalidated = await get(url, { 'if-none-match': etag! });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');

    // Browsers ask for gzip: the same document comes back.
    const zipped = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers.get('etag')).toBe(etag);
    expect(await zipped.text()).toBe(html);

    const image = await imageUrl(url);
    const png = await get(image);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await png.arrayBuffer());
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    const again = await get(image);
    expect(again.headers.get('x-lookahead-share-cache')).toMatch(/^(hit|front)$/);
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
    expect(again.headers.get('etag')).toBe(png.headers.get('etag'));
  });

  it('the share front answers a fresh hit before Next with the bytes and headers of Next\'s route handler, gzip and 304 included', async () => {
    const share = await publish();
    const url = `${appUrl}/f/${share.token}`;
    const image = await imageUrl(url); // renders the page (miss)
    expect((await get(image)).status).toBe(200); // renders the image (miss)
    const paths = [url, image];
    for (const path of paths) {
      // Through Next (x-lookahead-share-front: off) once the entry's liveness is due (1 s): the
      // route handler rechecks it, so the front answers the requests in the second after it.
      const viaNext = await confirmedThroughNext(path);
      const viaFront = await get(path);
      expect(viaNext.headers.get('x-lookahead-share-cache')).toBe('hit');
      expect(viaFront.headers.get('x-lookahead-share-cache')).toBe('front');
      expect(viaFront.status).toBe(200);
      expect(Buffer.from(await viaFront.arrayBuffer()).equals(Buffer.from(await viaNext.arrayBuffer()))).toBe(true);
      const comparable = (response: Response) => {
        const headers = Object.fromEntries(response.headers);
        for (const name of ['date', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'x-lookahead-share-cache', 'vary']) delete headers[name];
        return headers;
      };
      expect(comparable(viaFront)).toEqual(comparable(viaNext));
      // Next's Vary, and Accept-Encoding where the front gzips (the page, not the PNG).
      expect(viaFront.headers.get('vary')).toBe(path === url ? `${viaNext.headers.get('vary')}, Accept-Encoding` : viaNext.headers.get('vary'));
      const revalidated = await get(path, { 'if-none-match': viaNext.headers.get('etag')! });
      expect(revalidated.status).toBe(304);
      expect(revalidated.headers.get('x-lookahead-share-cache')).toMatch(/^(hit|front)$/);
    }
    // gzip on the wire, the same document decoded (node's fetch decodes it).
    await confirmedThroughNext(url);
    const zipped = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers.get('x-lookahead-share-cache')).toBe('front');
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(Number(zipped.headers.get('content-length'))).toBeLessThan((await (await get(url)).arrayBuffer()).byteLength / 2);
    expect(await zipped.text()).toBe(await (await get(url, { 'x-lookahead-share-front': 'off' })).text());
    // A client navigation inside the app (Next's RSC request) still goes to Next.
    const rsc = await get(url, { rsc: '1' });
    expect(rsc.headers.get('x-lookahead-share-cache')).toBeNull();
  });

  it('with JavaScript off the cached page shows the forecast table and the comparison', async () => {
    const share = await publish();
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      for (let visit = 0; visit < 2; visit++) {
        const response = await page.goto(`${appUrl}/f/${share.token}`);
        expect(response!.status()).toBe(200);
        expect(await page.locator('[data-testid=shared-forecast] h2').textContent()).toBe(report.title);
        expect(await page.locator('[data-testid=forecast-chart] svg path.median').count()).toBe(1);
        expect(await page.locator('section[aria-label="Forecast values"] tbody tr').count()).toBe(report.config.horizon);
      }
    } finally {
      await context.close();
    }
  });

  it('deleting a cached link answers the same 404 as a token that never existed, at once, for the page and the image', async () => {
    const share = await publish();
    const url = `${appUrl}/f/${share.token}`;
    const image = await imageUrl(url);
    expect((await get(url)).headers.get('x-lookahead-share-cache')).toMatch(/^(hit|front)$/);
    expect((await get(image)).status).toBe(200);
    const deleted = await fetch(`${appUrl}/api/forecasts/${share.token}`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deleteSecret: share.deleteSecret }),
    });
    expect(deleted.status).toBe(204);
    const gone = await get(url);
    expect(gone.status).toBe(404);
    expect(gone.headers.get('cache-control')).toBe('no-store');
    expect(gone.headers.get('etag')).toBeNull();
    // Each 404 is rendered for its request, so its CSP nonce (in the header and the document) is its own.
    const withoutNonce = (response: Response, html: string) => {
      const nonce = /'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1];
      expect(nonce, 'the 404 carries a CSP nonce').toBeDefined();
      expect(html, 'the document uses the nonce of its CSP header').toContain(`nonce="${nonce}"`);
      return html.replaceAll(nonce!, 'NONCE');
    };
    const goneHtml = withoutNonce(gone, await gone.text());
    expect(goneHtml).toContain('share-not-found');
    expect(goneHtml).not.toContain('data-testid="shared-forecast"');
    const unknown = await get(`${appUrl}/f/${'A'.repeat(24)}`);
    expect(unknown.status).toBe(404);
    // The same page: only the token in the path (part of Next's router state) may differ.
    expect(withoutNonce(unknown, await unknown.text()).replaceAll('A'.repeat(24), share.token)).toBe(goneHtml);
    expect((await get(image)).status).toBe(404);
    expect((await get(url, { 'if-none-match': '"anything"' })).status).toBe(404);
  });

  it('an expiring link is served from the cache until its expiry, then the same 404', async () => {
    const share = await publish(4 / 86_400);
    const url = `${appUrl}/f/${share.token}`;
    expect((await get(url)).status).toBe(200);
    const hit = await get(url);
    expect(hit.status).toBe(200);
    expect(hit.headers.get('x-lookahead-share-cache')).toMatch(/^(hit|front)$/);
    // max-age never outlives the link (0 by default anyway).
    expect(hit.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    const waitMs = new Date(share.expiresAt!).getTime() - Date.now() + 200;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs)));
    const expired = await get(url);
    expect(expired.status).toBe(404);
    expect(await expired.text()).toContain('share-not-found');
  });
});
