import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureBuilt } from './app-build';
import { prepareDatabase } from './prepare-database';
import { pullOnStart } from './pull-on-start';
import { authMode } from '../lib/server/access/policy';
import { parseApiTokens } from '../lib/server/access/tokens';
import { parsePasswordEntries } from '../lib/server/access/passwords';

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

// Local use stays zero-set-up and private: only this machine can reach the server unless HOST
// says otherwise (and then LOOKAHEAD_AUTH should say who may do what).
const host = process.env.HOST?.trim() || '127.0.0.1';
const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
try {
  authMode(process.env);
  parseApiTokens(process.env.LOOKAHEAD_API_TOKENS);
  parsePasswordEntries(process.env.LOOKAHEAD_USERS);
} catch (error) {
  console.error(`lookahead: ${(error as Error).message}`);
  process.exit(1);
}
if (!loopback && authMode(process.env) === 'off') {
  console.warn(`lookahead: HOST=${host} lets other machines in and LOOKAHEAD_AUTH is unset, so every caller is the owner; set LOOKAHEAD_AUTH=tokens (see README "Access and limits")`);
}
if (authMode(process.env) === 'tokens' && parseApiTokens(process.env.LOOKAHEAD_API_TOKENS).length === 0) {
  console.warn('lookahead: LOOKAHEAD_AUTH=tokens but LOOKAHEAD_API_TOKENS is empty: nobody can sign in; make a token with npm run token -- admin <name>');
}
if (authMode(process.env) === 'password' && parsePasswordEntries(process.env.LOOKAHEAD_USERS).length === 0) {
  console.warn('lookahead: LOOKAHEAD_AUTH=password but LOOKAHEAD_USERS is empty: nobody can sign in to the page; make an entry with npm run password -- admin <name>');
}

ensureBuilt(root);
await prepareDatabase();

const server = spawn(process.execPath, [path.join(root, 'scripts/server.mjs'), '--port', String(port), '--host', host], {
  stdio: ['inherit', 'pipe', 'inherit'],
});
server.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  if (chunk.toString().includes('Ready')) {
    console.log(`\nlookahead: open http://${loopback ? 'localhost' : host}:${port} (ready ${((performance.now() - started) / 1000).toFixed(1)} s after npm start)\n`);
  }
});
// In the background: the app serves meanwhile and lists the model when it lands.
void pullOnStart(process.env.LOOKAHEAD_PULL_ON_START);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
