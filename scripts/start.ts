import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureBuilt } from './app-build';
import { prepareDatabase } from './prepare-database';
import { pullOnStart } from './pull-on-start';

/**
 * `npm start`: build when the sources are newer than the last build, migrate, load the samples
 * on first start, then serve on PORT (default 3000).
 */
const root = process.cwd();
const started = performance.now();
const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`lookahead: PORT must be a whole number from 1 to 65535, got "${process.env.PORT}"`);
  process.exit(1);
}

ensureBuilt(root);
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
// In the background: the app serves meanwhile and lists the model when it lands.
void pullOnStart(process.env.LOOKAHEAD_PULL_ON_START);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
