import 'server-only';
export { compileFileNamePattern, type FileNamePattern, type FileNameFields } from './pattern';
export { discoverParquetFiles, partitionMatches, type ParquetFileEntry, type SkippedFile, type PartitionFilter } from './discovery';
export { openParquetFile } from './metadata';
export { openParquetWindow, type ParquetWindowReader } from './window';
export { directorySource, describeParquetSource, listParquetFiles, listParquetSeries, openParquetSourceWindow, servedFilePath, type ParquetSource } from './parquet-source';
export { parseByteRange, type ByteRange } from './byte-range';
export { fileResponse, resolveInside, etagFor } from './file-response';
