import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

const HARNESS_ENTRY = path.resolve('tests/browser/chronos-harness.ts');

/**
 * Bundles the Chronos-Bolt harness (the app's pipeline and onnxruntime-web session code) with
 * esbuild into a fresh temp folder, next to a one-line HTML page that loads it. onnxruntime-web's
 * own .mjs/.wasm are not bundled: the page loads them from `wasmPaths`, as the app does.
 */
export async function bundleHarness(): Promise<string> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'lookahead-chronos-harness-'));
  await build({
    entryPoints: [HARNESS_ENTRY],
    outfile: path.join(outDir, 'harness.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // tsconfig.json's '@/*' paths are read by esbuild itself.
    tsconfig: path.resolve('tsconfig.json'),
    logLevel: 'error',
  });
  await writeFile(
    path.join(outDir, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>Chronos-Bolt harness</title><link rel="icon" href="data:,"></head><body><script type="module" src="/harness.js"></script></body></html>\n',
  );
  return outDir;
}
