import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { convertCheckpointDir } from '../../scripts/models-convert';
import { findChromium, MISSING_CHROMIUM_MESSAGE } from '../support/chromium';
import { startAppServer } from '../support/app-server';
import { startFakeHub } from '../support/fake-hub';
import { prepareExternalSources } from '../support/e2e-sources';
import { startAlertReceiver } from '../support/alert-receiver';
import { spikeAlertRules } from '../support/monitor-fixture';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    /** The e2e server's process (scripts/server.mjs) (on the embedded default the in-process job worker registers under it). */
    appPid: number;
    /** Installed-models folder of the e2e server (holds the converted golden tiny-random checkpoint). */
    modelsDir: string;
    /** The e2e server's "warehouse" database source; '' when DATABASE_URL is not set. */
    warehouseUrl: string;
    /** The local hub imitation (FAKE: no internet here) the server names as LOOKAHEAD_HUB_URL. */
    hubUrl: string;
    /** The local webhook receiver the server's alert rules post to; GET <url>/received lists the bodies. */
    alertReceiverUrl: string;
  }
}

/**
 * One production server for all e2e files, with the golden tiny-random Chronos-Bolt checkpoint
 * converted and installed (a test checkpoint: the UI labels it so), a parquet lake, and (with
 * DATABASE_URL) a Postgres "warehouse" source. Missing Chromium fails the run with how to install it.
 */
export default async function setup(project: TestProject) {
  if (!findChromium()) throw new Error(MISSING_CHROMIUM_MESSAGE);
  const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'lookahead-e2e-models-'));
  await convertCheckpointDir({
    checkpointDir: path.resolve('tests/fixtures/golden/chronos-bolt/tiny-random'),
    outDir: path.join(modelsDir, 'tiny-random', 'golden'),
    revision: 'golden',
    id: 'tiny-random',
  });
  const sources = await prepareExternalSources();
  // FAKE hub (no internet here), serving golden checkpoints under the official repo names:
  // tiny = tiny-random, mini = upstream-dummy with corrupted bytes, small = tiny-random (offline tests),
  // base = tiny-random (installed on the server by a test, which removes it again).
  const golden = (name: string) => ({
    'config.json': readFileSync(path.resolve(`tests/fixtures/golden/chronos-bolt/${name}/config.json`)),
    'model.safetensors': readFileSync(path.resolve(`tests/fixtures/golden/chronos-bolt/${name}/model.safetensors`)),
  });
  const hub = await startFakeHub(
    {
      'amazon/chronos-bolt-tiny': { commit: '1'.repeat(40), files: golden('tiny-random') },
      'amazon/chronos-bolt-mini': { commit: '2'.repeat(40), files: golden('upstream-dummy') },
      'amazon/chronos-bolt-small': { commit: '3'.repeat(40), files: golden('tiny-random') },
      'amazon/chronos-bolt-base': { commit: '4'.repeat(40), files: golden('tiny-random') },
    },
    { corrupt: ['amazon/chronos-bolt-mini'] },
  );
  // The alert rule watches the spike upload of tests/e2e/monitor.test.ts (named before it exists: its id comes from its bytes).
  const receiver = await startAlertReceiver();
  const server = await startAppServer({
    LOOKAHEAD_MODELS_DIR: modelsDir,
    LOOKAHEAD_HUB_URL: hub.url,
    LOOKAHEAD_ALERT_RULES: spikeAlertRules(),
    LOOKAHEAD_ALERT_WEBHOOK_URL: `${receiver.url}/hook`,
    LOOKAHEAD_ALERT_ALLOWED_HOSTS: receiver.host,
    // Rounds (rollups, alert rules) and CPU/memory samples often enough for a test to see them.
    LOOKAHEAD_MONITORING_SCHEDULE_MS: '10000',
    LOOKAHEAD_MONITORING_SAMPLE_MS: '2000',
    ...sources.env,
  });
  project.provide('appUrl', server.url);
  project.provide('appPid', server.pid);
  project.provide('modelsDir', modelsDir);
  project.provide('warehouseUrl', sources.warehouseUrl);
  project.provide('hubUrl', hub.url);
  project.provide('alertReceiverUrl', receiver.url);
  return async () => {
    await server.stop();
    await hub.close();
    await receiver.close();
    await sources.cleanup();
    rmSync(modelsDir, { recursive: true, force: true });
  };
}
