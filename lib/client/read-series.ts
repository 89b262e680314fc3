import { frequencyFromLabel, inferFrequency, type Frequency } from '@/lib/core/frequency';
import { decodeWindow } from '@/lib/data/arrow-window';
import { assessQuality, type QualityReport } from '@/lib/data/quality';
import { regularizeWindow } from '@/lib/data/regularize';
import { readParquetRangeWindow } from './parquet-range';
import type { SeriesSource } from './protocol';
import { errorFromResponse } from './response-error';

/**
 * One series window as a browser worker reads it (the forecast worker and the training worker):
 * an inline upload, the Arrow window route, or parquet files by HTTP Range, decoded into typed
 * arrays (NaN = missing), assessed for quality, then put on its regular time grid.
 */
export interface SeriesWindow {
  timestampsMs: Float64Array | null;
  values: Float64Array;
  frequency: Frequency | null;
  /** Says how many missing steps became NaN (null when none). */
  gapNote: string | null;
  quality: QualityReport;
}

export interface ReadSeriesOptions {
  origin: string;
  signal: AbortSignal;
  onProgress?: (message: string, fraction?: number) => void;
}

/**
 * Puts the series on its regular time grid: a step missing from the data becomes NaN, so models
 * see the gap instead of two neighbours stitched together (the note says how many).
 */
function onRegularGrid(series: { timestampsMs: Float64Array | null; values: Float64Array; frequency: Frequency | null }) {
  if (!series.timestampsMs || !series.frequency || series.timestampsMs.length < 2) return { ...series, gapNote: null };
  const regular = regularizeWindow(series.timestampsMs, { value: series.values }, series.frequency);
  if (regular.insertedRows === 0) return { ...series, gapNote: null };
  return {
    timestampsMs: regular.timestampsMs,
    values: regular.columns.value!,
    frequency: series.frequency,
    gapNote: `${regular.insertedRows} missing ${series.frequency.description} step(s) in this window are treated as missing values (NaN), not filled from their neighbours.`,
  };
}

/** The window as read (its quality report judges what the source holds), then on its regular grid. */
export async function readSeriesWindow(source: SeriesSource, options: ReadSeriesOptions): Promise<SeriesWindow> {
  const raw = await readRaw(source, options);
  const quality = assessQuality({ timestampsMs: raw.timestampsMs, values: raw.values, frequency: raw.frequency, nowMs: Date.now() });
  return { ...onRegularGrid(raw), quality };
}

async function readRaw(source: SeriesSource, { origin, signal, onProgress }: ReadSeriesOptions): Promise<{ timestampsMs: Float64Array | null; values: Float64Array; frequency: Frequency | null }> {
  if (source.kind === 'inline') {
    const frequency = source.frequency ? frequencyFromLabel(source.frequency) : source.timestampsMs ? inferFrequency(source.timestampsMs) : null;
    return { timestampsMs: source.timestampsMs ? Float64Array.from(source.timestampsMs) : null, values: Float64Array.from(source.values), frequency };
  }
  if (source.transport === 'parquet-range') {
    const { window, frequencyLabel } = await readParquetRangeWindow({ origin, sourceId: source.sourceId, params: source.params, signal, onProgress: (message, fraction) => onProgress?.(message, fraction) });
    const frequency: Frequency | null = frequencyLabel ? frequencyFromLabel(frequencyLabel) : inferFrequency(window.timestampsMs);
    return { timestampsMs: window.timestampsMs, values: window.columns[source.column]!, frequency };
  }
  const response = await fetch(new URL(`/api/sources/${encodeURIComponent(source.sourceId)}/window?${new URLSearchParams(source.params)}`, origin), { signal });
  if (!response.ok || !response.body) throw await errorFromResponse(response, 'sources', `window request failed with HTTP ${response.status}`);
  const frequencyLabel = response.headers.get('x-lookahead-frequency');
  const window = await decodeWindow(response.body, (rows) => onProgress?.(`received ${rows} of up to ${source.limit} rows`, rows / source.limit));
  const frequency: Frequency | null = frequencyLabel ? frequencyFromLabel(frequencyLabel) : inferFrequency(window.timestampsMs);
  return { timestampsMs: window.timestampsMs, values: window.columns[source.column]!, frequency };
}
