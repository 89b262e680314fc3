import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { convertCheckpointDir } from '../../scripts/models-convert';
import { findChromium, MISSING_CHROMIUM_MESSAGE } from '../support/chromium';
import { startAppServer } from '../support/app-server';
import { prepareExternalSources } from '../support/e2e-sources';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    /** Installed-models folder of the e2e server (holds the converted golden tiny-random checkpoint). */
    modelsDir: string;
    /** The e2e server's "warehouse" database source; '' when DATABASE_URL is not set. */
    warehouseUrl: string;
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
  const server = await startAppServer({ LOOKAHEAD_MODELS_DIR: modelsDir, ...sources.env });
  project.provide('appUrl', server.url);
  project.provide('modelsDir', modelsDir);
  project.provide('warehouseUrl', sources.warehouseUrl);
  return async () => {
    await server.stop();
    await sources.cleanup();
    rmSync(modelsDir, { recursive: true, force: true });
  };
}
