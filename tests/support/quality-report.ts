import { readFileSync } from 'node:fs';
import type { ForecastResult } from '@/lib/client/protocol';
import { reportFromForecast } from '@/lib/client/report';
import { parseForecastConfig } from '@/lib/config';
import { DEFAULT_QUANTILE_LEVELS } from '@/lib/core/forecast';
import { parseCsv } from '@/lib/data/csv';
import { assessQuality } from '@/lib/data/quality';
import { regularizeWindow } from '@/lib/data/regularize';
import { createBaselineModel, forecastSeries } from '@/lib/models';
import type { ForecastReport } from '@/lib/report';
import { loadAugursNode } from '@/lib/runtime/augurs-node';

/**
 * A seasonal-naive forecast report of a sample CSV built in Node the way the worker builds it: the
 * quality report judges the rows as read, the model sees them on their regular grid.
 */
export async function sampleForecastReport({
  file,
  source,
  horizon = 12,
  nowMs,
}: {
  file: string;
  source: string;
  horizon?: number;
  /** "Now" of the run, for freshness. */
  nowMs: number;
}): Promise<ForecastReport> {
  const table = parseCsv(readFileSync(file, 'utf8'));
  const column = table.numericColumns[0]!;
  const raw = { timestampsMs: table.timestampsMs!, values: table.values[column]! };
  const frequency = table.frequency!;
  const quality = assessQuality({ timestampsMs: raw.timestampsMs, values: raw.values, frequency, nowMs });
  const regular = regularizeWindow(raw.timestampsMs, { value: raw.values }, frequency);
  const timestampsMs = Array.from(regular.timestampsMs);
  const values = regular.columns.value!;
  const model = await createBaselineModel('seasonal-naive', { augurs: loadAugursNode });
  const run = await forecastSeries({ model, values, timestampsMs, frequency, horizon, quantileLevels: DEFAULT_QUANTILE_LEVELS });
  const result: ForecastResult = {
    source: { kind: 'source', sourceId: source, column, limit: table.rowCount, params: { columns: column, limit: String(table.rowCount) } },
    model: run.model,
    history: { timestampsMs: Float64Array.from(timestampsMs), values: Float64Array.from(values) },
    frequency: frequency.label,
    forecast: run.forecast,
    forecastTimestampsMs: run.timestampsMs,
    runtime: { device: 'wasm', label: 'Node', reason: 'test' },
    quality,
    timings: { fetchMs: 0, fitMs: run.fitMs, forecastMs: run.forecastMs, totalMs: run.fitMs + run.forecastMs },
  };
  const config = parseForecastConfig({ version: 1, source, target: column, model: 'seasonal-naive', context: table.rowCount, horizon, quantileLevels: [...DEFAULT_QUANTILE_LEVELS] });
  return reportFromForecast({ config, dataName: source, result });
}
