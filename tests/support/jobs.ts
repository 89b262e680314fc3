import type { DatabaseHandle } from '@/db';

/**
 * Fixtures for the job tests: a long-format table of hourly series whose seasonal-naive forecast
 * is known in closed form (value = 10 * entity + hour % 24, so step k forecasts 10 * entity +
 * (k - 1) % 24 when the length is a multiple of 24), and poison series holding an infinite value.
 */

export const FIXTURE_TABLE = 'fixture_series';
/** The app source offers only the tables it is given (besides ingested ones): tests give it the fixture. */
export const FIXTURE_APP_TABLES = `public.${FIXTURE_TABLE}`;
export const FIXTURE_START = '2024-01-01T00:00:00Z';

export function seriesName(index: number): string {
  return `s${String(index).padStart(5, '0')}`;
}

/**
 * The fixture table, `series` x `length` hourly points. It also offers the table to the app source
 * in this process (LOOKAHEAD_APP_TABLES; the app source offers only listed tables), so a test that
 * forgets to cannot read nothing; workers spawned after it inherit that.
 */
export async function createSeriesFixture(handle: DatabaseHandle, { series, length, poison = [] }: { series: number; length: number; poison?: number[] }): Promise<void> {
  const offered = (process.env.LOOKAHEAD_APP_TABLES ?? '').split(',').map((table) => table.trim()).filter(Boolean);
  if (!offered.includes(FIXTURE_APP_TABLES)) process.env.LOOKAHEAD_APP_TABLES = [...offered, FIXTURE_APP_TABLES].join(',');
  await handle.query(`CREATE TABLE ${FIXTURE_TABLE} (entity text NOT NULL, ts timestamptz NOT NULL, value double precision)`);
  await handle.query(
    `INSERT INTO ${FIXTURE_TABLE} SELECT 's' || lpad(e::text, 5, '0'), $1::timestamptz + make_interval(hours => h), 10 * e + (h % 24)
     FROM generate_series(0, $2::int - 1) AS e, generate_series(0, $3::int - 1) AS h`,
    [FIXTURE_START, series, length],
  );
  await handle.query(`CREATE INDEX ${FIXTURE_TABLE}_entity_ts ON ${FIXTURE_TABLE} (entity, ts)`);
  for (const index of poison) {
    await handle.query(`UPDATE ${FIXTURE_TABLE} SET value = 'Infinity' WHERE entity = $1 AND ts = $2::timestamptz + make_interval(hours => $3::int - 3)`, [seriesName(index), FIXTURE_START, length]);
  }
}

export const FIXTURE_WINDOW = { table: FIXTURE_TABLE, time: 'ts', columns: 'value', entity: 'entity' };

/** The closed-form seasonal-naive median for series `index`, step k (1-based). */
export function expectedSeasonalNaive(index: number, step: number): number {
  return 10 * index + ((step - 1) % 24);
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, { timeoutMs = 120_000, intervalMs = 250 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
