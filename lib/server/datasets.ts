import 'server-only';
import { listDatasets, getDatabase, type Dataset, type DatabaseHandle } from '@/db';

/** What the browser may know of a dataset (no file paths, no hashes it does not need). */
export interface DatasetSummary {
  id: string;
  name: string;
  description: string;
  origin: string;
  columns: string[];
  frequency: string | null;
  rowCount: number;
  start: string | null;
  end: string | null;
  timestampsSynthetic: boolean;
  licence: string;
  attribution: string;
  sourceUrl: string;
  warnings: string[];
}

export function summarizeDataset(dataset: Dataset): DatasetSummary {
  return {
    id: dataset.id,
    name: dataset.name,
    description: dataset.description,
    origin: dataset.origin,
    columns: dataset.columns,
    frequency: dataset.frequency,
    rowCount: dataset.rowCount,
    start: dataset.startTs?.toISOString() ?? null,
    end: dataset.endTs?.toISOString() ?? null,
    timestampsSynthetic: dataset.timestampsSynthetic,
    licence: dataset.licence,
    attribution: dataset.attribution,
    sourceUrl: dataset.sourceUrl,
    warnings: dataset.warnings,
  };
}

export async function listDatasetSummaries(handle?: DatabaseHandle): Promise<DatasetSummary[]> {
  const rows = await listDatasets({ handle: handle ?? (await getDatabase()) });
  return rows.map(summarizeDataset);
}
