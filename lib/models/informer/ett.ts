/**
 * The paper's ETT splits (Dataset_ETT_hour): 12/4/4 months of 30 days, counted in rows; val and
 * test start contextLength rows early so their first window has a full history. Rows after the
 * test split are never used.
 */
export interface SplitBorders {
  train: [number, number];
  validation: [number, number];
  test: [number, number];
}

/** stepsPerDay: 24 for ETTh, 96 for ETTm (15-minute). */
export function ettSplits(contextLength: number, stepsPerDay = 24): SplitBorders {
  const month = 30 * stepsPerDay;
  return {
    train: [0, 12 * month],
    validation: [12 * month - contextLength, 16 * month],
    test: [16 * month - contextLength, 20 * month],
  };
}

/** Generic 70/10/20 splits (the later Informer code's custom data) for any table. */
export function ratioSplits(rows: number, contextLength: number, train = 0.7, test = 0.2): SplitBorders {
  const trainRows = Math.floor(rows * train);
  const testRows = Math.floor(rows * test);
  const validationRows = rows - trainRows - testRows;
  return {
    train: [0, trainRows],
    validation: [trainRows - contextLength, trainRows + validationRows],
    test: [rows - testRows - contextLength, rows],
  };
}
