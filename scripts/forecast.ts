import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LookaheadError, isLookaheadError } from '@/lib/core/errors';
import { parseForecastRequest, runForecastRequest } from '@/lib/server/forecast-service';

/**
 * npm run forecast -- --model <id-or-dir> --horizon <n> [--levels 0.1,0.5,0.9] [--frequency 1h] [--season 24] --input <file.json|->
 * JSON in: {"series":[{"values":[...], "timestamps"?: [...], "id"?}]}; JSON out (stdout): the POST /api/forecast answer.
 * Exit status: 0 every series answered; 3 some series failed (the answer lists them in "errors");
 * 2 bad input or every series failed (message on stderr); 1 internal error.
 */
const usage = 'usage: npm run forecast -- --model <id-or-dir> --horizon <n> [--levels 0.1,0.5,0.9] [--frequency 1h] [--season 24] --input <file.json|->';

/** Exit status when some, not all, series failed. */
const EXIT_PARTIAL = 3;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      horizon: { type: 'string' },
      levels: { type: 'string' },
      frequency: { type: 'string' },
      season: { type: 'string' },
      input: { type: 'string' },
    },
    strict: true,
  });
  if (!values.model || !values.horizon || !values.input) throw new LookaheadError('forecast', 'bad_input', `--model, --horizon and --input are required\n${usage}`);
  const text = values.input === '-' ? readFileSync(0, 'utf8') : readFileSync(values.input, 'utf8');
  let input: { series?: unknown; version?: unknown };
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new LookaheadError('forecast', 'bad_input', `${values.input} is not valid JSON: ${(error as Error).message}`);
  }
  const horizon = Number(values.horizon);
  const levels = values.levels?.split(',').map(Number);
  const season = values.season === undefined ? undefined : Number(values.season);
  const body = parseForecastRequest({
    model: values.model,
    horizon,
    series: input.series,
    // The input file may pin the contract version (1 = all or nothing); the answer says which it got.
    ...(input.version === undefined ? {} : { version: input.version }),
    ...(levels ? { levels } : {}),
    ...(values.frequency ? { frequency: values.frequency } : {}),
    ...(season === undefined ? {} : { season }),
  });
  const result = await runForecastRequest(body, { allowDirectory: true });
  await writeFully(process.stdout, `${JSON.stringify(result)}\n`);
  if (result.partial) await writeFully(process.stderr, `forecast: ${result.errors!.length} of ${result.forecasts.length} series failed; see "errors" in the answer\n`);
  return result.partial ? EXIT_PARTIAL : 0;
}

/**
 * Writes and waits until the stream has handed the bytes to the OS: on POSIX a pipe is written
 * asynchronously, and process.exit() right after write() drops whatever the reader has not taken
 * yet (a piped answer was cut at 64 KiB).
 */
function writeFully(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (error) => (error ? reject(error) : resolve())));
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    await writeFully(process.stderr, `${isLookaheadError(error) ? error.message : `forecast: ${(error as Error).stack ?? String(error)}`}\n`);
    process.exit(isLookaheadError(error) && error.expose ? 2 : 1);
  },
);
