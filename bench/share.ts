import { reportFromBacktest } from '@/lib/client/report';
import { parseForecastConfig } from '@/lib/config';
import { DEFAULT_QUANTILE_LEVELS } from '@/lib/core/forecast';
import { ensureBuilt } from '../scripts/app-build';
import { startAppServer } from '../tests/support/app-server';
import { compareInNode } from '../tests/support/comparison';
import { runLoad } from './lib/http-load';
import { printTable, writeResult } from './lib/report';

/**
 * `npm run bench -- share [seconds]`: the shared forecast page under 50 concurrent keep-alive
 * clients against the production build (scripts/server.mjs, embedded PGlite), plus the snapshot JSON and
 * the preview image for comparison. The snapshot is a realistic one: ETTh1 OT, context 512,
 * horizon 24, a 5-window backtest of the three baselines at nine levels. The load generator runs
 * on the same machine as the server, so both share its cores.
 *
 * Three paths side by side in one run: rendered per request (the header the cache itself uses to
 * reach Next's renderer: the path every request took before the cache), the share cache through
 * Next's router, proxy and route handler (x-lookahead-share-front: off: the path before the share
 * front), and the share front in scripts/server.mjs answering before Next (what clients get now).
 */
const CONNECTIONS = 50;
const RENDER = { 'x-lookahead-share-render': '1' };
// Past the share front to Next's route handler, which serves the same cache entry (the path before the front).
const NEXT = { 'x-lookahead-share-front': 'off' };
const seconds = Number(process.argv[3] ?? 15);
if (!(seconds > 0)) throw new Error(`bench share: duration must be a number of seconds > 0, got ${process.argv[3]}`);

ensureBuilt();
const settings = { horizon: 24, context: 512, quantileLevels: [...DEFAULT_QUANTILE_LEVELS], windows: 5, step: 24 };
const result = await compareInNode({ file: 'data/samples/ETTh1.csv', column: 'OT', settings });
const config = parseForecastConfig({ version: 1, source: 'etth1', target: 'OT', model: 'mstl', context: 512, horizon: 24, backtest: { windows: 5, step: 24 } });
const report = reportFromBacktest({ config, dataName: 'ETTh1', result });

const server = await startAppServer();
try {
  const response = await fetch(`${server.url}/api/forecasts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ snapshot: report }),
  });
  if (response.status !== 201) throw new Error(`bench share: publishing failed with HTTP ${response.status}: ${await response.text()}`);
  const share = (await response.json()) as { token: string; bytes: number; url: string };
  const ogImage = (await (await fetch(share.url)).text()).match(/property="og:image" content="([^"]+)"/)?.[1];
  if (!ogImage) throw new Error('bench share: the share page has no og:image');
  const imageUrl = ogImage.replace(/^https?:\/\/[^/]+/, server.url);
  const first = await fetch(share.url);
  const etag = first.headers.get('etag');
  if (first.status !== 200 || !etag) throw new Error(`bench share: the cached page answered HTTP ${first.status} with ETag ${etag}`);
  const targets: { name: string; url: string; headers?: Record<string, string> }[] = [
    { name: 'GET /f/<token> (page) rendered per request: before', url: share.url, headers: RENDER },
    { name: 'GET /f/<token> (page) from the share cache through Next: before the front', url: share.url, headers: NEXT },
    { name: 'GET /f/<token> (page) from the share front: after', url: share.url },
    { name: 'GET /f/<token> (page) from the share front, gzip', url: share.url, headers: { 'accept-encoding': 'gzip' } },
    { name: 'GET /f/<token> (page) If-None-Match through Next: 304', url: share.url, headers: { 'if-none-match': etag, ...NEXT } },
    { name: 'GET /f/<token> (page) If-None-Match from the share front: 304', url: share.url, headers: { 'if-none-match': etag } },
    { name: 'GET /f/<token>/opengraph-image rendered per request: before', url: imageUrl, headers: RENDER },
    { name: 'GET /f/<token>/opengraph-image from the share cache through Next: before the front', url: imageUrl, headers: NEXT },
    { name: 'GET /f/<token>/opengraph-image from the share front: after', url: imageUrl },
    { name: 'GET /api/forecasts/<token> (JSON)', url: `${server.url}/api/forecasts/${share.token}` },
    { name: 'GET /f/<unknown> (404)', url: `${server.url}/f/${'x'.repeat(24)}` },
  ];
  const results = [];
  for (const target of targets) {
    const load = await runLoad({ url: target.url, headers: target.headers, connections: CONNECTIONS, durationMs: seconds * 1000 });
    results.push({ target: target.name, ...load });
  }
  const table = {
    columns: ['target', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'requests', 'errors', 'statuses', 'KiB/resp'],
    rows: results.map((row) => [
      row.target,
      row.requestsPerSecond,
      row.latencyMs.p50,
      row.latencyMs.p90,
      row.latencyMs.p99,
      row.latencyMs.max,
      row.requests,
      row.errors,
      Object.entries(row.statuses)
        .map(([status, count]) => `${status}:${count}`)
        .join(' '),
      (row.bytesPerRequest / 1024).toFixed(1),
    ]),
  };
  console.log(`\nshare page: ${CONNECTIONS} keep-alive connections, ${seconds} s per target after 2 s warm-up; snapshot ${(share.bytes / 1024).toFixed(1)} KiB\n`);
  printTable(table);
  const file = writeResult('share', {
    description:
      'Shared forecast page (scripts/server.mjs: Next plus the share front, PGlite) under 50 concurrent keep-alive clients; load generator on the same machine. "rendered per request" rows send x-lookahead-share-render, which bypasses the share cache to the per-request renderer (the path every request took before the cache); "through Next" rows send x-lookahead-share-front: off, which passes the share front to Next\'s route handler serving the same cache entry (the path before the front); the rest are answered by the share front before Next',
    connections: CONNECTIONS,
    secondsPerTarget: seconds,
    snapshotBytes: share.bytes,
    results,
  });
  console.log(`\nwrote ${file}`);
} finally {
  await server.stop();
}
