import 'server-only';
import type { WindowBatch } from '@/lib/data/arrow-window';
import { planParquetWindow, readParquetWindow, type ParquetWindowOptions, type ParquetWindowStats } from '@/lib/data/parquet';
import type { WindowRequest } from '@/lib/data/window-request';
import type { WindowReader } from '@/lib/server/sources/window-reader';
import type { ParquetFileEntry } from './discovery';
import { openParquetFile } from './metadata';

/**
 * Server-side windows of parquet files on disk: the files are opened here, the window is planned
 * (row groups pruned by their statistics) and read by lib/data/parquet, the same code the browser
 * worker runs over HTTP Range, and handed out in batches as a WindowReader.
 */

export interface ParquetWindowReader extends WindowReader {
  stats: ParquetWindowStats;
}

const BATCH_ROWS = 16_384;

export async function openParquetWindow(entries: ParquetFileEntry[], request: WindowRequest, options: ParquetWindowOptions): Promise<ParquetWindowReader> {
  const files = await Promise.all(entries.map((entry) => openParquetFile(entry.absolutePath, entry.relativePath, entry)));
  const plan = planParquetWindow(files, request, options);
  let batches: WindowBatch[] | null = null;
  let index = 0;
  const controller = new AbortController();

  async function materialize(): Promise<WindowBatch[]> {
    const window = await readParquetWindow(plan, { signal: controller.signal });
    const split: WindowBatch[] = [];
    for (let start = 0; start < window.timestampsMs.length; start += BATCH_ROWS) {
      const end = Math.min(window.timestampsMs.length, start + BATCH_ROWS);
      split.push({
        timestampsMs: window.timestampsMs.subarray(start, end),
        columns: Object.fromEntries(plan.columns.map((name) => [name, window.columns[name]!.subarray(start, end)])),
      });
    }
    return split;
  }

  return {
    columns: plan.columns,
    frequencyLabel: plan.frequencyLabel,
    stats: plan.stats,
    async next() {
      batches ??= await materialize();
      return batches[index++] ?? null;
    },
    async close() {
      controller.abort();
      batches = [];
      index = 0;
    },
  };
}
