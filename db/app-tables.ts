import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import * as schema from './schema';
import * as dataPlaneSchema from './schema-data-plane';
import * as shareSchema from './schema-share';

/** Names of the app's own tables (all in schema "public"): never offered as data by the "app" source. */
export const APP_TABLE_NAMES: readonly string[] = [...Object.values(schema), ...Object.values(dataPlaneSchema), ...Object.values(shareSchema)]
  .filter((value: unknown): value is PgTable => is(value, PgTable))
  .map((table) => getTableName(table));
