/**
 * Node only: tfjs-core's Node entry (a CommonJS bundle) registers no gradients, and its
 * `dist/register_all_gradients.js` is ESM with extensionless and directory imports that Node cannot
 * load. We bundle that one file with esbuild (a tsx dependency, so present wherever the server runs)
 * into a CommonJS file once per tfjs-core version and require it. tfjs keeps its kernel and
 * gradient registries and its engine on a global object, so gradients registered by this second
 * copy of the op code serve the main one.
 */
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTfWith, type Tf, type TfBackendName, type TfOptions } from './tfjs';

export type { Tf, TfBackendName, TfOptions } from './tfjs';

/** TensorFlow.js in Node (tests, benches, server job workers): cpu or wasm. */
export function loadTf(name: TfBackendName, options: TfOptions = {}): Promise<Tf> {
  const wasmPaths = options.wasmPaths ?? path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/';
  return loadTfWith(registerNodeGradients, name, { ...options, wasmPaths });
}

async function registerNodeGradients(): Promise<void> {
  const require = createRequire(import.meta.url);
  const corePackage = require.resolve('@tensorflow/tfjs-core/package.json');
  const { version } = require(corePackage) as { version: string };
  const dir = path.join(os.tmpdir(), 'lookahead-tfjs');
  const file = path.join(dir, `register-all-gradients-${version}.cjs`);
  if (!existsSync(file)) {
    const esbuild = await import('esbuild');
    const entry = path.join(path.dirname(corePackage), 'dist/register_all_gradients.js');
    const result = await esbuild.build({ entryPoints: [entry], bundle: true, format: 'cjs', platform: 'node', write: false, logLevel: 'silent' });
    mkdirSync(dir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, result.outputFiles[0]!.contents);
    renameSync(temporary, file);
  }
  require(file);
}
