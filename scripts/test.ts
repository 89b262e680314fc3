import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { findChromium, MISSING_CHROMIUM_MESSAGE } from '../tests/support/chromium';
import { ensureBuilt } from './app-build';

/**
 * `npm test`: unit and integration tests (PGlite always; real Postgres when DATABASE_URL is set),
 * then the production build and the end-to-end tests in real Chromium. A missing Chromium is a
 * failure with install instructions, never a silent skip.
 */
const root = process.cwd();
const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');

function run(label: string, args: string[]): void {
  console.log(`\n== ${label}`);
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root, env: process.env });
  if (result.status !== 0) {
    console.error(`\nnpm test: ${label} failed`);
    process.exit(result.status ?? 1);
  }
}

if (!findChromium()) {
  console.error(MISSING_CHROMIUM_MESSAGE);
  process.exit(1);
}
console.log(process.env.DATABASE_URL ? 'npm test: DATABASE_URL is set: database tests run on PGlite and on Postgres' : 'npm test: DATABASE_URL is not set: database tests run on PGlite only');
run('typecheck', [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit']);
run('unit and integration tests', [vitest, 'run']);
ensureBuilt(root);
run('end-to-end tests (Chromium)', [vitest, 'run', '--config', 'vitest.e2e.config.ts']);
console.log('\nnpm test: all passed');
