import 'server-only';
export { openDatabase, getDatabase, defaultDataDir, type DatabaseHandle, type AppDatabase, type OpenDatabaseOptions } from './client';
export { migrateDatabase, migrationsFolder } from './migrate';
export * from './queries';
export * as schema from './schema';
export type { Dataset, NewDataset } from './schema';
export type { ForecastShare, NewForecastShare } from './schema-share';
