import 'server-only';
import { z } from 'zod';
import { LookaheadError } from '@/lib/core/errors';
import { frequencyFromLabel, type Frequency } from '@/lib/core/frequency';
import { fromZodError } from '@/lib/server/http';
import type { WindowRequest } from '@/lib/data/window-request';

/**
 * The query parameters of /api/sources/<id>/window, /series and /quality, validated once here.
 * Identifiers (table, time, columns, entity, covariates) are only checked for size: whether they
 * name something is decided against the source's own lists later. Values are typed here. The
 * WindowRequest type itself is pure (lib/data/window-request.ts): the browser worker reads it too.
 */

export type { Aggregation, WindowRequest } from '@/lib/data/window-request';

export const DEFAULT_WINDOW_LIMIT = 10_000;
const MAX_IDENTIFIER_CHARS = 200;

const identifier = z.string().min(1).max(MAX_IDENTIFIER_CHARS);
const identifierList = z
  .string()
  .max(4_000)
  .transform((value) => value.split(',').map((name) => name.trim()))
  .refine((names) => names.every((name) => name.length > 0 && name.length <= MAX_IDENTIFIER_CHARS), 'each name must be 1 to 200 characters')
  .refine((names) => names.length <= 64, 'at most 64 columns');
const timestamp = z.iso
  .datetime({ offset: true })
  .or(z.iso.date())
  .transform((value) => new Date(value.length === 10 ? `${value}T00:00:00Z` : value));
const finiteNumber = z.coerce.number().refine(Number.isFinite, 'must be a finite number');
const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
const range = (low: number, high: number, what: string) =>
  z
    .string()
    .regex(/^\d{1,4}(-\d{1,4})?$/, `${what} must be N or N-M, e.g. ${what === 'years' ? '2014-2016' : '1-3'}`)
    .transform((value, context): [number, number] => {
      const [from, to = from] = value.split('-').map(Number) as [number, number?];
      if (from < low || to > high || from > to) {
        context.addIssue({ code: 'custom', message: `${what} must lie within ${low}-${high} with the smaller number first, got "${value}"` });
        return z.NEVER;
      }
      return [from, to];
    });

const parameters = z
  .object({
    table: identifier.optional(),
    time: identifier.optional(),
    columns: identifierList.optional(),
    entity: identifier.optional(),
    covariates: identifierList.optional(),
    series: z.string().max(MAX_IDENTIFIER_CHARS).optional(),
    start: timestamp.optional(),
    end: timestamp.optional(),
    min: finiteNumber.optional(),
    max: finiteNumber.optional(),
    excludeNulls: flag.optional(),
    bucket: z.string().max(20).optional(),
    agg: z.enum(['avg', 'min', 'max', 'last']).optional(),
    limit: z
      .string()
      .regex(/^\d{1,10}$/, 'limit must be a whole number of rows')
      .transform(Number)
      .refine((value) => value >= 1, 'limit must be at least 1')
      .optional(),
    ids: z
      .string()
      .max(20_000)
      .transform((value) => value.split(',').map((id) => id.trim()))
      .refine((ids) => ids.length <= 1_000 && ids.every((id) => id.length <= MAX_IDENTIFIER_CHARS), 'at most 1000 ids of at most 200 characters')
      .optional(),
    years: range(1, 9999, 'years').optional(),
    months: range(1, 12, 'months').optional(),
  })
  .refine((value) => !value.start || !value.end || value.start <= value.end, { message: 'start must not be after end', path: ['start'] })
  .refine((value) => value.min === undefined || value.max === undefined || value.min <= value.max, { message: 'min must not exceed max', path: ['min'] })
  .refine((value) => !value.agg || value.bucket, { message: 'agg needs a bucket, e.g. bucket=1h&agg=avg', path: ['agg'] });

const FIXED_UNITS = new Set(['second', 'minute', 'hour', 'day', 'week']);

function parseBucket(label: string): Frequency {
  let frequency: Frequency;
  try {
    frequency = frequencyFromLabel(label);
  } catch (error) {
    throw new LookaheadError('window', 'bad_input', `bucket "${label.slice(0, 20)}" is not a duration; use e.g. 30s, 5min, 1h, 1D or 1W`, { cause: error });
  }
  if (!FIXED_UNITS.has(frequency.unit)) {
    throw new LookaheadError('window', 'bad_input', `bucket ${frequency.label} is a calendar step; buckets are fixed durations (s, min, h, D, W)`);
  }
  return frequency;
}

/** Parameters that only the listing routes (/series, /tables) take. */
const LISTING_ONLY = ['ids'] as const;

export function parseWindowRequest(searchParams: URLSearchParams, { rowCap, listing = false }: { rowCap: number; listing?: boolean }): WindowRequest {
  if (!listing) {
    for (const key of LISTING_ONLY) {
      if (searchParams.has(key)) throw new LookaheadError('window', 'bad_input', `${key}= filters GET /api/sources/<id>/series; a window takes one series=<id>`);
    }
  }
  const raw: Record<string, string> = {};
  for (const [key, value] of searchParams) {
    if (key in raw) throw new LookaheadError('window', 'bad_input', `parameter "${key.slice(0, 40)}" is given twice; give it once`);
    raw[key] = value;
  }
  const parsed = parameters.safeParse(raw);
  if (!parsed.success) throw fromZodError('window', parsed.error);
  const value = parsed.data;
  const limit = value.limit ?? Math.min(DEFAULT_WINDOW_LIMIT, rowCap);
  if (limit > rowCap) {
    throw new LookaheadError(
      'window',
      'too_large',
      `limit=${limit} is above this server's cap of ${rowCap} rows per request; narrow start/end, or downsample with bucket= and agg= (e.g. bucket=1h&agg=avg)`,
      { details: { limit, rowCap } },
    );
  }
  return {
    table: value.table,
    time: value.time,
    columns: value.columns,
    entity: value.entity,
    covariates: value.covariates,
    series: value.series,
    start: value.start,
    end: value.end,
    min: value.min,
    max: value.max,
    excludeNulls: value.excludeNulls ?? false,
    bucket: value.bucket === undefined ? undefined : parseBucket(value.bucket),
    agg: value.bucket === undefined ? undefined : (value.agg ?? 'avg'),
    limit,
    ids: value.ids,
    years: value.years,
    months: value.months,
  };
}
