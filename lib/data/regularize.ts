/**
 * Puts a window on its regular time grid: every absent step (a gap against the frequency) becomes
 * a row of NaNs, so a model sees "missing" where the data has a hole instead of two neighbours
 * stitched together. Pure; the input must be sorted by time.
 */
import { addSteps, findGaps, type Frequency } from '@/lib/core/frequency';

export interface RegularWindow {
  timestampsMs: Float64Array;
  columns: Record<string, Float64Array>;
  /** How many NaN rows were inserted. */
  insertedRows: number;
}

/** Refuses grids this much larger than the data: a wrong frequency would otherwise allocate without bound. */
const MAX_GROWTH = 100;

export function regularizeWindow(timestampsMs: Float64Array, columns: Record<string, Float64Array>, frequency: Frequency): RegularWindow {
  const gaps = findGaps(timestampsMs, frequency);
  const insertedRows = gaps.reduce((total, gap) => total + gap.missingSteps, 0);
  if (insertedRows === 0) return { timestampsMs, columns, insertedRows: 0 };
  const length = timestampsMs.length + insertedRows;
  if (length > Math.max(1_000, timestampsMs.length * MAX_GROWTH)) {
    throw new RangeError(
      `regularize: filling ${insertedRows} missing ${frequency.label} steps would grow ${timestampsMs.length} rows ${Math.round(length / timestampsMs.length)}-fold; check the frequency`,
    );
  }
  const names = Object.keys(columns);
  const outTimestamps = new Float64Array(length);
  const outColumns = Object.fromEntries(names.map((name) => [name, new Float64Array(length).fill(Number.NaN)]));
  let out = 0;
  let gapIndex = 0;
  for (let index = 0; index < timestampsMs.length; index++) {
    outTimestamps[out] = timestampsMs[index]!;
    for (const name of names) outColumns[name]![out] = columns[name]![index]!;
    out++;
    const gap = gaps[gapIndex];
    if (gap && gap.afterIndex === index) {
      for (let step = 1; step <= gap.missingSteps; step++) outTimestamps[out++] = addSteps(gap.fromMs, frequency, step);
      gapIndex++;
    }
  }
  return { timestampsMs: outTimestamps, columns: outColumns, insertedRows };
}
