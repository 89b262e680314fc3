import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { copyWasmAssets } from './copy-wasm';
import { prepareDatabase } from './prepare-database';

/**
 * `npm start`: build when the sources are newer than the last build, migrate, load the samples
 * on first start, then serve on PORT (default 3000).
 */
const root = process.cwd();
const started = performance.now();
const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`lookahead: PORT must be a number from 1 to 65535, got "${process.env.PORT}"`);
  process.exit(1);
}

function newestMtime(entry: string): number {
  const full = path.join(root, entry);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of readdirSync(full)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

function needsBuild(): boolean {
  const buildId = path.join(root, '.next/BUILD_ID');
  if (!existsSync(buildId)) return true;
  const builtAt = statSync(buildId).mtimeMs;
  const sources = ['app', 'components', 'lib', 'workers', 'db', 'public', 'next.config.ts', 'package-lock.json', 'tsconfig.json'];
  return sources.some((entry) => newestMtime(entry) > builtAt);
}

copyWasmAssets(root);
if (needsBuild()) {
  console.log('lookahead: building the app (first start or changed sources)…');
  const build = spawnSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], { stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('lookahead: the build failed; see the output above');
    process.exit(build.status ?? 1);
  }
}
await prepareDatabase();

const server = spawn(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port)], {
  stdio: ['inherit', 'pipe', 'inherit'],
});
server.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  if (chunk.toString().includes('Ready')) {
    console.log(`\nlookahead: open http://localhost:${port} (ready ${((performance.now() - started) / 1000).toFixed(1)} s after npm start)\n`);
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
