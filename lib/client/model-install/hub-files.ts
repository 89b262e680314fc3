import { LookaheadError } from '@/lib/core/errors';

/**
 * Reading a Hugging Face-style hub from the browser (the hub answers with CORS headers). The
 * metadata comes from `GET <hub>/api/models/<repo>/revision/<revision>?blobs=true`: the commit the
 * revision resolves to and, per file, its size, git blob id and (LFS files) sha256. Files come from
 * `<hub>/<repo>/resolve/<commit>/<file>` (the hub redirects LFS files to its CDN), streamed into one
 * buffer of the announced size; a dropped connection resumes with `Range: bytes=<received>-`.
 */
export interface HubFileInfo {
  name: string;
  bytes: number;
  /** git blob sha1 of the file (every file has one). */
  blobId: string | null;
  /** sha256 of the content, published for LFS files (model.safetensors). */
  sha256: string | null;
}

export interface HubRevision {
  repo: string;
  /** The commit the revision resolved to: an immutable name for the cache. */
  commit: string;
  files: Map<string, HubFileInfo>;
}

export interface DownloadProgress {
  file: string;
  receivedBytes: number;
  totalBytes: number;
  /** Bytes already held when the last request started (a resumed download > 0). */
  resumedFrom: number;
}

const FETCH_ATTEMPTS = 4;

function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (error instanceof Error && error.name === 'AbortError');
}

function cancelled(): LookaheadError {
  return new LookaheadError('model-install', 'cancelled', 'cancelled');
}

export function unreachable(hubUrl: string, what: string, error: unknown): LookaheadError {
  return new LookaheadError(
    'hub',
    'unsupported',
    `could not reach the model hub at ${hubUrl} to download ${what} (${(error as Error).message || String(error)}); check this computer's network connection (the server sets the hub with LOOKAHEAD_HUB_URL), then try again. The statistical models work offline.`,
    { cause: error },
  );
}

async function hubFetch(url: string, init: RequestInit, hubUrl: string, what: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (isAbort(error, init.signal ?? undefined)) throw cancelled();
    throw unreachable(hubUrl, what, error);
  }
}

function httpError(status: number, url: string, what: string): LookaheadError {
  if (status === 401 || status === 403 || status === 404) {
    return new LookaheadError('hub', 'not_found', `${what}: the hub answered HTTP ${status} for ${url}; the repository, revision or file does not exist (or is gated): check the model name`);
  }
  return new LookaheadError('hub', 'unsupported', `${what}: the hub answered HTTP ${status} for ${url}; the hub may be down, try again later`);
}

/** The revision's commit and file metadata. */
export async function fetchHubRevision({ hubUrl, repo, revision = 'main', signal }: { hubUrl: string; repo: string; revision?: string; signal?: AbortSignal }): Promise<HubRevision> {
  const url = `${hubUrl}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
  const response = await hubFetch(url, { signal }, hubUrl, `${repo} (its file list)`);
  if (!response.ok) throw httpError(response.status, url, `${repo}@${revision}`);
  let body: { sha?: unknown; siblings?: unknown };
  try {
    body = (await response.json()) as typeof body;
  } catch (error) {
    throw new LookaheadError('hub', 'unsupported', `${url} did not answer JSON; is LOOKAHEAD_HUB_URL a Hugging Face hub?`, { cause: error });
  }
  if (typeof body.sha !== 'string' || !Array.isArray(body.siblings)) {
    throw new LookaheadError('hub', 'unsupported', `${url} has no commit sha or file list; is LOOKAHEAD_HUB_URL a Hugging Face hub?`);
  }
  const files = new Map<string, HubFileInfo>();
  for (const sibling of body.siblings as { rfilename?: string; size?: number; blobId?: string; lfs?: { sha256?: string; size?: number } }[]) {
    if (typeof sibling.rfilename !== 'string') continue;
    const bytes = sibling.lfs?.size ?? sibling.size;
    files.set(sibling.rfilename, {
      name: sibling.rfilename,
      bytes: typeof bytes === 'number' ? bytes : -1,
      blobId: typeof sibling.blobId === 'string' ? sibling.blobId : null,
      sha256: typeof sibling.lfs?.sha256 === 'string' ? sibling.lfs.sha256 : null,
    });
  }
  return { repo, commit: body.sha, files };
}

export function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** git's blob id: sha1("blob <length>\0" + content). */
async function gitBlobId(bytes: Uint8Array): Promise<string> {
  const prefix = new TextEncoder().encode(`blob ${bytes.byteLength}\0`);
  const joined = new Uint8Array(prefix.byteLength + bytes.byteLength);
  joined.set(prefix);
  joined.set(bytes, prefix.byteLength);
  return hex(await crypto.subtle.digest('SHA-1', joined));
}

/**
 * Downloads one file of `revision` into memory, resuming by Range after a dropped connection, and
 * verifies it: sha256 for LFS files, the git blob id otherwise. Nothing is stored.
 */
export async function downloadHubFile({
  hubUrl,
  revision,
  file,
  signal,
  onProgress,
}: {
  hubUrl: string;
  revision: HubRevision;
  file: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
}): Promise<{ bytes: Uint8Array; sha256: string; resumes: number }> {
  const info = revision.files.get(file);
  const what = `${file} of ${revision.repo}`;
  if (!info) throw new LookaheadError('hub', 'not_found', `${revision.repo}@${revision.commit} has no ${file} (files: ${[...revision.files.keys()].join(', ') || 'none'}); is it a Chronos-Bolt checkpoint?`);
  if (info.bytes < 0) throw new LookaheadError('hub', 'unsupported', `the hub did not say how big ${what} is`);
  const url = `${hubUrl}/${revision.repo}/resolve/${revision.commit}/${file}`;
  const bytes = new Uint8Array(info.bytes);
  let received = 0;
  let resumes = 0;
  let lastError: unknown = null;
  for (let attempt = 0; attempt < FETCH_ATTEMPTS && received < info.bytes; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    signal?.throwIfAborted();
    const resumedFrom = received;
    let response: Response;
    try {
      response = await fetch(url, { signal, headers: received > 0 ? { range: `bytes=${received}-` } : {} });
    } catch (error) {
      if (isAbort(error, signal)) throw cancelled();
      lastError = error;
      continue;
    }
    if (response.status === 200) received = 0; // the server ignored Range: start over
    else if (response.status !== 206) throw httpError(response.status, url, what);
    else resumes++;
    const reader = response.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (received + value.byteLength > bytes.byteLength) {
          await reader.cancel();
          throw new LookaheadError('hub', 'bad_input', `${what} is larger than the ${info.bytes} bytes the hub announced; the download was discarded, try again`);
        }
        bytes.set(value, received);
        received += value.byteLength;
        onProgress?.({ file, receivedBytes: received, totalBytes: info.bytes, resumedFrom });
      }
    } catch (error) {
      if (isAbort(error, signal)) throw cancelled();
      if (error instanceof LookaheadError) throw error;
      lastError = error; // dropped mid-body: the next attempt resumes at `received`
    }
  }
  if (received < info.bytes) {
    if (received === 0 && lastError) throw unreachable(hubUrl, what, lastError);
    throw new LookaheadError('hub', 'unsupported', `the download of ${what} stopped at ${received} of ${info.bytes} bytes after ${FETCH_ATTEMPTS} attempts (${(lastError as Error)?.message ?? 'no error'}); check the network and try again`, { cause: lastError });
  }
  const sha256 = hex(await crypto.subtle.digest('SHA-256', bytes));
  if (info.sha256 && sha256 !== info.sha256) {
    throw new LookaheadError(
      'hub',
      'bad_input',
      `${what} (${revision.commit}) has sha256 ${sha256}, but the hub publishes ${info.sha256}: the download is corrupted or was altered on the way, so it was refused and nothing was cached. Try again; if it persists, the hub or a proxy is serving a wrong file`,
    );
  }
  if (!info.sha256 && info.blobId) {
    const blobId = await gitBlobId(bytes);
    if (blobId !== info.blobId) {
      throw new LookaheadError('hub', 'bad_input', `${what} (${revision.commit}) has git blob id ${blobId}, but the hub lists ${info.blobId}: the download was refused and nothing was cached; try again`);
    }
  }
  return { bytes, sha256, resumes };
}
