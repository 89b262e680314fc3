import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/**
 * A static file server for browser harnesses: URL prefixes mapped to folders, served with the
 * cross-origin isolation headers (COOP/COEP) that give the page SharedArrayBuffer, so
 * onnxruntime-web can run WASM threads. GET and HEAD only; nothing outside the mapped folders.
 */

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** URL prefix ('/ort/') -> folder on disk. The longest matching prefix wins. */
export type StaticRoutes = Record<string, string>;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.map': 'application/json; charset=utf-8',
};

const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

function resolveFile(routes: StaticRoutes, pathname: string): string | null {
  const prefix = Object.keys(routes)
    .filter((candidate) => pathname.startsWith(candidate))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix === undefined) return null;
  const root = path.resolve(routes[prefix]!);
  const relative = decodeURIComponent(pathname.slice(prefix.length)) || 'index.html';
  const file = path.resolve(root, relative);
  // No escaping the mapped folder with '..'.
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

export async function startStaticServer(routes: StaticRoutes): Promise<StaticServer> {
  for (const prefix of Object.keys(routes)) {
    if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw new Error(`static server: route prefix must start and end with '/', got ${JSON.stringify(prefix)}`);
  }
  const server: Server = createServer((request, response) => {
    void (async () => {
      const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
      const file = resolveFile(routes, pathname);
      const size = file === null ? null : await stat(file).then((info) => (info.isFile() ? info.size : null), () => null);
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD', ...ISOLATION_HEADERS }).end();
      } else if (file === null || size === null) {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...ISOLATION_HEADERS }).end(`static server: no file for ${pathname}`);
      } else {
        response.writeHead(200, {
          'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
          'content-length': size,
          ...ISOLATION_HEADERS,
        });
        if (request.method === 'HEAD') response.end();
        else createReadStream(file).on('error', (error) => response.destroy(error)).pipe(response);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
