import 'server-only';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { addSteps, frequencyFromLabel } from '@/lib/core/frequency';
import { parseCsv } from '@/lib/data/csv';
import { getDataset, replaceDataset, type DatabaseHandle } from '@/db';
import { SAMPLE_DATASETS, type SampleDataset } from './sample-catalog';

export const samplesDirectory = path.resolve(process.cwd(), 'data/samples');

export interface SampleLoadResult {
  id: string;
  status: 'loaded' | 'unchanged';
  rows: number;
  elapsedMs: number;
}

/**
 * Loads every sample file into the database. Idempotent: a dataset whose stored sha256 matches
 * the file is skipped; a changed file replaces its dataset in one transaction.
 */
export async function loadSampleDatasets({
  handle,
  onProgress,
}: {
  handle: DatabaseHandle;
  onProgress?: (result: SampleLoadResult) => void;
}): Promise<SampleLoadResult[]> {
  const results: SampleLoadResult[] = [];
  for (const sample of SAMPLE_DATASETS) {
    const result = await loadSample(handle, sample);
    onProgress?.(result);
    results.push(result);
  }
  return results;
}

async function loadSample(handle: DatabaseHandle, sample: SampleDataset): Promise<SampleLoadResult> {
  const started = performance.now();
  const bytes = await readFile(path.join(samplesDirectory, sample.fileName));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const existing = await getDataset({ handle, id: sample.id });
  if (existing && existing.sha256 === sha256) {
    return { id: sample.id, status: 'unchanged', rows: existing.rowCount, elapsedMs: performance.now() - started };
  }
  const table = parseCsv(new TextDecoder().decode(bytes), { name: sample.name });
  let timestampsMs = table.timestampsMs;
  let frequencyLabel = table.frequency?.label ?? null;
  if (!timestampsMs) {
    if (!sample.syntheticIndex) throw new Error(`samples: ${sample.fileName} has no timestamp column and no synthetic index`);
    const frequency = frequencyFromLabel(sample.syntheticIndex.frequencyLabel);
    const startMs = Date.parse(sample.syntheticIndex.startIso);
    timestampsMs = new Float64Array(table.rowCount);
    for (let i = 0; i < table.rowCount; i++) timestampsMs[i] = addSteps(startMs, frequency, i);
    frequencyLabel = frequency.label;
  }
  await replaceDataset({
    handle,
    dataset: {
      id: sample.id,
      name: sample.name,
      description: sample.description,
      origin: 'sample',
      fileName: sample.fileName,
      sha256,
      timestampColumn: table.timestampColumn,
      timestampsSynthetic: !table.timestampsMs,
      columns: table.numericColumns,
      frequency: frequencyLabel,
      rowCount: table.rowCount,
      startTs: table.rowCount ? new Date(timestampsMs[0]!) : null,
      endTs: table.rowCount ? new Date(timestampsMs[table.rowCount - 1]!) : null,
      licence: sample.licence,
      attribution: sample.attribution,
      sourceUrl: sample.sourceUrl,
      warnings: table.warnings,
    },
    timestampsMs,
    columns: Object.fromEntries(table.numericColumns.map((column) => [column, table.values[column]!])),
  });
  return { id: sample.id, status: 'loaded', rows: table.rowCount, elapsedMs: performance.now() - started };
}
