import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadHubFile, fetchHubRevision } from '@/lib/client/model-install/hub-files';
import { startFakeHub, type FakeHub } from '../support/fake-hub';

/**
 * The browser's hub reader (lib/client/model-install/hub-files) run in Node, whose fetch and
 * WebCrypto are the same web APIs, against the FAKE local hub (no internet here).
 */
const dir = 'tests/fixtures/golden/chronos-bolt';
const tiny = { 'config.json': readFileSync(`${dir}/tiny-random/config.json`), 'model.safetensors': readFileSync(`${dir}/tiny-random/model.safetensors`) };
const dummy = { 'config.json': readFileSync(`${dir}/upstream-dummy/config.json`), 'model.safetensors': readFileSync(`${dir}/upstream-dummy/model.safetensors`) };
let hub: FakeHub;
let corruptHub: FakeHub;

beforeAll(async () => {
  hub = await startFakeHub({ 'amazon/chronos-bolt-tiny': { commit: 'a'.repeat(40), files: tiny } }, { cutAfterBytes: { 'model.safetensors': 500_000 } });
  corruptHub = await startFakeHub({ 'amazon/chronos-bolt-mini': { commit: 'b'.repeat(40), files: dummy } }, { corrupt: ['amazon/chronos-bolt-mini'] });
});
afterAll(async () => {
  await hub?.close();
  await corruptHub?.close();
});

describe('hub files in the browser worker', () => {
  it('lists a revision: commit, sizes and the LFS sha256', async () => {
    const revision = await fetchHubRevision({ hubUrl: hub.url, repo: 'amazon/chronos-bolt-tiny' });
    expect(revision.commit).toBe('a'.repeat(40));
    expect(revision.files.get('model.safetensors')?.bytes).toBe(tiny['model.safetensors'].length);
    expect(revision.files.get('model.safetensors')?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(revision.files.get('config.json')?.blobId).toMatch(/^[0-9a-f]{40}$/);
  });

  it('resumes a dropped download with Range and verifies the sha256', async () => {
    const revision = await fetchHubRevision({ hubUrl: hub.url, repo: 'amazon/chronos-bolt-tiny' });
    const progress: number[] = [];
    const result = await downloadHubFile({ hubUrl: hub.url, revision, file: 'model.safetensors', onProgress: (event) => progress.push(event.resumedFrom) });
    expect(Buffer.from(result.bytes).equals(tiny['model.safetensors'])).toBe(true);
    expect(result.resumes).toBe(1);
    expect(hub.rangeRequests).toContain('bytes=500000-');
    expect(progress.at(-1)).toBe(500_000);
    const config = await downloadHubFile({ hubUrl: hub.url, revision, file: 'config.json' });
    expect(Buffer.from(config.bytes).equals(tiny['config.json'])).toBe(true);
  });

  it('refuses bytes whose sha256 differs from the published one', async () => {
    const revision = await fetchHubRevision({ hubUrl: corruptHub.url, repo: 'amazon/chronos-bolt-mini' });
    await expect(downloadHubFile({ hubUrl: corruptHub.url, revision, file: 'model.safetensors' })).rejects.toThrow(
      /hub: model\.safetensors of amazon\/chronos-bolt-mini \(b{40}\) has sha256 [0-9a-f]{64}, but the hub publishes [0-9a-f]{64}: the download is corrupted/,
    );
  });

  it('names the repository when the hub has no such model (HTTP 404)', async () => {
    await expect(fetchHubRevision({ hubUrl: hub.url, repo: 'amazon/chronos-bolt-huge' })).rejects.toThrow(
      /hub: amazon\/chronos-bolt-huge@main: the hub answered HTTP 404 .* does not exist/,
    );
  });

  it('offline: says which hub could not be reached and how to fix it', async () => {
    hub.setOffline(true);
    try {
      await expect(fetchHubRevision({ hubUrl: hub.url, repo: 'amazon/chronos-bolt-tiny' })).rejects.toThrow(
        `hub: could not reach the model hub at ${hub.url} to download amazon/chronos-bolt-tiny (its file list)`,
      );
    } finally {
      hub.setOffline(false);
    }
  });
});
