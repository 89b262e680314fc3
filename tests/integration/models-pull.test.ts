import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pullModel } from '@/scripts/models-pull';
import { findInstalledModel, listInstalledModels } from '@/lib/server/models/store';
import { parseHubReference } from '@/lib/server/models/hub';
import { startFakeHub, type FakeHub } from '../support/fake-hub';

const GOLDEN = path.resolve('tests/fixtures/golden/chronos-bolt/tiny-random');
const config = readFileSync(path.join(GOLDEN, 'config.json'));
const weights = readFileSync(path.join(GOLDEN, 'model.safetensors'));
const weightsSha = createHash('sha256').update(weights).digest('hex');
const COMMIT = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'lookahead-pull-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('models:pull against a local hub imitation (no internet here)', () => {
  let hub: FakeHub | undefined;
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  it('downloads, verifies, converts and installs under <id>/<commit>', async () => {
    hub = await startFakeHub({ 'amazon/chronos-bolt-small': { commit: COMMIT, files: { 'config.json': config, 'model.safetensors': weights } } });
    const modelsDir = path.join(root, 'models-a');
    const progress: number[] = [];
    const result = await pullModel({ reference: 'amazon/chronos-bolt-small', baseUrl: hub.url, modelsDir, cacheDir: path.join(root, 'cache-a'), onProgress: (p) => progress.push(p.receivedBytes) });
    expect(result.converted).toBe(true);
    expect(result.directory).toBe(path.join(modelsDir, 'chronos-bolt-small', COMMIT));
    const safetensors = result.downloads.find((download) => download.file === 'model.safetensors')!;
    expect(safetensors).toMatchObject({ sha256: weightsSha, verified: true, commit: COMMIT, bytes: weights.length });
    expect(progress.at(-1)).toBe(weights.length);
    expect(result.manifest).toMatchObject({ id: 'chronos-bolt-small', sourceRepo: 'amazon/chronos-bolt-small', revision: COMMIT });
    const onnx = result.manifest.files.find((file) => file.name === 'model.onnx')!;
    expect(createHash('sha256').update(readFileSync(path.join(result.directory, 'model.onnx'))).digest('hex')).toBe(onnx.sha256);
    // Served under an official repo name, so the app lists it as a real forecaster.
    const installed = findInstalledModel('chronos-bolt-small', modelsDir)!;
    expect(installed.info).toMatchObject({ id: 'chronos-bolt-small', family: 'chronos-bolt', revision: COMMIT, testOnly: false, label: 'Chronos-Bolt small' });

    // A second pull changes nothing and downloads nothing again.
    const before = hub.rangeRequests.length;
    const again = await pullModel({ reference: 'amazon/chronos-bolt-small', baseUrl: hub.url, modelsDir, cacheDir: path.join(root, 'cache-a') });
    expect(again.converted).toBe(false);
    expect(hub.rangeRequests.length).toBe(before);
  });

  it('resumes an interrupted download from its .part file', async () => {
    hub = await startFakeHub(
      { 'amazon/chronos-bolt-tiny': { commit: COMMIT, files: { 'config.json': config, 'model.safetensors': weights } } },
      { cutAfterBytes: { 'model.safetensors': 500_000 } },
    );
    const options = { reference: 'amazon/chronos-bolt-tiny', baseUrl: hub.url, modelsDir: path.join(root, 'models-b'), cacheDir: path.join(root, 'cache-b') };
    await expect(pullModel(options)).rejects.toThrow(/hub: (the download of model.safetensors was interrupted|model.safetensors: received \d+ of \d+ bytes).*run the same command again to resume/);
    const partial = path.join(root, 'cache-b/amazon/chronos-bolt-tiny/main/model.safetensors.part');
    expect(existsSync(partial)).toBe(true);
    const result = await pullModel(options);
    const safetensors = result.downloads.find((download) => download.file === 'model.safetensors')!;
    expect(safetensors.resumedFrom).toBeGreaterThan(0);
    expect(safetensors.sha256).toBe(weightsSha);
    expect(hub.rangeRequests.at(-1)).toBe(`bytes=${safetensors.resumedFrom}-`);
    expect(result.converted).toBe(true);
  });

  it('deletes a corrupt download and says so', async () => {
    hub = await startFakeHub({ 'amazon/chronos-bolt-mini': { commit: COMMIT, files: { 'config.json': config, 'model.safetensors': weights } } });
    const cacheDir = path.join(root, 'cache-c');
    const partial = path.join(cacheDir, 'amazon/chronos-bolt-mini/main/model.safetensors.part');
    mkdirSync(path.dirname(partial), { recursive: true });
    writeFileSync(partial, Buffer.alloc(1000, 7)); // wrong bytes that the resume would keep
    await expect(pullModel({ reference: 'amazon/chronos-bolt-mini', baseUrl: hub.url, modelsDir: path.join(root, 'models-c'), cacheDir })).rejects.toThrow(
      /^hub: model.safetensors: sha256 [0-9a-f]{64} does not match the hub's [0-9a-f]{64}; the partial file was deleted, run the command again$/,
    );
    expect(existsSync(partial)).toBe(false);
  });

  it('names a missing repository or revision', async () => {
    hub = await startFakeHub({});
    await expect(pullModel({ reference: 'amazon/chronos-bolt-huge', baseUrl: hub.url, modelsDir: path.join(root, 'm'), cacheDir: path.join(root, 'c') })).rejects.toThrow(
      'hub: amazon/chronos-bolt-huge@main has no config.json (HTTP 404',
    );
  });

  it('rejects malformed references before any request', () => {
    expect(() => parseHubReference('chronos')).toThrow('hub: "chronos" is not a hub repository; use owner/name[@revision], e.g. amazon/chronos-bolt-small');
    expect(() => parseHubReference('a/b@../../etc')).toThrow('hub: "../../etc" is not a valid revision');
    expect(parseHubReference('amazon/chronos-bolt-base@refs/pr/4')).toEqual({ repo: 'amazon/chronos-bolt-base', revision: 'refs/pr/4' });
  });

  it('labels non-official checkpoints as test-only', async () => {
    hub = await startFakeHub({ 'someone/tiny-random': { commit: COMMIT, files: { 'config.json': config, 'model.safetensors': weights } } });
    const modelsDir = path.join(root, 'models-d');
    await pullModel({ reference: 'someone/tiny-random', baseUrl: hub.url, modelsDir, cacheDir: path.join(root, 'cache-d') });
    const [model] = listInstalledModels(modelsDir);
    expect(model!.info).toMatchObject({ id: 'tiny-random', testOnly: true, label: 'tiny-random (test checkpoint, not a real forecaster)' });
  });
});
