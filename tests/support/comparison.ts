import { readFileSync } from 'node:fs';
import type { BacktestResult } from '@/lib/client/protocol';
import { parseCsv } from '@/lib/data/csv';
import { assessQuality } from '@/lib/data/quality';
import { runComparison, type ComparisonSettings } from '@/lib/evaluation';
import { BASELINE_MODELS, createBaselineModel, SEASONAL_NAIVE_INFO } from '@/lib/models';
import { loadAugursNode } from '@/lib/runtime/augurs-node';

/**
 * The worker's backtest comparison, run in Node on a sample CSV with the same code and the same
 * augurs WASM: the numbers the page must show. Baseline models only (what Node runs here).
 */
export async function compareInNode({
  file,
  column,
  settings,
  modelIds = BASELINE_MODELS.filter((model) => !model.optIn).map((model) => model.id), // as the page's "every model"
}: {
  file: string;
  column: string;
  settings: ComparisonSettings;
  modelIds?: string[];
}): Promise<BacktestResult> {
  const table = parseCsv(readFileSync(file, 'utf8'));
  const needed = settings.context + (settings.windows - 1) * settings.step + settings.horizon;
  const values = table.values[column]!.slice(-needed);
  const timestampsMs = table.timestampsMs ? Array.from(table.timestampsMs.slice(-needed)) : null;
  const models = modelIds.map((id) => BASELINE_MODELS.find((model) => model.id === id)!);
  const run = await runComparison({
    models,
    createModel: async (info) => ({
      model: await createBaselineModel(info.id, { augurs: loadAugursNode }),
      runtime: { device: 'wasm', label: 'Node', reason: 'test' },
    }),
    series: { values, timestampsMs, frequency: table.frequency },
    settings,
    baselineId: SEASONAL_NAIVE_INFO.id,
  });
  return {
    source: { kind: 'inline', name: file, column, timestampsMs, values: Array.from(values), frequency: table.frequency?.label ?? null },
    history: { timestampsMs: timestampsMs ? Float64Array.from(timestampsMs) : null, values: Float64Array.from(values) },
    frequency: table.frequency?.label ?? null,
    context: settings.context,
    horizon: settings.horizon,
    quantileLevels: settings.quantileLevels,
    ...run,
    // As the worker does: the window as read, judged at the time of the run.
    quality: assessQuality({ timestampsMs, values, frequency: table.frequency, nowMs: Date.now() }),
    timings: { fetchMs: 0, totalMs: 0 },
  };
}
