/**
 * Data quality of one series window, the same numbers on the server (GET .../quality) and in the
 * browser: missing-value share, gaps against the inferred frequency, robust-z outliers, duplicate
 * timestamps and freshness. Pure: no I/O, no clock unless the caller passes `nowMs`.
 */
import { findGaps, inferFrequency, type Frequency, type Gap } from '@/lib/core/frequency';
import { medianInPlace } from '@/lib/core/median';

/** Lists in the report stop here; the counts are always complete. */
export const QUALITY_LIST_LIMIT = 100;

/**
 * Iglewicz and Hoaglin's cut-off for the modified z-score: |z| > 3.5 flags a point as an outlier
 * ("How to Detect and Handle Outliers", ASQC 1993).
 */
export const DEFAULT_OUTLIER_THRESHOLD = 3.5;

/** 0.6745 is the 0.75 quantile of the standard normal: it makes MAD comparable to a standard deviation. */
const MAD_SCALE = 0.6745;
/** When MAD is 0 (more than half the values equal), the mean absolute deviation times sqrt(pi/2) stands in. */
const MEAN_AD_SCALE = 1.253314;

export interface QualityInput {
  /** UTC milliseconds, one per value; null when the series has no timestamps. */
  timestampsMs: ArrayLike<number> | null;
  /** NaN = missing. */
  values: ArrayLike<number>;
  /** The series' frequency; inferred from the timestamps when left out. */
  frequency?: Frequency | null;
  /** "Now" for freshness; freshness is left out when absent. */
  nowMs?: number;
  outlierThreshold?: number;
}

export interface QualityReport {
  rowCount: number;
  missing: { count: number; share: number };
  frequency: string | null;
  gaps: {
    /** Runs of absent steps. */
    count: number;
    /** Steps absent in all gaps together. */
    missingSteps: number;
    /** missingSteps / (rows + missingSteps): the share of the regular grid that is absent. */
    share: number;
    list: Gap[];
  };
  outliers: {
    count: number;
    threshold: number;
    median: number | null;
    /** Median absolute deviation; 0 when more than half the values are equal. */
    mad: number | null;
    /** Positions in the window, with their value, modified z-score and timestamp (null without timestamps). */
    list: { index: number; value: number; score: number; timestampMs: number | null }[];
  };
  duplicates: {
    /** Rows whose timestamp equals an earlier row's. */
    count: number;
    timestampsMs: number[];
  };
  freshness: { newestMs: number; ageMs: number } | null;
  /** One sentence per finding, for the panel next to the chart. */
  notes: string[];
}

export function assessQuality(input: QualityInput): QualityReport {
  const values = input.values;
  const threshold = input.outlierThreshold ?? DEFAULT_OUTLIER_THRESHOLD;
  const rowCount = values.length;

  let missingCount = 0;
  for (let index = 0; index < rowCount; index++) if (Number.isNaN(values[index]!)) missingCount++;

  const sortedTimestamps = input.timestampsMs ? sortedFinite(input.timestampsMs) : null;
  const frequency = input.frequency !== undefined ? input.frequency : sortedTimestamps ? inferFrequency(sortedTimestamps) : null;
  const gaps = sortedTimestamps && frequency ? findGaps(sortedTimestamps, frequency) : [];
  const missingSteps = gaps.reduce((total, gap) => total + gap.missingSteps, 0);
  const duplicates = sortedTimestamps ? duplicateTimestamps(sortedTimestamps) : { count: 0, timestampsMs: [] };
  const outliers = robustOutliers(values, threshold, input.timestampsMs);
  const newestMs = sortedTimestamps && sortedTimestamps.length ? sortedTimestamps[sortedTimestamps.length - 1]! : null;
  const freshness = newestMs !== null && input.nowMs !== undefined ? { newestMs, ageMs: input.nowMs - newestMs } : null;

  const report: QualityReport = {
    rowCount,
    missing: { count: missingCount, share: rowCount ? missingCount / rowCount : 0 },
    frequency: frequency?.label ?? null,
    gaps: {
      count: gaps.length,
      missingSteps,
      share: rowCount + missingSteps ? missingSteps / (rowCount + missingSteps) : 0,
      list: gaps.slice(0, QUALITY_LIST_LIMIT),
    },
    outliers,
    duplicates,
    freshness,
    notes: [],
  };
  report.notes = describeQuality(report);
  return report;
}

function sortedFinite(timestampsMs: ArrayLike<number>): Float64Array {
  const out = new Float64Array(timestampsMs.length);
  let count = 0;
  let sorted = true;
  for (let index = 0; index < timestampsMs.length; index++) {
    const value = timestampsMs[index]!;
    if (!Number.isFinite(value)) continue;
    if (count > 0 && value < out[count - 1]!) sorted = false;
    out[count++] = value;
  }
  const finite = out.subarray(0, count);
  return sorted ? finite : finite.sort();
}

function duplicateTimestamps(sortedMs: Float64Array): QualityReport['duplicates'] {
  let count = 0;
  const listed: number[] = [];
  for (let index = 1; index < sortedMs.length; index++) {
    if (sortedMs[index] === sortedMs[index - 1]) {
      count++;
      if (listed.length < QUALITY_LIST_LIMIT && listed[listed.length - 1] !== sortedMs[index]) listed.push(sortedMs[index]!);
    }
  }
  return { count, timestampsMs: listed };
}

/**
 * Modified z-score 0.6745 (x - median) / MAD; NaNs are skipped, indices refer to the input, and
 * `timestampsMs` (aligned with `values`) dates each outlier so a chart can mark it.
 */
export function robustOutliers(
  values: ArrayLike<number>,
  threshold = DEFAULT_OUTLIER_THRESHOLD,
  timestampsMs: ArrayLike<number> | null = null,
): QualityReport['outliers'] {
  let presentCount = 0;
  for (let index = 0; index < values.length; index++) if (Number.isFinite(values[index]!)) presentCount++;
  if (presentCount === 0) return { count: 0, threshold, median: null, mad: null, list: [] };
  const present = new Float64Array(presentCount);
  for (let index = 0, at = 0; index < values.length; index++) if (Number.isFinite(values[index]!)) present[at++] = values[index]!;
  const deviations = new Float64Array(presentCount);
  // Medians by selection, not sorting: the same numbers in linear time (a million values took seconds sorted twice).
  const center = medianInPlace(present);
  for (let index = 0; index < presentCount; index++) deviations[index] = Math.abs(present[index]! - center);
  const mad = medianInPlace(deviations);
  let scale: number;
  if (mad > 0) {
    scale = mad / MAD_SCALE;
  } else {
    // Summed in ascending order, as before selection replaced the sort, so the scale is the same to the last bit.
    const meanDeviation = deviations.sort().reduce((total, value) => total + value, 0) / deviations.length;
    scale = meanDeviation * MEAN_AD_SCALE;
  }
  let count = 0;
  const list: QualityReport['outliers']['list'] = [];
  if (scale > 0) {
    for (let index = 0; index < values.length; index++) {
      const value = values[index]!;
      if (!Number.isFinite(value)) continue;
      const score = (value - center) / scale;
      if (Math.abs(score) > threshold) {
        count++;
        const timestampMs = timestampsMs && Number.isFinite(timestampsMs[index]) ? timestampsMs[index]! : null;
        if (list.length < QUALITY_LIST_LIMIT) list.push({ index, value, score, timestampMs });
      }
    }
  }
  return { count, threshold, median: center, mad, list };
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.01 ? 2 : 1)}%`;
}

function describeQuality(report: QualityReport): string[] {
  const notes: string[] = [];
  if (report.missing.count) notes.push(`${report.missing.count} of ${report.rowCount} values are missing (${percent(report.missing.share)})`);
  if (report.gaps.count) {
    notes.push(
      `${report.gaps.missingSteps} time steps of ${report.frequency} are absent in ${report.gaps.count} gap${report.gaps.count === 1 ? '' : 's'}; models see them as missing values, not stitched neighbours`,
    );
  }
  if (report.duplicates.count) notes.push(`${report.duplicates.count} rows repeat an earlier timestamp`);
  if (report.outliers.count) notes.push(`${report.outliers.count} values have a robust z-score above ${report.outliers.threshold}`);
  if (!report.frequency && report.rowCount > 1) notes.push('no regular frequency could be inferred, so gaps are not checked');
  return notes;
}
