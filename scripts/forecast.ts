import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LookaheadError, isLookaheadError } from '@/lib/core/errors';
import { parseForecastRequest, runForecastRequest } from '@/lib/server/forecast-service';

/**
 * npm run forecast -- --model <id-or-dir> --horizon <n> [--levels 0.1,0.5,0.9] [--frequency 1h] --input <file.json|->
 * JSON in: {"series":[{"values":[...], "timestamps"?: [...]}]}; JSON out (stdout): the POST /api/forecast answer.
 */
const usage = 'usage: npm run forecast -- --model <id-or-dir> --horizon <n> [--levels 0.1,0.5,0.9] [--frequency 1h] --input <file.json|->';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      horizon: { type: 'string' },
      levels: { type: 'string' },
      frequency: { type: 'string' },
      input: { type: 'string' },
    },
    strict: true,
  });
  if (!values.model || !values.horizon || !values.input) throw new LookaheadError('forecast', 'bad_input', `--model, --horizon and --input are required\n${usage}`);
  const text = values.input === '-' ? readFileSync(0, 'utf8') : readFileSync(values.input, 'utf8');
  let input: { series?: unknown };
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new LookaheadError('forecast', 'bad_input', `${values.input} is not valid JSON: ${(error as Error).message}`);
  }
  const horizon = Number(values.horizon);
  const levels = values.levels?.split(',').map(Number);
  const body = parseForecastRequest({
    model: values.model,
    horizon,
    series: input.series,
    ...(levels ? { levels } : {}),
    ...(values.frequency ? { frequency: values.frequency } : {}),
  });
  const result = await runForecastRequest(body, { allowDirectory: true });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${isLookaheadError(error) ? error.message : `forecast: ${(error as Error).stack ?? String(error)}`}\n`);
    process.exit(isLookaheadError(error) && error.expose ? 2 : 1);
  },
);
