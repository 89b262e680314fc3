import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * `npm run bench -- <name> [args...]` runs bench/<name>.ts. Each benchmark is a program: it prints
 * a table and writes bench/results/<name>.json (bench/lib/report.ts helps). Arguments after the name
 * are left in process.argv for the benchmark to read.
 */
const benchDir = path.resolve('bench');
const available = readdirSync(benchDir)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .map((file) => file.slice(0, -3))
  .sort();
const name = process.argv[2];

if (!name || !/^[a-z0-9][a-z0-9-]*$/.test(name) || !existsSync(path.join(benchDir, `${name}.ts`))) {
  console.error(`bench: ${name ? `no benchmark "${name}"` : 'name a benchmark'}; usage: npm run bench -- <name>; available: ${available.join(', ') || '(none)'}`);
  process.exit(2);
}

await import(pathToFileURL(path.join(benchDir, `${name}.ts`)).href);
