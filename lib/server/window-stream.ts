import 'server-only';
import { LookaheadError } from '@/lib/core/errors';
import { WindowStreamEncoder } from '@/lib/data/arrow-window';
import type { DatabaseHandle, Dataset } from '@/db';

export interface WindowQuery {
  seriesId: string;
  columns: string[];
  start?: Date;
  end?: Date;
  /** The newest `limit` points of the range. */
  limit: number;
}

/** Rows per Arrow record batch: small enough to show progress, large enough to amortise. */
const PAGE_ROWS = 5_000;

/**
 * A pull-based Arrow IPC stream of a dataset window: each pull reads the next page by keyset
 * (ts > last) and encodes it, so memory stays at one page whatever the window size, and a client
 * that goes away simply stops pulling. Column names are checked against the dataset's own list
 * (the allow-list) and only ever travel as parameters.
 */
export function streamDatasetWindow(handle: DatabaseHandle, dataset: Dataset, query: WindowQuery): ReadableStream<Uint8Array> {
  for (const column of query.columns) {
    if (!dataset.columns.includes(column)) {
      throw new LookaheadError('sources', 'bad_input', `column "${column}" is not in source "${dataset.id}"; valid columns: ${dataset.columns.join(', ')}`);
    }
  }
  const encoder = new WindowStreamEncoder(query.columns);
  const filters = query.columns.map((_, index) => `max(value) FILTER (WHERE column_name = $${index + 6}) AS c${index}`).join(', ');
  let lastMs: number | null = null;
  let remaining = query.limit;
  let started = false;

  async function firstTimestamp(): Promise<number | null> {
    // The window is the newest `limit` points: find where it starts, then stream forwards.
    const rows = await handle.query<{ ms: number | string }>(
      `SELECT (extract(epoch FROM ts) * 1000)::float8 AS ms FROM series_points
        WHERE dataset_id = $1 AND series_id = $2 AND column_name = $3
          AND ($4::timestamptz IS NULL OR ts >= $4::timestamptz) AND ($5::timestamptz IS NULL OR ts <= $5::timestamptz)
        ORDER BY ts DESC OFFSET $6 LIMIT 1`,
      [dataset.id, query.seriesId, query.columns[0], query.start ?? null, query.end ?? null, query.limit - 1],
    );
    return rows[0] ? Number(rows[0].ms) : null;
  }

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (!started) {
            started = true;
            const from = await firstTimestamp();
            lastMs = from === null ? null : from - 1;
            controller.enqueue(encoder.header());
            return;
          }
          if (remaining <= 0) {
            controller.enqueue(encoder.end());
            controller.close();
            return;
          }
          const pageRows = Math.min(PAGE_ROWS, remaining);
          const fromDate = lastMs === null ? (query.start ?? null) : new Date(lastMs + 1);
          const rows = await handle.query<Record<string, number | string | null>>(
            `SELECT (extract(epoch FROM ts) * 1000)::float8 AS ms, ${filters} FROM series_points
              WHERE dataset_id = $1 AND series_id = $2 AND column_name = ANY($3::text[])
                AND ($4::timestamptz IS NULL OR ts >= $4::timestamptz) AND ($5::timestamptz IS NULL OR ts <= $5::timestamptz)
              GROUP BY ts ORDER BY ts LIMIT ${pageRows}`,
            [dataset.id, query.seriesId, query.columns, fromDate, query.end ?? null, ...query.columns],
          );
          if (rows.length === 0) {
            controller.enqueue(encoder.end());
            controller.close();
            return;
          }
          const timestampsMs = new Float64Array(rows.length);
          const columns = Object.fromEntries(query.columns.map((name) => [name, new Float64Array(rows.length)]));
          rows.forEach((row, i) => {
            timestampsMs[i] = Number(row.ms);
            query.columns.forEach((name, index) => {
              const value = row[`c${index}`];
              columns[name]![i] = value === null || value === undefined ? Number.NaN : Number(value);
            });
          });
          lastMs = timestampsMs[rows.length - 1]!;
          remaining -= rows.length;
          controller.enqueue(encoder.batch({ timestampsMs, columns }));
        } catch (error) {
          controller.error(error);
        }
      },
    },
    { highWaterMark: 1 },
  );
}
