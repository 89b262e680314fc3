import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import postgres from 'postgres';

/**
 * The external sources the e2e server reads, built fresh for each run:
 * - a parquet lake (YYYY/MM/<entity>_<year>_<month>.parquet, two entities, hourly), always;
 * - a Postgres database "warehouse" with a multi-series table, when DATABASE_URL is set (CI).
 * Values come from the functions below, so tests compute what the page must show.
 */

const HOUR = 3_600_000;
export const LAKE_ENTITIES = ['north', 'south'] as const;
export const LAKE_PATTERN = '{entity}_{year}_{month}.parquet';
/** Hourly readings for January and February 2024. */
export const LAKE_START_MS = Date.UTC(2024, 0, 1);
export const LAKE_END_MS = Date.UTC(2024, 2, 1);

export function lakeValue(entity: string, ms: number): number {
  const hour = Math.round(ms / HOUR);
  const base = entity === 'north' ? 50 : 80;
  return base + 10 * Math.sin((2 * Math.PI * (hour % 24)) / 24) + (hour % 5);
}

export const PLANTS = ['p1', 'p2'] as const;
/** 40 days of hourly load from 2024-03-01. */
export const PLANT_START_MS = Date.UTC(2024, 2, 1);
export const PLANT_HOURS = 40 * 24;
/** p2 misses these hours (a gap of 5 steps) ... */
export const P2_GAP_HOURS = [900, 901, 902, 903, 904];
/** ... and has no kw reading at this one. */
export const P2_NULL_HOUR = 950;

export function plantKw(plant: string, hour: number): number {
  const base = plant === 'p1' ? 100 : 200;
  return base + 20 * Math.sin((2 * Math.PI * (hour % 24)) / 24) + ((hour * 7) % 11);
}

export interface ExternalSources {
  env: Record<string, string>;
  /** URL of the warehouse database; '' when DATABASE_URL is not set. */
  warehouseUrl: string;
  cleanup(): Promise<void>;
}

function writeLake(root: string): void {
  for (const entity of LAKE_ENTITIES) {
    for (const month of [1, 2]) {
      const hours: number[] = [];
      for (let ms = Date.UTC(2024, month - 1, 1); ms < Date.UTC(2024, month, 1); ms += HOUR) hours.push(ms);
      const bytes = parquetWriteBuffer({
        columnData: [
          { name: 'ts', data: hours, type: 'TIMESTAMP', nullable: false },
          { name: 'level', data: hours.map((ms) => lakeValue(entity, ms)), type: 'DOUBLE', nullable: true },
        ],
        rowGroupSize: 200,
      });
      const file = path.join(root, '2024', String(month).padStart(2, '0'), `${entity}_2024_${String(month).padStart(2, '0')}.parquet`);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, new Uint8Array(bytes));
    }
  }
}

async function createWarehouse(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lookahead_e2e_${randomBytes(5).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  await sql.unsafe(`CREATE TABLE public.plant_load (observed_at timestamptz NOT NULL, plant text NOT NULL, kw double precision, temp_c double precision)`);
  const rows: { observed_at: Date; plant: string; kw: number | null; temp_c: number }[] = [];
  for (const plant of PLANTS) {
    for (let hour = 0; hour < PLANT_HOURS; hour++) {
      if (plant === 'p2' && P2_GAP_HOURS.includes(hour)) continue;
      rows.push({ observed_at: new Date(PLANT_START_MS + hour * HOUR), plant, kw: plant === 'p2' && hour === P2_NULL_HOUR ? null : plantKw(plant, hour), temp_c: 10 + (hour % 24) / 2 });
    }
  }
  for (let start = 0; start < rows.length; start += 500) await sql`INSERT INTO public.plant_load ${sql(rows.slice(start, start + 500))}`;
  await sql.end();
  return {
    url: url.toString(),
    async drop() {
      const again = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}

export async function prepareExternalSources(): Promise<ExternalSources> {
  const lake = mkdtempSync(path.join(os.tmpdir(), 'lookahead-e2e-lake-'));
  writeLake(lake);
  const env: Record<string, string> = { LOOKAHEAD_PARQUET_DIR: lake, LOOKAHEAD_PARQUET_PATTERN: LAKE_PATTERN };
  const warehouse = process.env.DATABASE_URL ? await createWarehouse(process.env.DATABASE_URL) : null;
  if (warehouse) env.LOOKAHEAD_SOURCES = JSON.stringify([{ id: 'warehouse', name: 'Warehouse', url: warehouse.url, tables: ['public.plant_load'] }]);
  return {
    env,
    warehouseUrl: warehouse?.url ?? '',
    async cleanup() {
      rmSync(lake, { recursive: true, force: true });
      await warehouse?.drop();
    },
  };
}
