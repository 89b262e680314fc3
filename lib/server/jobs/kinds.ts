import 'server-only';
import type { z } from 'zod';
import { LookaheadError } from '@/lib/core/errors';
import type { DatabaseHandle, NewResult } from '@/db';
import type { JobSettings } from './config';

/**
 * A job kind: what the queue layer needs to know of forecast-batch, backtest-batch or train.
 * The queue layer (submit, worker, events, results) only ever goes through this interface, so a
 * new kind registers itself here and nothing else changes.
 */

export interface PlanContext {
  handle: DatabaseHandle;
  settings: JobSettings;
}

export interface JobPlan {
  /** Item keys in job order (series ids; a training kind's shards). Chunked by `chunkSize`. */
  series: string[];
  /** Short description for lists ("chronos-bolt-small x 10,000 series of metrics.load"). */
  title: string;
}

export interface ChunkItem {
  id: string;
  /** Position in the job (stable ordering of results and downloads). */
  position: number;
}

export interface ChunkContext {
  handle: DatabaseHandle;
  /** The database to read the app's own source from (a pool of its own on Postgres, so a stuck read never starves heartbeats). */
  readHandle: DatabaseHandle;
  settings: JobSettings;
  jobId: string;
  chunkIndex: number;
  /** Items of the chunk that have no result yet (earlier attempts' results are kept). */
  items: readonly ChunkItem[];
  /** Aborted when the job is cancelled, the lease is lost or the worker shuts down. */
  signal: AbortSignal;
  /** Stores successful results at once (idempotent), so a crash later loses only what was not written. */
  write(results: readonly NewResult[]): Promise<void>;
}

export interface ChunkFailure {
  id: string;
  position: number;
  error: string;
}

export interface JobKind<Params = unknown> {
  kind: string;
  label: string;
  /** Validates the submitted params (shape only); defaults filled in. */
  schema: z.ZodType<Params>;
  /** Checks params against this server (source exists, model known, sizes) and lists the items: 4xx LookaheadErrors. */
  plan(params: Params, context: PlanContext): Promise<JobPlan>;
  /** Runs a chunk's items; writes successes through `context.write`, answers the failures (retried, then recorded). */
  runChunk(params: Params, context: ChunkContext): Promise<ChunkFailure[]>;
  /** A bounded summary when the job finishes (e.g. the backtest comparison), stored on the job. */
  summarize?(params: Params, context: { handle: DatabaseHandle; jobId: string }): Promise<Record<string, unknown>>;
  /** Live detail while the job runs (a training run's step and epoch), shown by GET /api/jobs/<id> and its events. */
  progress?(params: Params, context: { handle: DatabaseHandle; jobId: string }): Promise<Record<string, unknown> | null>;
  /** Flat rows for CSV/parquet downloads of one result payload. */
  exportRows?(params: Params, payload: Record<string, unknown>): ExportRow[];
  /** The columns exportRows fills, from the params alone (so a download whose first results failed still has them). */
  exportColumns?(params: Params): ExportColumn[];
}

export interface ExportColumn {
  name: string;
  type: 'DOUBLE' | 'STRING';
}

export type ExportRow = Record<string, string | number | null>;

const registry = new Map<string, JobKind<unknown>>();

export function registerJobKind<Params>(kind: JobKind<Params>): void {
  registry.set(kind.kind, kind as JobKind<unknown>);
}

export function getJobKind(kind: string): JobKind<unknown> {
  const found = registry.get(kind);
  if (!found) throw new LookaheadError('jobs', 'bad_input', `unknown job kind "${kind.slice(0, 60)}"; available: ${[...registry.keys()].join(', ')}`);
  return found;
}

export function listJobKinds(): string[] {
  return [...registry.keys()];
}
