// The production server: Next.js's own request handler (the same one `next start` uses) behind a
// plain Node http server that first offers each GET /f/... to the share front
// (lib/server/share-cache/front.ts, registered by instrumentation.ts), which answers cached share
// pages and preview images from memory; everything else, and anything the front declines, goes
// to Next unchanged. Plain JavaScript run by node, like Next's own bin: Next loads its server
// bundles itself.
//
//   node scripts/server.mjs --port 3000 --host 127.0.0.1
//
// scripts/start.ts (npm start) and tests/support/app-server.ts start it.
import http from 'node:http';
import process from 'node:process';

const option = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
};
const port = Number(option('port', process.env.PORT ?? '3000'));
const host = option('host', process.env.HOST ?? '127.0.0.1');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`lookahead server: --port must be a whole number from 0 to 65535, got "${option('port')}"`);
  process.exit(1);
}
const started = Date.now();
process.env.NODE_ENV = 'production';
const { default: next } = await import('next');
const FRONT = Symbol.for('lookahead.share-front');

const app = next({ dev: false, dir: process.cwd(), hostname: host, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((request, response) => {
  if (request.method === 'GET' && request.url?.startsWith('/f/')) {
    const front = globalThis[FRONT];
    let answer = null;
    try {
      answer = front ? front(request) : null;
    } catch (error) {
      // The front is an optimisation: on any fault Next answers the request as it always can.
      console.error('lookahead server: the share front failed; Next answers instead:', error);
    }
    if (answer) {
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body ?? undefined);
      return;
    }
  }
  handle(request, response).catch((error) => {
    console.error(`lookahead server: failed to handle ${request.url}:`, error);
    if (!response.headersSent) response.writeHead(500);
    response.end('Internal Server Error');
  });
});

let closing = false;
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    // Stop accepting, let requests in flight finish, then let Next clean up (as `next start` does).
    server.close(() => {
      app.close().catch(console.error).finally(() => process.exit(code));
    });
    server.closeIdleConnections();
  });
}

server.on('error', (error) => {
  console.error(error.code === 'EADDRINUSE'
    ? `lookahead server: port ${port} on ${host} is in use by another process; stop it or choose another with PORT=<port>`
    : `lookahead server: could not listen on ${host}:${port}: ${error.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  process.env.PORT = String(actual);
  console.log(`lookahead server: Ready on http://${host}:${actual} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
