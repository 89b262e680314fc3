import 'server-only';
import { asc, eq } from 'drizzle-orm';
import type { DatabaseHandle } from '../client';
import { datasets, type Dataset, type NewDataset } from '../schema';

export async function listDatasets({ handle }: { handle: DatabaseHandle }): Promise<Dataset[]> {
  return handle.db.select().from(datasets).orderBy(asc(datasets.name));
}

export async function getDataset({ handle, id }: { handle: DatabaseHandle; id: string }): Promise<Dataset | null> {
  const rows = await handle.db.select().from(datasets).where(eq(datasets.id, id)).limit(1);
  return rows[0] ?? null;
}

/** Rows per INSERT: large enough to amortise round trips, small enough for PGlite's memory. */
const INSERT_CHUNK = 20_000;

/**
 * Replaces a dataset and all its points in one transaction: a crash part-way leaves the previous
 * state (or nothing), never half a dataset, so a re-run never duplicates rows.
 */
export async function replaceDataset({
  handle,
  dataset,
  timestampsMs,
  columns,
}: {
  handle: DatabaseHandle;
  dataset: NewDataset;
  timestampsMs: Float64Array;
  columns: Record<string, Float64Array>;
}): Promise<void> {
  await handle.transaction(async (query) => {
    await query('DELETE FROM datasets WHERE id = $1', [dataset.id]);
    await query(
      `INSERT INTO datasets (id, name, description, origin, file_name, sha256, timestamp_column, timestamps_synthetic,
         columns, frequency, row_count, start_ts, end_ts, licence, attribution, source_url, warnings)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9::jsonb,$10,$11,$12,$13,$14,$15,$16,$17::jsonb)`,
      [
        dataset.id,
        dataset.name,
        dataset.description ?? '',
        dataset.origin,
        dataset.fileName,
        dataset.sha256,
        dataset.timestampColumn ?? null,
        dataset.timestampsSynthetic ?? false,
        // Values themselves, not JSON text: postgres.js serialises a ::jsonb parameter as JSON
        // and would store a JSON string holding the array.
        dataset.columns,
        dataset.frequency ?? null,
        dataset.rowCount,
        dataset.startTs ?? null,
        dataset.endTs ?? null,
        dataset.licence ?? '',
        dataset.attribution ?? '',
        dataset.sourceUrl ?? '',
        dataset.warnings ?? [],
      ],
    );
    for (const [column, values] of Object.entries(columns)) {
      for (let start = 0; start < values.length; start += INSERT_CHUNK) {
        const end = Math.min(values.length, start + INSERT_CHUNK);
        const seconds: number[] = [];
        const cells: (number | null)[] = [];
        for (let i = start; i < end; i++) {
          seconds.push(timestampsMs[i]! / 1000);
          const value = values[i]!;
          cells.push(Number.isNaN(value) ? null : value);
        }
        await query(
          `INSERT INTO series_points (dataset_id, series_id, column_name, ts, value)
           SELECT $1, '', $2, to_timestamp(u.seconds), u.value FROM unnest($3::float8[], $4::float8[]) AS u(seconds, value)`,
          [dataset.id, column, seconds, cells],
        );
      }
    }
  });
}

export interface SeriesWindow {
  timestampsMs: Float64Array;
  /** NaN where the stored value is NULL. */
  values: Float64Array;
}

/**
 * The newest `limit` points of one column of one series at or before `end` (and at or after
 * `start`), in time order. A range scan on the series_points primary key.
 */
export async function readSeriesWindow({
  handle,
  datasetId,
  seriesId = '',
  column,
  start,
  end,
  limit,
}: {
  handle: DatabaseHandle;
  datasetId: string;
  seriesId?: string;
  column: string;
  start?: Date;
  end?: Date;
  limit: number;
}): Promise<SeriesWindow> {
  const rows = await handle.query<{ ms: number | string; value: number | null }>(
    `SELECT (extract(epoch FROM ts) * 1000)::float8 AS ms, value FROM series_points
      WHERE dataset_id = $1 AND series_id = $2 AND column_name = $3
        AND ($4::timestamptz IS NULL OR ts >= $4::timestamptz)
        AND ($5::timestamptz IS NULL OR ts <= $5::timestamptz)
      ORDER BY ts DESC LIMIT $6`,
    [datasetId, seriesId, column, start ?? null, end ?? null, limit],
  );
  const count = rows.length;
  const timestampsMs = new Float64Array(count);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const row = rows[count - 1 - i]!;
    timestampsMs[i] = Number(row.ms);
    values[i] = row.value === null ? Number.NaN : Number(row.value);
  }
  return { timestampsMs, values };
}

export async function countPoints({ handle, datasetId }: { handle: DatabaseHandle; datasetId: string }): Promise<number> {
  const rows = await handle.query<{ count: string | number }>('SELECT count(*)::int AS count FROM series_points WHERE dataset_id = $1', [
    datasetId,
  ]);
  return Number(rows[0]!.count);
}
