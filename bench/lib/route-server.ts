import http from 'node:http';
import { Readable } from 'node:stream';

/**
 * A bare Node HTTP server around the data-plane route handlers (window, tables and file routes),
 * for the benchmarks: run as its own process (`node --conditions=react-server --import tsx
 * bench/lib/route-server.ts`) so its memory can be read from /proc while a client pulls from
 * it, without a Next.js build. Prints "listening <port>" when ready.
 */
const windowRoute = await import('@/app/api/sources/[id]/window/route');
const tablesRoute = await import('@/app/api/sources/[id]/tables/route');
const filesRoute = await import('@/app/api/files/[...path]/route');

const server = http.createServer(async (incoming, outgoing) => {
  try {
    const url = new URL(incoming.url ?? '/', `http://${incoming.headers.host ?? '127.0.0.1'}`);
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers.set(name, value);
    const request = new Request(url, { method: incoming.method, headers });
    let response: Response;
    const windowMatch = /^\/api\/sources\/([^/]+)\/window$/.exec(url.pathname);
    const tablesMatch = /^\/api\/sources\/([^/]+)\/tables$/.exec(url.pathname);
    if (windowMatch) {
      response = await windowRoute.GET(request, { params: Promise.resolve({ id: decodeURIComponent(windowMatch[1]!) }) });
    } else if (tablesMatch) {
      response = await tablesRoute.GET(request, { params: Promise.resolve({ id: decodeURIComponent(tablesMatch[1]!) }) });
    } else if (url.pathname.startsWith('/api/files/')) {
      const segments = url.pathname.slice('/api/files/'.length).split('/').map(decodeURIComponent);
      const handler = incoming.method === 'HEAD' ? filesRoute.HEAD : filesRoute.GET;
      response = await handler(request, { params: Promise.resolve({ path: segments }) });
    } else {
      response = new Response('not found', { status: 404 });
    }
    outgoing.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) {
      outgoing.end();
      return;
    }
    const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
    // A client that goes away cancels the route's stream, as Next.js does.
    outgoing.on('close', () => body.destroy());
    body.pipe(outgoing);
  } catch (error) {
    outgoing.writeHead(500);
    outgoing.end(String(error));
  }
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
