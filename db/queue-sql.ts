import 'server-only';
import type { DatabaseHandle } from './client';

/** What pg-boss accepts as its `db` option: one method that runs SQL and answers rows. */
export interface QueueSql {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * pg-boss on the embedded PGlite: PGlite is one connection, and pg-boss sends both parameterised
 * statements and multi-statement scripts (BEGIN; ...; COMMIT) that must not interleave, so every
 * call goes through one promise chain. Parameterised SQL runs with `query`, scripts with `exec`
 * (whose last result carries the rows pg-boss reads).
 */
export function pgliteQueueSql(handle: DatabaseHandle): QueueSql {
  const client = handle.pgliteClient;
  if (!client) throw new Error(`jobs: the queue adapter needs a PGlite handle, got ${handle.kind}`);
  let tail: Promise<unknown> = Promise.resolve();
  return {
    executeSql(text, values) {
      const run = async () => {
        if (values && values.length > 0) return { rows: (await client.query<Record<string, unknown>>(text, values)).rows };
        const results = await client.exec(text);
        return { rows: (results.at(-1)?.rows ?? []) as Record<string, unknown>[] };
      };
      const result = tail.then(run, run);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}
