import { createWriteStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

/**
 * `npm run jobs -- submit <config.json|-> [--wait]`, `status <id>`, `results <id> --format csv|parquet [--out file]`,
 * `cancel <id>`, against a running server (LOOKAHEAD_URL or --url, default http://localhost:3000),
 * so a heavy job can be driven from a shell or cron. Exit codes: 0 done, 1 failed/refused, 2 usage.
 */
const usage = `usage:
  npm run jobs -- submit <config.json|-> [--wait]     config: {"kind":"forecast-batch","params":{"source":...,"model":...,"horizon":...}}
  npm run jobs -- status <job-id>
  npm run jobs -- results <job-id> --format csv|parquet [--out <file>]
  npm run jobs -- cancel <job-id>
options: --url <server> (default LOOKAHEAD_URL or http://localhost:3000)
         --token <token> (default LOOKAHEAD_TOKEN; needed when the server sets LOOKAHEAD_AUTH=tokens: npm run token -- editor <name>)`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { url: { type: 'string' }, token: { type: 'string' }, format: { type: 'string', default: 'csv' }, out: { type: 'string' }, wait: { type: 'boolean', default: false } },
});
const base = (values.url ?? process.env.LOOKAHEAD_URL ?? 'http://localhost:3000').replace(/\/$/, '');
const token = values.token ?? process.env.LOOKAHEAD_TOKEN ?? '';
const [command, argument] = positionals;

function fail(message: string, code = 1): never {
  console.error(`jobs: ${message}`);
  process.exit(code);
}

async function call(path: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    const headers = new Headers(init?.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    response = await fetch(`${base}${path}`, { ...init, headers });
  } catch (error) {
    fail(`cannot reach ${base} (${(error as Error).cause ? String((error as Error & { cause: Error }).cause.message) : (error as Error).message}); start it with npm start or pass --url`);
  }
  if (!response.ok) {
    const body = await response.text();
    let message = body;
    try {
      // The server's own "jobs: " prefix is already the CLI's.
      message = (JSON.parse(body) as { error: { message: string } }).error.message.replace(/^jobs: /, '');
    } catch {}
    fail(`HTTP ${response.status}: ${message}`);
  }
  return response;
}

type View = { id: string; state: string; terminal: boolean; seriesDone: number; seriesFailed: number; totalSeries: number; rate: number | null; etaSeconds: number | null };

if (!command || !['submit', 'status', 'results', 'cancel'].includes(command) || !argument) fail(usage, 2);

if (command === 'submit') {
  let text: string;
  try {
    text = argument === '-' ? readFileSync(0, 'utf8') : readFileSync(argument, 'utf8');
  } catch (error) {
    fail(`cannot read the job config ${argument === '-' ? 'from stdin' : `"${argument}"`} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a JSON file like {"kind":"forecast-batch","params":{...}}`, 2);
  }
  try {
    JSON.parse(text);
  } catch (error) {
    fail(`the job config ${argument === '-' ? 'on stdin' : `"${argument}"`} is not JSON (${(error as Error).message})`, 2);
  }
  let view = (await (await call('/api/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: text })).json()) as View;
  console.log(JSON.stringify(view, null, 2));
  if (values.wait) {
    while (!view.terminal) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      view = (await (await call(`/api/jobs/${view.id}`)).json()) as View;
      console.error(`jobs: ${view.state} ${view.seriesDone + view.seriesFailed}/${view.totalSeries} series${view.rate ? `, ${view.rate}/s` : ''}${view.etaSeconds !== null ? `, ${view.etaSeconds} s left` : ''}`);
    }
    console.log(JSON.stringify(view, null, 2));
    process.exit(view.state === 'completed' ? 0 : 1);
  }
} else if (command === 'status') {
  console.log(JSON.stringify(await (await call(`/api/jobs/${encodeURIComponent(argument)}`)).json(), null, 2));
} else if (command === 'cancel') {
  console.log(JSON.stringify(await (await call(`/api/jobs/${encodeURIComponent(argument)}/cancel`, { method: 'POST' })).json(), null, 2));
} else {
  if (values.format !== 'csv' && values.format !== 'parquet') fail(`--format must be csv or parquet, got "${values.format}"`, 2);
  const response = await call(`/api/jobs/${encodeURIComponent(argument)}/results?format=${values.format}`);
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  await pipeline(body, values.out ? createWriteStream(values.out) : process.stdout);
}
