import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getServerInstall, startServerInstall } from '@/lib/server/models/install-jobs';
import { listInstalledModels } from '@/lib/server/models/store';
import { pullOnStart } from '@/scripts/pull-on-start';
import { startFakeHub, type FakeHub } from '../support/fake-hub';

/** Server installs (page button) and LOOKAHEAD_PULL_ON_START against the FAKE local hub (no internet here). */
const GOLDEN = path.resolve('tests/fixtures/golden/chronos-bolt/tiny-random');
const files = { 'config.json': readFileSync(path.join(GOLDEN, 'config.json')), 'model.safetensors': readFileSync(path.join(GOLDEN, 'model.safetensors')) };
let root: string;
let hub: FakeHub;
const saved = { ...process.env };

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'lookahead-server-install-'));
  hub = await startFakeHub({
    'amazon/chronos-bolt-tiny': { commit: 'c'.repeat(40), files },
    'amazon/chronos-bolt-mini': { commit: 'd'.repeat(40), files },
  });
  process.env.LOOKAHEAD_HUB_URL = hub.url;
  process.env.LOOKAHEAD_MODELS_DIR = path.join(root, 'models');
  process.env.LOOKAHEAD_DATA_DIR = path.join(root, 'data');
});
afterAll(async () => {
  process.env = saved;
  await hub?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('install on the server', () => {
  it('runs in the background with progress, and the model is listed as soon as it is done (no restart)', async () => {
    expect(listInstalledModels().map((model) => model.info.id)).toEqual([]);
    const job = startServerInstall({ reference: 'amazon/chronos-bolt-tiny' });
    expect(job.status).toBe('running');
    // A second click joins the running install.
    expect(startServerInstall({ reference: 'amazon/chronos-bolt-tiny' }).id).toBe(job.id);
    await expect.poll(() => getServerInstall(job.id)?.status, { timeout: 60_000 }).toBe('done');
    const done = getServerInstall(job.id)!;
    expect(done).toMatchObject({ fraction: 1, phase: 'done', installed: `chronos-bolt-tiny@${'c'.repeat(40)}`, error: null });
    expect(done.receivedBytes).toBe(files['model.safetensors'].length);
    expect(listInstalledModels().map((model) => model.info.id)).toEqual(['chronos-bolt-tiny']);
  });

  it('a hub error fails the job with a message naming the repository', async () => {
    const job = startServerInstall({ reference: 'amazon/chronos-bolt-huge' });
    await expect.poll(() => getServerInstall(job.id)?.status, { timeout: 30_000 }).toBe('failed');
    expect(getServerInstall(job.id)!.error).toContain('amazon/chronos-bolt-huge@main has no config.json (HTTP 404');
  });

  it('refuses a malformed repository before starting anything', () => {
    expect(() => startServerInstall({ reference: '../../etc' })).toThrow('hub: "../../etc" is not a hub repository; use owner/name[@revision]');
  });
});

describe('LOOKAHEAD_PULL_ON_START', () => {
  it('pulls once when the hub is reachable, then skips it on the next start', async () => {
    const lines: string[] = [];
    await pullOnStart('amazon/chronos-bolt-mini', (line) => lines.push(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^lookahead: LOOKAHEAD_PULL_ON_START installed chronos-bolt-mini@d{40} from http:\/\/127\.0\.0\.1:\d+ in [\d.]+ s/);
    const requests = hub.requests.length;
    await pullOnStart('amazon/chronos-bolt-mini', (line) => lines.push(line));
    expect(lines).toHaveLength(1);
    expect(hub.requests.length).toBe(requests);
  });

  it('says in one line that the hub is unreachable, and returns (npm start goes on)', async () => {
    hub.setOffline(true);
    try {
      const lines: string[] = [];
      await pullOnStart('amazon/chronos-bolt-small', (line) => lines.push(line));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('lookahead: LOOKAHEAD_PULL_ON_START could not pull amazon/chronos-bolt-small (hub: could not reach');
      expect(lines[0]).toContain('starting without it');
      expect(lines[0]).not.toContain('\n');
    } finally {
      hub.setOffline(false);
    }
  });
});
