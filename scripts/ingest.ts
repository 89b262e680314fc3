import { parseArgs } from 'node:util';
import { isLookaheadError } from '@/lib/core/errors';
import { IngestConfigurationError, isIngestError, runIngest } from '@/lib/server/ingest';

/**
 * npm run ingest -- <path> [--source <id>] [--table <name>] [--pattern <file-name pattern>] [--time <column>] [--entity <column>]
 *
 * Loads parquet and CSV files (one file or a directory) into a Postgres table with COPY. Files
 * already loaded (same sha256) are skipped, so a re-run after a crash finishes the job without
 * duplicates. Prints one line per file and a JSON summary on the last line.
 * Exit codes: 0 all files loaded or skipped; 1 some files failed; 2 nothing could run (arguments,
 * configuration, missing path); 3 an unexpected error.
 */
const usage =
  'usage: npm run ingest -- <path> [--source <id>] [--table <name|schema.name>] [--pattern "{entity}_{year}_{month}.parquet"] [--time <column>] [--entity <column>]';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        source: { type: 'string' },
        table: { type: 'string' },
        pattern: { type: 'string' },
        time: { type: 'string' },
        entity: { type: 'string' },
      },
      strict: true,
    });
  } catch (error) {
    throw new IngestConfigurationError(`${(error as Error).message}\n${usage}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new IngestConfigurationError(`give exactly one path (got ${positionals.length})\n${usage}`);
  const summary = await runIngest({
    path: positionals[0]!,
    sourceId: values.source,
    table: values.table,
    pattern: values.pattern,
    timeColumn: values.time,
    entityColumn: values.entity,
    log: (line) => process.stdout.write(`ingest: ${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${isLookaheadError(error) ? error.message : `ingest: ${(error as Error).stack ?? String(error)}`}\n`);
    process.exit(isIngestError(error) || (isLookaheadError(error) && error.expose) ? 2 : 3);
  },
);
