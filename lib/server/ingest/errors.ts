import { LookaheadError, type ErrorCode } from '@/lib/core/errors';

/**
 * One error type per way an ingestion fails, so the CLI (exit code), the audit log (`kind`) and
 * tests can tell them apart. Every message names the file, and the column and value when there
 * is one.
 */
export type IngestFailureKind = 'configuration' | 'not_found' | 'filename' | 'schema' | 'quality';

const codeByKind: Record<IngestFailureKind, ErrorCode> = {
  configuration: 'bad_input',
  not_found: 'not_found',
  filename: 'bad_input',
  schema: 'unsupported',
  quality: 'unsupported',
};

export abstract class IngestError extends LookaheadError {
  abstract readonly kind: IngestFailureKind;
  readonly file: string | null;

  constructor(kind: IngestFailureKind, message: string, options: { file?: string; cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('ingest', codeByKind[kind], message, { cause: options.cause, details: { kind, file: options.file ?? null, ...options.details } });
    this.file = options.file ?? null;
  }
}

/** Arguments or environment that cannot work (no Postgres, unknown source, bad table name). */
export class IngestConfigurationError extends IngestError {
  readonly kind = 'configuration' as const;
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('configuration', message, options);
    this.name = 'IngestConfigurationError';
  }
}

/** The path does not exist or holds no loadable file. */
export class IngestNotFoundError extends IngestError {
  readonly kind = 'not_found' as const;
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super('not_found', message, options);
    this.name = 'IngestNotFoundError';
  }
}

/** A file name that does not match the partition pattern, or disagrees with its folders. */
export class IngestFilenameError extends IngestError {
  readonly kind = 'filename' as const;
  constructor(message: string, options: { file: string; details?: Record<string, unknown> }) {
    super('filename', message, options);
    this.name = 'IngestFilenameError';
  }
}

/** Columns that do not fit the target table (missing, other type) or cannot be stored. */
export class IngestSchemaError extends IngestError {
  readonly kind = 'schema' as const;
  constructor(message: string, options: { file: string; column?: string; cause?: unknown }) {
    super('schema', message, { file: options.file, cause: options.cause, details: { column: options.column ?? null } });
    this.name = 'IngestSchemaError';
  }
}

/** Values that cannot be loaded as they are (missing timestamps, unreadable cells, corrupt files). */
export class IngestQualityError extends IngestError {
  readonly kind = 'quality' as const;
  constructor(message: string, options: { file: string; column?: string; row?: number; value?: string; cause?: unknown }) {
    super('quality', message, { file: options.file, cause: options.cause, details: { column: options.column ?? null, row: options.row ?? null, value: options.value ?? null } });
    this.name = 'IngestQualityError';
  }
}

export function isIngestError(error: unknown): error is IngestError {
  return error instanceof IngestError;
}
