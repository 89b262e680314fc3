import 'server-only';
import { LookaheadError } from '@/lib/core/errors';
import { MAD_SCALE, MEAN_AD_SCALE } from '@/lib/core/anomaly';
import { resolveRoles } from '@/lib/data/roles';
import type { DataPlaneConfig } from './config';
import { fromDatabaseError } from './database-errors';
import { describeTable, detectTimescale, findTable, listTables } from './introspection';
import type { SqlSource } from './sql-source';
import { buildWindowStatements } from './sql-window';
import type { WindowRequest } from './window-request';

/**
 * The rolling robust z-score of lib/core/anomaly.ts computed inside Postgres, for database
 * sources: the window the request names (same SQL as /window, so the same rows), then per row the
 * `window` previous non-missing values as an array (array_agg over a ROWS frame), their median
 * and MAD by percentile_cont over unnest, and the z-score with the same MAD = 0 fallback. Only
 * the scored rows travel back, never the whole table twice.
 */
export interface SqlRobustZRow {
  timestampMs: number;
  value: number;
  median: number | null;
  mad: number | null;
  z: number | null;
  anomalous: boolean;
}

export async function sqlRobustZ(
  source: SqlSource,
  request: WindowRequest,
  config: DataPlaneConfig,
  { window, threshold }: { window: number; threshold: number },
): Promise<{ column: string; rows: SqlRobustZRow[] }> {
  if (!request.table) throw new LookaheadError('anomaly', 'bad_input', `source "${source.id}" holds tables: name one with table=<schema.table>`);
  if (request.bucket) throw new LookaheadError('anomaly', 'bad_input', 'bucket= is not supported for anomaly scores; they are computed on the rows as stored');
  if (!Number.isInteger(window) || window < 3 || window > 10_000) throw new LookaheadError('anomaly', 'bad_input', `window must be a whole number of points from 3 to 10000, got ${window}`);
  const session = await source.connection.openReadSession({ statementTimeoutMs: config.statementTimeoutMs, idleTimeoutMs: config.idleTimeoutMs });
  try {
    const timescale = await detectTimescale(session);
    const table = await describeTable(session, findTable(await listTables(session, source.scope, timescale), request.table, source.id));
    const roles = resolveRoles(table.columns, { time: request.time, targets: request.columns?.slice(0, 1), entity: request.entity }, `table "${table.key}"`);
    const statements = buildWindowStatements({
      table: table.qualified,
      roles: { ...roles, covariates: [] },
      filters: { series: roles.entity ? request.series : undefined, start: request.start, end: request.end, min: request.min, max: request.max, excludeNulls: true },
      limit: request.limit,
      rowCap: config.rowCap,
      timescale,
    });
    await session.query(statements.settings.text, statements.settings.params);
    // `window` is a validated integer (3..10000); a frame offset cannot be a bind parameter of a cursor-less statement on every driver.
    const rows = await session.query<{ ts_ms: number; value: number; median: number | null; mad: number | null; z: number | null; anomalous: boolean }>(
      `/* lookahead:anomalies */ WITH src AS (${statements.select}),
       framed AS (
         SELECT ts_ms, c0 AS value, array_agg(c0) OVER w AS reference, count(*) OVER w AS n
           FROM src WHERE c0 IS NOT NULL
         WINDOW w AS (ORDER BY ts_ms ROWS BETWEEN ${window} PRECEDING AND 1 PRECEDING)
       ),
       scored AS (
         SELECT f.ts_ms, f.value, m.median, d.mad,
                CASE WHEN d.mad > 0 THEN $1::float8 * (f.value - m.median) / d.mad
                     WHEN d.mean_ad > 0 THEN (f.value - m.median) / ($2::float8 * d.mean_ad) END AS z
           FROM framed f
           LEFT JOIN LATERAL (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS median FROM unnest(f.reference) AS x) m ON f.n = ${window}
           LEFT JOIN LATERAL (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(x - m.median)) AS mad, avg(abs(x - m.median)) AS mean_ad
                                FROM unnest(f.reference) AS x) d ON f.n = ${window}
       )
       SELECT ts_ms, value, median, mad, z,
              CASE WHEN median IS NULL THEN false WHEN z IS NULL THEN value <> median ELSE abs(z) > $3::float8 END AS anomalous
         FROM scored ORDER BY ts_ms`,
      [MAD_SCALE, MEAN_AD_SCALE, threshold],
    );
    const number = (value: number | null) => (value === null ? null : Number(value));
    return {
      column: statements.columns[0]!,
      rows: rows.map((row) => ({
        timestampMs: Math.round(Number(row.ts_ms)),
        value: Number(row.value),
        median: number(row.median),
        mad: number(row.mad),
        z: number(row.z),
        anomalous: Boolean(row.anomalous),
      })),
    };
  } catch (error) {
    throw fromDatabaseError(error, { sourceId: source.id, statementTimeoutMs: config.statementTimeoutMs });
  } finally {
    await session.close();
  }
}
