import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Copies the WASM binaries the browser worker loads by URL into public/ (git-ignored, made on
 * every build): augurs' ETS and MSTL modules.
 */
export function copyWasmAssets(root = process.cwd()): void {
  const require = createRequire(import.meta.url);
  const augursDir = path.dirname(require.resolve('@bsull/augurs/ets'));
  const target = path.join(root, 'public/wasm/augurs');
  mkdirSync(target, { recursive: true });
  for (const file of ['ets_bg.wasm', 'mstl_bg.wasm']) {
    const from = path.join(augursDir, file);
    const to = path.join(target, file);
    // Copy only when changed: a fresh mtime under public/ would make ensureBuilt rebuild every time.
    if (existsSync(to) && readFileSync(to).equals(readFileSync(from))) continue;
    copyFileSync(from, to);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) copyWasmAssets();
