import 'server-only';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { LookaheadError } from '@/lib/core/errors';

/**
 * Downloads from a Hugging Face-style hub: `<base>/<repo>/resolve/<revision>/<file>`. A HEAD
 * request without following redirects reads the metadata the hub puts on its first answer
 * (X-Repo-Commit, and for LFS files X-Linked-Etag = sha256 and X-Linked-Size); the body is then
 * fetched from the redirect target with `Range` so an interrupted download resumes from its
 * `.part` file. LOOKAHEAD_HUB_URL points it at a mirror (tests use a local imitation).
 */
export const DEFAULT_HUB_URL = 'https://huggingface.co';

export function hubBaseUrl(): string {
  return (process.env.LOOKAHEAD_HUB_URL || DEFAULT_HUB_URL).replace(/\/+$/, '');
}

export interface HubReference {
  repo: string;
  revision: string;
}

const REPO = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;
const REVISION = /^[A-Za-z0-9][A-Za-z0-9._\/-]{0,199}$/;

/** `owner/name[@revision]`, revision defaulting to main. */
export function parseHubReference(text: string): HubReference {
  const [repo, revision = 'main'] = text.split('@');
  if (!repo || !REPO.test(repo)) {
    throw new LookaheadError('hub', 'bad_input', `"${text}" is not a hub repository; use owner/name[@revision], e.g. amazon/chronos-bolt-small`);
  }
  if (!REVISION.test(revision) || revision.includes('..')) {
    throw new LookaheadError('hub', 'bad_input', `"${revision}" is not a valid revision; use a branch, tag or commit sha`);
  }
  return { repo, revision };
}

export interface DownloadProgress {
  file: string;
  receivedBytes: number;
  totalBytes: number | null;
  resumedFrom: number;
}

export interface DownloadedFile {
  file: string;
  path: string;
  bytes: number;
  sha256: string;
  /** The commit the hub resolved the revision to (X-Repo-Commit), when it said. */
  commit: string | null;
  /** True when the hub published a sha256 (LFS files) and it matched. */
  verified: boolean;
  resumedFrom: number;
}

function stripEtag(value: string | null): string | null {
  if (!value) return null;
  const cleaned = value.replace(/^W\//, '').replace(/"/g, '');
  return /^[0-9a-f]{64}$/.test(cleaned) ? cleaned : null;
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function request(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw new LookaheadError('hub', 'unsupported', `could not reach ${what} (${(error as Error).message}); check the network or LOOKAHEAD_HUB_URL`, { cause: error });
  }
}

export async function downloadHubFile({
  baseUrl = hubBaseUrl(),
  reference,
  file,
  directory,
  onProgress,
  signal,
}: {
  baseUrl?: string;
  reference: HubReference;
  file: string;
  directory: string;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}): Promise<DownloadedFile> {
  const url = `${baseUrl}/${reference.repo}/resolve/${encodeURIComponent(reference.revision)}/${file}`;
  const head = await request(url, { method: 'HEAD', redirect: 'manual', signal }, url);
  if (head.status === 401 || head.status === 403 || head.status === 404) {
    throw new LookaheadError('hub', 'not_found', `${reference.repo}@${reference.revision} has no ${file} (HTTP ${head.status} from ${url}); check the repository name and revision`);
  }
  if (head.status >= 400) throw new LookaheadError('hub', 'unsupported', `the hub answered HTTP ${head.status} for ${url}`);
  const commit = head.headers.get('x-repo-commit');
  const expectedSha = stripEtag(head.headers.get('x-linked-etag'));
  const sizeHeader = head.headers.get('x-linked-size') ?? head.headers.get('content-length');
  const totalBytes = sizeHeader ? Number(sizeHeader) : null;
  const location = head.status >= 300 && head.status < 400 && head.headers.get('location') ? new URL(head.headers.get('location')!, url).href : url;

  mkdirSync(directory, { recursive: true });
  const target = path.join(directory, file);
  if (existsSync(target) && expectedSha && (await sha256OfFile(target)) === expectedSha) {
    return { file, path: target, bytes: statSync(target).size, sha256: expectedSha, commit, verified: true, resumedFrom: statSync(target).size };
  }
  const partial = `${target}.part`;
  let offset = existsSync(partial) ? statSync(partial).size : 0;
  if (totalBytes !== null && offset > totalBytes) {
    rmSync(partial);
    offset = 0;
  }
  const resumedFrom = offset;
  const response = await request(location, { headers: offset > 0 ? { range: `bytes=${offset}-` } : {}, signal }, location);
  if (response.status === 416 && totalBytes !== null && offset === totalBytes) {
    // Already complete in the .part file.
  } else if (response.status !== 200 && response.status !== 206) {
    throw new LookaheadError('hub', 'unsupported', `downloading ${file} failed with HTTP ${response.status} from ${location}`);
  } else {
    if (response.status === 200) offset = 0; // the server ignored Range: start over
    const handle = await open(partial, offset === 0 ? 'w' : 'a');
    let received = offset;
    try {
      const reader = response.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await handle.write(value);
        received += value.byteLength;
        onProgress?.({ file, receivedBytes: received, totalBytes, resumedFrom });
      }
    } catch (error) {
      throw new LookaheadError('hub', 'unsupported', `the download of ${file} was interrupted at ${received} bytes (${(error as Error).message}); run the same command again to resume`, { cause: error });
    } finally {
      await handle.close();
    }
  }
  const bytes = statSync(partial).size;
  if (totalBytes !== null && bytes !== totalBytes) {
    throw new LookaheadError('hub', 'unsupported', `${file}: received ${bytes} of ${totalBytes} bytes; run the same command again to resume`);
  }
  const sha256 = await sha256OfFile(partial);
  if (expectedSha && sha256 !== expectedSha) {
    rmSync(partial);
    throw new LookaheadError('hub', 'bad_input', `${file}: sha256 ${sha256} does not match the hub's ${expectedSha}; the partial file was deleted, run the command again`);
  }
  renameSync(partial, target);
  return { file, path: target, bytes, sha256, commit, verified: expectedSha !== null, resumedFrom };
}

/** A one-line terminal progress bar. */
export function formatProgress(progress: DownloadProgress, startedMs: number): string {
  const width = 30;
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  const elapsed = Math.max(1e-3, (performance.now() - startedMs) / 1000);
  const rate = (progress.receivedBytes - progress.resumedFrom) / elapsed;
  if (progress.totalBytes === null) return `${progress.file} ${mb(progress.receivedBytes)} MB ${mb(rate)} MB/s`;
  const fraction = Math.min(1, progress.receivedBytes / Math.max(1, progress.totalBytes));
  const filled = Math.round(fraction * width);
  return `${progress.file} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${mb(progress.receivedBytes)}/${mb(progress.totalBytes)} MB ${mb(rate)} MB/s`;
}
