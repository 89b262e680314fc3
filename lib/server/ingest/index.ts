import 'server-only';
export { runIngest, type IngestOptions, type IngestSummary, type FileOutcome, type FileFailure } from './run-ingest';
export {
  IngestError,
  IngestConfigurationError,
  IngestNotFoundError,
  IngestFilenameError,
  IngestSchemaError,
  IngestQualityError,
  isIngestError,
  type IngestFailureKind,
} from './errors';
export { parseTableName, tableNameFromPath } from './target-table';
