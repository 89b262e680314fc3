import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { copyWasmAssets } from './copy-wasm';

const BUILD_INPUTS = ['app', 'components', 'lib', 'workers', 'db', 'public', 'next.config.ts', 'package-lock.json', 'tsconfig.json'];

function newestMtime(root: string, entry: string): number {
  const full = path.join(root, entry);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of readdirSync(full)) newest = Math.max(newest, newestMtime(root, path.join(entry, child)));
  return newest;
}

/** True when there is no production build or a source is newer than it. */
export function needsBuild(root = process.cwd()): boolean {
  const buildId = path.join(root, '.next/BUILD_ID');
  if (!existsSync(buildId)) return true;
  const builtAt = statSync(buildId).mtimeMs;
  return BUILD_INPUTS.some((entry) => newestMtime(root, entry) > builtAt);
}

/** Copies the WASM assets and runs `next build` when needed; exits the process if the build fails. */
export function ensureBuilt(root = process.cwd()): void {
  copyWasmAssets(root);
  if (!needsBuild(root)) return;
  console.log('lookahead: building the app (first start or changed sources)…');
  const build = spawnSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) {
    console.error('lookahead: the build failed; see the output above');
    process.exit(build.status ?? 1);
  }
}
