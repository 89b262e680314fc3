import { addSteps, frequencyFromLabel, type Frequency } from '@/lib/core/frequency';
import type { ReportQuality } from './schema';

/**
 * The verdict on each data-quality check of a report, for the panel next to the chart: "ok",
 * "warning", or "unknown" when the data cannot answer (no frequency, no values, no timestamps).
 */

export type QualityCheck = 'missing' | 'gaps' | 'outliers' | 'duplicates' | 'freshness';
export type QualityStatus = 'ok' | 'warning' | 'unknown';

export const QUALITY_CHECKS: readonly QualityCheck[] = ['missing', 'gaps', 'outliers', 'duplicates', 'freshness'];

/** Data is stale once the newest point is more than this many steps of its frequency old at the run. */
export const STALE_AFTER_STEPS = 2;

/** The report's frequency, or null when it has none or the label is not one we read. */
export function qualityFrequency(quality: ReportQuality): Frequency | null {
  if (!quality.frequency) return null;
  try {
    return frequencyFromLabel(quality.frequency);
  } catch {
    return null;
  }
}

/** When the run read the window: the newest point plus its age then. */
export function qualityRunAtMs(quality: ReportQuality): number | null {
  const freshness = quality.freshness;
  return freshness && freshness.ageMs !== null ? freshness.newestMs + freshness.ageMs : null;
}

export function qualityStatuses(quality: ReportQuality): Record<QualityCheck, QualityStatus> {
  const frequency = qualityFrequency(quality);
  const runAtMs = qualityRunAtMs(quality);
  const flag = (count: number): QualityStatus => (count > 0 ? 'warning' : 'ok');
  let freshness: QualityStatus = 'unknown';
  if (quality.freshness && runAtMs !== null && frequency) {
    freshness = addSteps(quality.freshness.newestMs, frequency, STALE_AFTER_STEPS) < runAtMs ? 'warning' : 'ok';
  }
  return {
    missing: quality.rowCount === 0 ? 'unknown' : flag(quality.missing.count),
    gaps: frequency ? flag(quality.gaps.count) : 'unknown',
    outliers: quality.outliers.median === null ? 'unknown' : flag(quality.outliers.count),
    duplicates: flag(quality.duplicates.count),
    freshness,
  };
}

/** A note as a sentence: capital first letter, a full stop at the end. */
export function asSentence(note: string): string {
  const trimmed = note.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
