import { LookaheadError } from '@/lib/core/errors';

/**
 * When a source's series come from its file names ({entity} in the pattern), the files selected
 * for a window must hold exactly one series. `allEntities` (every file's entity) lets the message
 * tell a series the source never had from one outside the chosen years and months.
 */
export function checkFileSeries({
  sourceId,
  series,
  seriesFromFileNames,
  selectedEntities,
  allEntities,
}: {
  sourceId: string;
  series: string | undefined;
  seriesFromFileNames: boolean;
  selectedEntities: readonly (string | null)[];
  allEntities?: readonly (string | null)[];
}): void {
  if (!seriesFromFileNames) return;
  if (series !== undefined && series !== '' && allEntities && !allEntities.includes(series)) {
    throw new LookaheadError('parquet', 'bad_input', `series "${series.slice(0, 80)}" is not an {entity} of any file of source "${sourceId}"; GET /api/sources/${sourceId}/series lists them`);
  }
  if (series === undefined && new Set(selectedEntities).size > 1) {
    throw new LookaheadError('parquet', 'bad_input', `source "${sourceId}" holds one series per file-name {entity}: name one with series=<id> (GET /api/sources/${sourceId}/series lists them)`);
  }
}
