import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * FAKE (labelled as such): a local HTTP server laid out like the Hugging Face hub, because this
 * machine has no internet. It answers what the real hub answers on the paths Lookahead uses:
 * HEAD/GET `/<repo>/resolve/<revision>/<file>` with X-Repo-Commit; LFS files (*.safetensors)
 * get X-Linked-Etag (sha256) and X-Linked-Size and a 302 to a CDN path that honours Range.
 * `cutAfterBytes` drops the connection mid-body on the first GET of a file, to test resuming.
 */
export interface FakeHubRepo {
  commit: string;
  files: Record<string, Uint8Array>;
}

export interface FakeHub {
  url: string;
  /** Range headers the CDN path received, in order. */
  rangeRequests: (string | null)[];
  close(): Promise<void>;
}

export async function startFakeHub(repos: Record<string, FakeHubRepo>, options: { cutAfterBytes?: Record<string, number> } = {}): Promise<FakeHub> {
  const rangeRequests: (string | null)[] = [];
  const cut = new Map(Object.entries(options.cutAfterBytes ?? {}));
  const blobs = new Map<string, Uint8Array>();
  for (const repo of Object.values(repos)) {
    for (const bytes of Object.values(repo.files)) blobs.set(createHash('sha256').update(bytes).digest('hex'), bytes);
  }
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url!, 'http://hub');
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
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
