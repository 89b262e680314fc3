import http from 'node:http';
import { Readable } from 'node:stream';

/**
 * A bare Node HTTP server around the data-plane route handlers (window, tables, file and upload
 * routes; BENCH_MIGRATE=1 migrates the database first),
 * for the benchmarks: run as its own process (`node --conditions=react-server --import tsx
 * bench/lib/route-server.ts`) so its memory can be read from /proc while a client pulls from
 * it, without a Next.js build. Prints "listening <port>" when ready.
 */
const windowRoute = await import('@/app/api/sources/[id]/window/route');
const tablesRoute = await import('@/app/api/sources/[id]/tables/route');
const filesRoute = await import('@/app/api/files/[...path]/route');
const uploadsRoute = await import('@/app/api/uploads/route');
if (process.env.BENCH_MIGRATE === '1') {
  const { getDatabase, migrateDatabase } = await import('@/db');
  await migrateDatabase(await getDatabase());
}

const server = http.createServer(async (incoming, outgoing) => {
  try {
    const url = new URL(incoming.url ?? '/', `http://${incoming.headers.host ?? '127.0.0.1'}`);
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers.set(name, value);
    const hasBody = incoming.method === 'POST';
    const request = new Request(url, {
      method: incoming.method,
      headers,
      ...(hasBody ? { body: Readable.toWeb(incoming) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
    } as RequestInit);
    let response: Response;
    const windowMatch = /^\/api\/sources\/([^/]+)\/window$/.exec(url.pathname);
    const tablesMatch = /^\/api\/sources\/([^/]+)\/tables$/.exec(url.pathname);
    if (url.pathname === '/api/uploads' && hasBody) {
      response = await uploadsRoute.POST(request);
    } else if (windowMatch) {
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
