import { frequencyFromLabel, type Frequency } from '@/lib/core/frequency';

/**
 * A window of a source as every reader takes it: the server's SQL and parquet readers, and the
 * browser worker reading parquet by HTTP Range. The server validates the query parameters into
 * one of these (lib/server/sources/window-request.ts) and sends the browser its JSON form, so
 * both sides read the window the same query describes.
 */

export type Aggregation = 'avg' | 'min' | 'max' | 'last';

export interface WindowRequest {
  table?: string;
  time?: string;
  /** Target columns. */
  columns?: string[];
  entity?: string;
  covariates?: string[];
  /** The entity id of the series; '' = the only series. */
  series?: string;
  start?: Date;
  end?: Date;
  min?: number;
  max?: number;
  excludeNulls: boolean;
  bucket?: Frequency;
  agg?: Aggregation;
  /** The newest `limit` rows (or buckets) of the range. */
  limit: number;
  /** /series: only these entity ids. */
  ids?: string[];
  /** Parquet partitions: inclusive ranges. */
  years?: [number, number];
  months?: [number, number];
}

/** A WindowRequest as plain JSON: times as ISO strings, the bucket as its label. */
export type WindowRequestJson = Omit<WindowRequest, 'start' | 'end' | 'bucket'> & { start?: string; end?: string; bucket?: string };

export function windowRequestToJson(request: WindowRequest): WindowRequestJson {
  const { start, end, bucket, ...rest } = request;
  return { ...rest, start: start?.toISOString(), end: end?.toISOString(), bucket: bucket?.label };
}

export function windowRequestFromJson(json: WindowRequestJson): WindowRequest {
  const { start, end, bucket, ...rest } = json;
  return {
    ...rest,
    start: start === undefined ? undefined : new Date(start),
    end: end === undefined ? undefined : new Date(end),
    bucket: bucket === undefined ? undefined : frequencyFromLabel(bucket),
  };
}
