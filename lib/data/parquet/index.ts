export { millisecondParsers, openParquetBuffer, parquetError, footerFetchSize, type ParquetFile } from './metadata';
export { parquetColumns, parquetColumnKind } from './schema';
export { planParquetWindow, type ParquetWindowPlan, type ParquetWindowOptions, type ParquetWindowStats, type RowGroupCandidate } from './plan';
export { readParquetWindow, type ParquetReadOptions, type ParquetReadProgress } from './window';
export { BUCKET_ORIGIN_MS, bucketMilliseconds, bucketStart } from './buckets';
export { checkFileSeries } from './file-series';
