import { CHRONOS_BOLT_SHAPES, type ChronosBoltSize } from '@/tests/support/chronos-checkpoint';
import { RUNTIMES, type RuntimeName } from './target';

/**
 * Flags of `npm run bench -- chronos`. The default matrix finishes in about 10 minutes on a 2-core
 * machine; the full one (base at batch 256, context 2048: minutes per run on WASM) is opt-in.
 */
export interface ChronosBenchOptions {
  sizes: ChronosBoltSize[];
  batches: number[];
  contexts: number[];
  runtimes: RuntimeName[];
  /** Thread counts; each is its own column (its own processes), measured side by side per cell. */
  threads: number[];
  warmup: number;
  minRepeats: number;
  maxRepeats: number;
  /** Timed runs continue past minRepeats while a cell has spent less than this. */
  budgetMs: number;
  /** Keep the cells of bench/results/chronos.json that this run does not measure. */
  merge: boolean;
  seed: number;
}

export const DEFAULT_OPTIONS: ChronosBenchOptions = {
  sizes: ['tiny', 'mini', 'small'],
  batches: [1, 32],
  contexts: [512, 2048],
  runtimes: [...RUNTIMES],
  threads: [1],
  warmup: 1,
  minRepeats: 3,
  maxRepeats: 15,
  budgetMs: 3000,
  merge: false,
  seed: 20_240_601,
};

export const USAGE = `usage: npm run bench -- chronos [--sizes tiny,mini,small,base] [--batches 1,32,256] [--contexts 512,2048]
  [--runtimes ${RUNTIMES.join(',')}] [--threads 1,2] [--warmup N] [--min-repeats N] [--max-repeats N] [--budget-s S] [--merge]
defaults: --sizes ${DEFAULT_OPTIONS.sizes.join(',')} --batches ${DEFAULT_OPTIONS.batches.join(',')} --contexts ${DEFAULT_OPTIONS.contexts.join(',')} --threads ${DEFAULT_OPTIONS.threads.join(',')}`;

function fail(message: string): never {
  throw new Error(`bench chronos: ${message}\n${USAGE}`);
}

function positiveIntegers(flag: string, value: string): number[] {
  const numbers = value.split(',').map(Number);
  if (numbers.some((number) => !Number.isInteger(number) || number < 1)) fail(`--${flag} takes positive integers separated by commas, got ${JSON.stringify(value)}`);
  return numbers;
}

function positiveInteger(flag: string, value: string, minimum = 1): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < minimum) fail(`--${flag} takes an integer >= ${minimum}, got ${JSON.stringify(value)}`);
  return number;
}

export function parseChronosBenchArgs(argv: readonly string[]): ChronosBenchOptions {
  const options: ChronosBenchOptions = { ...DEFAULT_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) fail(`unexpected argument ${JSON.stringify(arg)}`);
    if (arg === '--help') {
      console.log(USAGE);
      process.exit(0);
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (name === 'merge') {
      options.merge = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) fail(`--${name} needs a value`);
    switch (name) {
      case 'sizes': {
        const sizes = value.split(',');
        const unknown = sizes.filter((size) => !(size in CHRONOS_BOLT_SHAPES));
        if (unknown.length > 0) fail(`--sizes: unknown size(s) ${unknown.join(', ')}; valid: ${Object.keys(CHRONOS_BOLT_SHAPES).join(', ')}`);
        options.sizes = sizes as ChronosBoltSize[];
        break;
      }
      case 'runtimes': {
        const runtimes = value.split(',');
        const unknown = runtimes.filter((runtime) => !(RUNTIMES as readonly string[]).includes(runtime));
        if (unknown.length > 0) fail(`--runtimes: unknown runtime(s) ${unknown.join(', ')}; valid: ${RUNTIMES.join(', ')}`);
        options.runtimes = runtimes as RuntimeName[];
        break;
      }
      case 'batches':
        options.batches = positiveIntegers(name, value);
        break;
      case 'contexts':
        options.contexts = positiveIntegers(name, value);
        break;
      case 'threads':
        options.threads = positiveIntegers(name, value);
        break;
      case 'warmup':
        options.warmup = positiveInteger(name, value, 0);
        break;
      case 'min-repeats':
        options.minRepeats = positiveInteger(name, value);
        break;
      case 'max-repeats':
        options.maxRepeats = positiveInteger(name, value);
        break;
      case 'budget-s':
        if (!(Number(value) >= 0)) fail(`--budget-s takes seconds >= 0, got ${JSON.stringify(value)}`);
        options.budgetMs = Number(value) * 1000;
        break;
      case 'seed':
        options.seed = positiveInteger(name, value);
        break;
      default:
        fail(`unknown option --${name}`);
    }
  }
  if (options.maxRepeats < options.minRepeats) fail(`--max-repeats (${options.maxRepeats}) is below --min-repeats (${options.minRepeats})`);
  return options;
}
