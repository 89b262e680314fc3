import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import type { ForecastReport } from '@/lib/report/schema';
import { forecastTable } from './forecast-table';

/**
 * The forecast as a parquet file: `timestamp` (INT64 TIMESTAMP_MILLIS, UTC; only when the data
 * has timestamps), `step` (INT32), `mean` and one DOUBLE column per level (`q0.1`...), nulls for
 * missing values. The model and the whole configuration travel in the key-value metadata.
 */
export function forecastParquet(report: ForecastReport): ArrayBuffer {
  const table = forecastTable(report);
  const columnData: ColumnSource[] = [];
  if (table.timestampsMs) columnData.push({ name: 'timestamp', data: table.timestampsMs.map((ms) => new Date(ms)), type: 'TIMESTAMP', nullable: false });
  columnData.push({ name: 'step', data: Int32Array.from(table.steps), type: 'INT32', nullable: false });
  columnData.push({ name: 'mean', data: table.mean, type: 'DOUBLE' });
  table.quantileColumns.forEach((name, row) => columnData.push({ name, data: table.quantiles[row]!, type: 'DOUBLE' }));
  return parquetWriteBuffer({
    columnData,
    kvMetadata: [
      { key: 'lookahead.model', value: JSON.stringify(report.model) },
      { key: 'lookahead.config', value: JSON.stringify(report.config) },
    ],
    createdBy: 'lookahead',
  });
}
