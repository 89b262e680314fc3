import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Copies the WASM binaries the browser worker loads by URL into public/ (git-ignored, made on
 * every build): augurs' ETS and MSTL modules, and tfjs-backend-wasm's binaries (trained Informer
 * models on WASM).
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
  const tfjsDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  const tfjsTarget = path.join(root, 'public/wasm/tfjs');
  mkdirSync(tfjsTarget, { recursive: true });
  for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    const from = path.join(tfjsDir, file);
    const to = path.join(tfjsTarget, file);
    if (existsSync(to) && readFileSync(to).equals(readFileSync(from))) continue;
    copyFileSync(from, to);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) copyWasmAssets();
