/**
 * Node only: tfjs-core's Node entry (a CommonJS bundle) registers no gradients, and its
 * `dist/register_all_gradients.js` is ESM with extensionless and directory imports that Node cannot
 * load. We bundle that one file with esbuild (a tsx dependency, so present wherever the server runs)
 * into a CommonJS file once per tfjs-core version and require it. tfjs keeps its kernel and
 * gradient registries and its engine on a global object, so gradients registered by this second
 * copy of the op code serve the main one.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTfWith, type Tf, type TfBackendName, type TfOptions } from './tfjs';

export type { Tf, TfBackendName, TfOptions } from './tfjs';

/**
 * A Node `require` the bundler cannot follow. Next (Turbopack) bundles route handlers that reach this
 * file (trained models in POST /api/forecast); a `createRequire(import.meta.url)` there makes it try
 * to bundle the tfjs wasm binary and the run-time gradients file, which fails the build. Taking
 * `createRequire` from `process.getBuiltinModule` and resolving from the working directory (the
 * project root for `next start`, workers, tests and benches) keeps both as plain run-time loads of
 * the real packages, which next.config.ts lists in serverExternalPackages.
 */
function nodeRequire(): NodeJS.Require {
  const { createRequire } = process.getBuiltinModule('node:module') as typeof import('node:module');
  return createRequire(path.join(process.cwd(), 'package.json'));
}

/** TensorFlow.js in Node (tests, benches, server job workers): cpu or wasm. */
export function loadTf(name: TfBackendName, options: TfOptions = {}): Promise<Tf> {
  const wasmPaths = options.wasmPaths ?? path.dirname(nodeRequire().resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/';
  return loadTfWith(registerNodeGradients, name, { ...options, wasmPaths });
}

async function registerNodeGradients(): Promise<void> {
  const require = nodeRequire();
  const corePackage = require.resolve('@tensorflow/tfjs-core/package.json');
  const { version } = require(corePackage) as { version: string };
  const dir = path.join(os.tmpdir(), 'lookahead-tfjs');
  const file = path.join(dir, `register-all-gradients-${version}.cjs`);
  if (!existsSync(file)) {
    const esbuild = require('esbuild') as typeof import('esbuild');
    const entry = path.join(path.dirname(corePackage), 'dist/register_all_gradients.js');
    const result = await esbuild.build({ entryPoints: [entry], bundle: true, format: 'cjs', platform: 'node', write: false, logLevel: 'silent' });
    mkdirSync(dir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, result.outputFiles[0]!.contents);
    renameSync(temporary, file);
  }
  require(file);
}
