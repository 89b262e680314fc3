import { migrateDatabase, openDatabase } from '@/db';
import { loadSampleDatasets } from '@/lib/server/samples';

/** Migrates the configured database and loads the sample data (idempotent). */
export async function prepareDatabase({ url = process.env.DATABASE_URL || undefined, log = console.log } = {}): Promise<void> {
  const handle = await openDatabase({ url });
  try {
    await migrateDatabase(handle);
    log(`lookahead: database ready (${handle.kind}: ${handle.location})`);
    await loadSampleDatasets({
      handle,
      onProgress: (result) =>
        log(`lookahead: sample ${result.id}: ${result.status === 'loaded' ? `loaded ${result.rows} rows in ${(result.elapsedMs / 1000).toFixed(1)} s` : 'already loaded'}`),
    });
  } finally {
    await handle.close();
  }
}
