import 'server-only';
import type { DatabaseHandle } from './client';

/**
 * Storage upkeep for the monitoring tables. On plain Postgres (and PGlite) inference_events and
 * training_metrics are range-partitioned by day: this creates the partitions ahead of time, moves
 * rows that landed in the DEFAULT partition into a partition of their own, and drops partitions
 * older than the retention period (dropping a partition is instant and leaves no dead tuples,
 * unlike DELETE). With TimescaleDB (hypertables made by the migration) it turns on compression,
 * retention and continuous aggregates, reporting each feature the installed extension refuses.
 */

export const PARTITIONED_TABLES = ['inference_events', 'training_metrics'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];
const PARTITION_SCHEMA = 'lookahead_partitions';
const DAY_MS = 86_400_000;

export type MonitoringStorageKind = 'partitioned' | 'timescale' | 'plain';

export interface StorageFeature {
  feature: string;
  ok: boolean;
  detail: string;
}

export interface MaintenanceResult {
  kind: MonitoringStorageKind;
  created: string[];
  dropped: string[];
  /** Rows moved out of a DEFAULT partition into their day's partition. */
  moved: number;
  /** Rows deleted by retention where no partition could be dropped (hypertables without a retention policy). */
  deleted: number;
  /** process_samples rows older than the retention period, deleted. */
  samplesDeleted: number;
}

/** How inference_events is stored: 'partitioned' (relkind p), 'timescale' (a hypertable) or 'plain'. */
export async function monitoringStorageKind(handle: DatabaseHandle): Promise<MonitoringStorageKind> {
  const [row] = await handle.query<{ relkind: string; hypertable: boolean }>(
    `SELECT c.relkind::text AS relkind,
            EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') AS hypertable
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relname = 'inference_events'`,
  );
  if (!row) throw new Error('monitoring: the table inference_events does not exist; run the migrations (npm run db:migrate)');
  if (row.relkind === 'p') return 'partitioned';
  if (row.hypertable) {
    const [hyper] = await handle.query<{ yes: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_schema = 'public' AND hypertable_name = 'inference_events') AS yes`,
    );
    if (hyper?.yes) return 'timescale';
  }
  return 'plain';
}

function dayKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
}

function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

interface PartitionInfo {
  name: string;
  dayMs: number | null;
}

/** The partitions of `table` as the catalog lists them (names are ours: <table>_pYYYYMMDD, <table>_default). */
export async function listPartitions(handle: DatabaseHandle, table: PartitionedTable): Promise<PartitionInfo[]> {
  const rows = await handle.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
      WHERE pn.nspname = 'public' AND p.relname = $1 ORDER BY c.relname`,
    [table],
  );
  return rows.map(({ name }) => {
    const match = /_p(\d{4})(\d{2})(\d{2})$/.exec(name);
    return { name, dayMs: match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : null };
  });
}

/** Creates the partition of `table` for the UTC day starting at `dayMs`, moving that day's rows out of DEFAULT. */
async function createDayPartition(handle: DatabaseHandle, table: PartitionedTable, dayMs: number): Promise<{ name: string; moved: number }> {
  const name = `${table}_p${dayKey(dayMs)}`;
  const from = new Date(dayMs).toISOString();
  const to = new Date(dayMs + DAY_MS).toISOString();
  const moved = await handle.transaction(async (query) => {
    await query(`CREATE TABLE "${PARTITION_SCHEMA}"."${name}" (LIKE public."${table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    const rows = await query<{ count: string }>(
      `WITH moved AS (DELETE FROM "${PARTITION_SCHEMA}"."${table}_default" WHERE "time" >= $1 AND "time" < $2 RETURNING *),
            inserted AS (INSERT INTO "${PARTITION_SCHEMA}"."${name}" SELECT * FROM moved RETURNING 1)
       SELECT count(*)::text AS count FROM inserted`,
      [from, to],
    );
    // Bounds are ISO strings built from a whole UTC day above, never from input.
    await query(`ALTER TABLE public."${table}" ATTACH PARTITION "${PARTITION_SCHEMA}"."${name}" FOR VALUES FROM ('${from}') TO ('${to}')`);
    return Number(rows[0]?.count ?? 0);
  });
  return { name, moved };
}

export interface MaintenanceOptions {
  now?: Date;
  /** Days of partitions made ahead of today (so that the DEFAULT partition stays empty). */
  daysAhead?: number;
  /** Partitions whose day ended more than this many days ago are dropped. */
  retentionDays: number;
}

/**
 * Keeps the partitions of both tables: today and `daysAhead` days ahead exist, any day that has
 * rows in DEFAULT gets its own partition, days older than the retention go. Idempotent.
 */
export async function maintainMonitoringStorage(handle: DatabaseHandle, options: MaintenanceOptions): Promise<MaintenanceResult> {
  const kind = await monitoringStorageKind(handle);
  const nowMs = (options.now ?? new Date()).getTime();
  const cutoffMs = dayStart(nowMs) - options.retentionDays * DAY_MS;
  const result: MaintenanceResult = { kind, created: [], dropped: [], moved: 0, deleted: 0, samplesDeleted: 0 };
  // A few rows a minute per process: a plain table, trimmed by DELETE on its (role, time) index.
  const samples = await handle.query<{ count: string }>(
    `WITH gone AS (DELETE FROM process_samples WHERE "time" < $1 RETURNING 1) SELECT count(*)::text AS count FROM gone`,
    [new Date(cutoffMs).toISOString()],
  );
  result.samplesDeleted = Number(samples[0]?.count ?? 0);
  if (kind !== 'partitioned') {
    // Hypertables with a retention policy are trimmed by TimescaleDB's own job; without one (the
    // stand-in, or a database where the policy was refused) old rows are deleted here.
    for (const table of PARTITIONED_TABLES) {
      const rows = await handle.query<{ count: string }>(
        `WITH gone AS (DELETE FROM public."${table}" WHERE "time" < $1 RETURNING 1) SELECT count(*)::text AS count FROM gone`,
        [new Date(cutoffMs).toISOString()],
      );
      result.deleted += Number(rows[0]?.count ?? 0);
    }
    return result;
  }
  for (const table of PARTITIONED_TABLES) {
    const existing = await listPartitions(handle, table);
    const days = new Set(existing.flatMap((partition) => (partition.dayMs === null ? [] : [partition.dayMs])));
    const wanted = new Set<number>();
    for (let offset = 0; offset <= (options.daysAhead ?? 2); offset += 1) wanted.add(dayStart(nowMs) + offset * DAY_MS);
    const stray = await handle.query<{ day: string }>(
      `SELECT DISTINCT (floor(extract(epoch FROM "time") / 86400) * 86400000)::bigint::text AS day FROM "${PARTITION_SCHEMA}"."${table}_default"`,
    );
    for (const row of stray) wanted.add(Number(row.day));
    for (const day of [...wanted].sort((a, b) => a - b)) {
      if (days.has(day) || day < cutoffMs) continue;
      const created = await createDayPartition(handle, table, day);
      result.created.push(created.name);
      result.moved += created.moved;
    }
    for (const partition of existing) {
      if (partition.dayMs !== null && partition.dayMs < cutoffMs) {
        await handle.query(`DROP TABLE "${PARTITION_SCHEMA}"."${partition.name}"`);
        result.dropped.push(partition.name);
      }
    }
    const old = await handle.query<{ count: string }>(
      `WITH gone AS (DELETE FROM "${PARTITION_SCHEMA}"."${table}_default" WHERE "time" < $1 RETURNING 1) SELECT count(*)::text AS count FROM gone`,
      [new Date(cutoffMs).toISOString()],
    );
    result.deleted += Number(old[0]?.count ?? 0);
  }
  return result;
}

/**
 * TimescaleDB extras, each tried on its own and reported: compression after a week (segmented by
 * model), a retention policy, and 5-minute and 1-hour continuous aggregates of inference_events
 * with refresh policies. Percentiles are not continuous-aggregate material without the toolkit
 * extension, so model_performance keeps being refreshed by the scheduled rollup either way.
 */
export async function configureTimescale(handle: DatabaseHandle, options: { retentionDays: number }): Promise<StorageFeature[]> {
  const [extension] = await handle.query<{ schema: string; version: string }>(
    `SELECT n.nspname AS schema, e.extversion AS version FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb'`,
  );
  if (!extension) return [{ feature: 'timescaledb', ok: false, detail: 'the extension is not installed in this database' }];
  const ts = `"${extension.schema.replaceAll('"', '""')}"`;
  const retention = `${Math.max(1, Math.floor(options.retentionDays))} days`;
  const steps: { feature: string; statements: string[] }[] = [
    {
      feature: 'compression',
      statements: [
        `ALTER TABLE public.inference_events SET (timescaledb.compress, timescaledb.compress_segmentby = 'model', timescaledb.compress_orderby = 'time DESC')`,
        `SELECT ${ts}.add_compression_policy('public.inference_events', interval '7 days', if_not_exists => true)`,
        `ALTER TABLE public.training_metrics SET (timescaledb.compress, timescaledb.compress_segmentby = 'run_id', timescaledb.compress_orderby = 'time DESC')`,
        `SELECT ${ts}.add_compression_policy('public.training_metrics', interval '7 days', if_not_exists => true)`,
      ],
    },
    {
      feature: 'retention',
      statements: [
        `SELECT ${ts}.add_retention_policy('public.inference_events', interval '${retention}', if_not_exists => true)`,
        `SELECT ${ts}.add_retention_policy('public.training_metrics', interval '${retention}', if_not_exists => true)`,
      ],
    },
    ...(['5 minutes', '1 hour'] as const).map((width) => {
      const view = width === '5 minutes' ? 'inference_events_5m' : 'inference_events_1h';
      return {
        feature: `continuous aggregate ${view}`,
        statements: [
          `CREATE MATERIALIZED VIEW IF NOT EXISTS public.${view} WITH (timescaledb.continuous) AS
             SELECT ${ts}.time_bucket(interval '${width}', "time") AS bucket, model, runtime, endpoint,
                    count(*) AS request_count, count(*) FILTER (WHERE outcome = 'error') AS error_count,
                    sum(points) AS points, avg(latency_ms) AS latency_avg_ms, max(latency_ms) AS latency_max_ms
               FROM public.inference_events GROUP BY 1, 2, 3, 4 WITH NO DATA`,
          `SELECT ${ts}.add_continuous_aggregate_policy('public.${view}', start_offset => interval '${width === '5 minutes' ? '1 hour' : '1 day'}', end_offset => interval '${width}', schedule_interval => interval '${width}', if_not_exists => true)`,
        ],
      };
    }),
  ];
  const report: StorageFeature[] = [{ feature: 'hypertables', ok: true, detail: `timescaledb ${extension.version}: inference_events (1-day chunks), training_metrics (7-day chunks)` }];
  for (const step of steps) {
    try {
      for (const statement of step.statements) await handle.query(statement);
      report.push({ feature: step.feature, ok: true, detail: 'enabled' });
    } catch (error) {
      report.push({ feature: step.feature, ok: false, detail: `refused by timescaledb ${extension.version}: ${(error as Error).message}` });
    }
  }
  return report;
}
