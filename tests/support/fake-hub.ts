import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * FAKE (labelled as such): a local HTTP server laid out like the Hugging Face hub, because this
 * machine has no internet. It answers what the real hub answers on the paths Lookahead uses:
 * HEAD/GET `/<repo>/resolve/<revision>/<file>` with X-Repo-Commit; LFS files (*.safetensors)
 * get X-Linked-Etag (sha256) and X-Linked-Size and a 302 to a CDN path that honours Range.
 * `cutAfterBytes` drops the connection mid-body on the first GET of a file, to test resuming.
 *
 * Like the real hub it answers browsers with CORS headers (and preflights), and lists a revision at
 * `GET /api/models/<repo>/revision/<revision>?blobs=true` (commit sha; per file size, git blob id and
 * LFS sha256). Test switches: `corrupt` repos serve LFS bytes that differ from the published sha256;
 * offline mode drops every hub connection (as an unreachable host would); `requests` logs each
 * request; a throttle (bytes per second, 0 = loopback speed) slows LFS bodies so a test can act
 * mid-download. Tests in another process drive these over HTTP: GET /__fake/requests, POST
 * /__fake/offline?on=1|0, POST /__fake/throttle?bytesPerSecond=N, POST /__fake/reset.
 */
export interface FakeHubRepo {
  commit: string;
  files: Record<string, Uint8Array>;
}

export interface FakeHubRequest {
  method: string;
  path: string;
  range: string | null;
}

export interface FakeHub {
  url: string;
  /** Range headers the CDN path received, in order. */
  rangeRequests: (string | null)[];
  /** Every hub request (not the /__fake control paths), in order. */
  requests: FakeHubRequest[];
  setOffline(offline: boolean): void;
  /** Serve LFS (CDN) bodies at about this many bytes per second; 0 for loopback speed. */
  setThrottle(bytesPerSecond: number): void;
  close(): Promise<void>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'x-repo-commit, x-linked-etag, x-linked-size, content-range, content-length, accept-ranges, etag',
};

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function gitBlobId(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

export async function startFakeHub(
  repos: Record<string, FakeHubRepo>,
  options: { cutAfterBytes?: Record<string, number>; corrupt?: readonly string[] } = {},
): Promise<FakeHub> {
  const rangeRequests: (string | null)[] = [];
  const requests: FakeHubRequest[] = [];
  let offline = false;
  let throttle = 0;
  const cut = new Map(Object.entries(options.cutAfterBytes ?? {}));
  const blobs = new Map<string, Uint8Array>();
  for (const [name, repo] of Object.entries(repos)) {
    for (const bytes of Object.values(repo.files)) {
      const served = options.corrupt?.includes(name) ? Uint8Array.from(bytes, (byte, i) => (i === bytes.length - 1 ? byte ^ 0xff : byte)) : bytes;
      blobs.set(sha256Hex(bytes), served);
    }
  }
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url!, 'http://hub');
    if (url.pathname.startsWith('/__fake/')) {
      response.setHeader('content-type', 'application/json');
      if (url.pathname === '/__fake/requests') return response.end(JSON.stringify(requests));
      if (url.pathname === '/__fake/offline') offline = url.searchParams.get('on') === '1';
      if (url.pathname === '/__fake/throttle') throttle = Number(url.searchParams.get('bytesPerSecond') ?? 0) || 0;
      if (url.pathname === '/__fake/reset') requests.length = 0;
      return response.end('{}');
    }
    if (offline) return request.socket.destroy();
    requests.push({ method: request.method!, path: url.pathname + url.search, range: request.headers.range ?? null });
    for (const [key, value] of Object.entries(CORS)) response.setHeader(key, value);
    if (request.method === 'OPTIONS') {
      return response.writeHead(204, { 'access-control-allow-methods': 'GET, HEAD', 'access-control-allow-headers': 'range', 'access-control-max-age': '600' }).end();
    }
    const listing = url.pathname.match(/^\/api\/models\/(.+?\/.+?)\/revision\/([^/]+)$/);
    if (listing) {
      const repo = repos[listing[1]!];
      const revision = decodeURIComponent(listing[2]!);
      if (!repo || (revision !== 'main' && revision !== repo.commit)) return response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Repository not found"}');
      const siblings = Object.entries(repo.files).map(([rfilename, bytes]) =>
        rfilename.endsWith('.safetensors')
          ? { rfilename, size: bytes.length, blobId: gitBlobId(new TextEncoder().encode(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256Hex(bytes)}\nsize ${bytes.length}\n`)), lfs: { sha256: sha256Hex(bytes), size: bytes.length, pointerSize: 134 } }
          : { rfilename, size: bytes.length, blobId: gitBlobId(bytes) },
      );
      return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: listing[1], sha: repo.commit, siblings }));
    }
    const cdn = url.pathname.match(/^\/cdn\/([0-9a-f]{64})\/(.+)$/);
    if (cdn) {
      const bytes = blobs.get(cdn[1]!);
      if (!bytes) return response.writeHead(404).end();
      const range = request.headers.range ?? null;
      rangeRequests.push(range);
      let start = 0;
      if (range) {
        const match = range.match(/^bytes=(\d+)-$/);
        start = match ? Number(match[1]) : 0;
        if (start >= bytes.length) return response.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
      }
      const body = bytes.subarray(start);
      response.writeHead(range ? 206 : 200, {
        'content-length': String(body.length),
        'accept-ranges': 'bytes',
        ...(range ? { 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}),
      });
      const file = cdn[2]!;
      const limit = cut.get(file);
      if (limit !== undefined && request.method === 'GET') {
        cut.delete(file);
        response.write(body.subarray(0, limit), () => response.destroy());
        return;
      }
      if (throttle > 0 && request.method === 'GET') {
        // Ten slices a second; stops when the client goes away (a cancelled download).
        const slice = Math.max(1, Math.round(throttle / 10));
        let offset = 0;
        const next = () => {
          if (response.destroyed || response.writableEnded) return;
          if (offset >= body.length) return void response.end();
          response.write(body.subarray(offset, offset + slice));
          offset += slice;
          setTimeout(next, 100);
        };
        return next();
      }
      return response.end(request.method === 'HEAD' ? undefined : body);
    }
    const resolve = url.pathname.match(/^\/(.+?\/.+?)\/resolve\/([^/]+)\/(.+)$/);
    const repo = resolve ? repos[resolve[1]!] : undefined;
    const revision = resolve ? decodeURIComponent(resolve[2]!) : '';
    if (!resolve || !repo || (revision !== 'main' && revision !== repo.commit)) {
      return response.writeHead(404, { 'x-error-code': 'RepoNotFound' }).end();
    }
    const file = resolve[3]!;
    const bytes = repo.files[file];
    if (!bytes) return response.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end();
    if (file.endsWith('.safetensors')) {
      const sha = createHash('sha256').update(bytes).digest('hex');
      return response
        .writeHead(302, { location: `/cdn/${sha}/${file}`, 'x-repo-commit': repo.commit, 'x-linked-etag': `"${sha}"`, 'x-linked-size': String(bytes.length) })
        .end();
    }
    response.writeHead(200, { 'content-length': String(bytes.length), 'x-repo-commit': repo.commit, etag: '"not-a-sha256"' });
    response.end(request.method === 'HEAD' ? undefined : bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    rangeRequests,
    requests,
    setOffline: (value) => {
      offline = value;
    },
    setThrottle: (bytesPerSecond) => {
      throttle = bytesPerSecond;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
