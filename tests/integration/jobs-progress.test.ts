import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelJob, finishChunk, getJobProgress, insertJob, writeResults, type NewResult } from '@/db';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';

/**
 * A job's progress is the sum of its chunks' counters, which grow by the rows each result write
 * really inserts: a retried batch's rows that are already stored count once, a chunk in flight
 * counts as its results arrive, finishing keeps the numbers, and cancelling keeps what was
 * written. Every step is checked against a count of the stored results themselves.
 */
const ok = (id: string, position: number): NewResult => ({ seriesId: id, position, status: 'ok', payload: { model: 'm', mean: [position] }, error: null });
const failed = (id: string, position: number): NewResult => ({ seriesId: id, position, status: 'failed', payload: null, error: 'data: too short' });

for (const backend of backends) {
  describe.skipIf(!backend.available)(`job progress counters on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createTestDatabase(backend.name);
    }, 120_000);

    afterAll(async () => {
      await database?.drop();
    });

    async function stored(jobId: string): Promise<{ done: number; failed: number }> {
      const rows = await database.handle.query<{ status: string; n: string | number }>(`SELECT status, count(*) AS n FROM job_results WHERE job_id = $1 GROUP BY status`, [jobId]);
      const count = (status: string) => Number(rows.find((row) => row.status === status)?.n ?? 0);
      return { done: count('ok'), failed: count('failed') };
    }

    it('counts each stored result once, through retried writes, finishing and cancelling', async () => {
      const handle = database.handle;
      const chunks = [Array.from({ length: 6 }, (_, index) => `a${index}`), Array.from({ length: 4 }, (_, index) => `b${index}`), ['c0', 'c1']];
      await insertJob({ handle, job: { id: 'progress', kind: 'forecast-batch', params: {}, title: 'progress', totalSeries: 12 }, chunks: chunks });
      const progress = async () => {
        const got = await getJobProgress({ handle, id: 'progress' });
        return { done: got.seriesDone, failed: got.seriesFailed };
      };
      expect(await progress()).toEqual({ done: 0, failed: 0 });

      const write = (chunkIndex: number, results: NewResult[], attempt = 1) => writeResults({ handle, jobId: 'progress', chunkIndex, attempt, worker: 'w', results });
      expect(await write(0, [ok('a0', 0), ok('a1', 1), failed('a2', 2)])).toBe(3);
      expect(await progress()).toEqual({ done: 2, failed: 1 });
      // A retry writes the batch again with one more series: only the new row is stored and counted.
      expect(await write(0, [ok('a0', 0), ok('a1', 1), failed('a2', 2), ok('a3', 3)], 2)).toBe(1);
      expect(await progress()).toEqual({ done: 3, failed: 1 });
      // A retry that stores nothing new changes nothing.
      expect(await write(0, [ok('a1', 1)], 3)).toBe(0);
      expect(await write(1, [ok('b0', 0), ok('b1', 1)])).toBe(2);
      expect(await progress()).toEqual(await stored('progress'));
      expect(await progress()).toEqual({ done: 5, failed: 1 });

      // Finishing keeps the numbers.
      expect(await finishChunk({ handle, jobId: 'progress', chunkIndex: 0, worker: null, state: 'done' })).toBe(true);
      expect(await progress()).toEqual({ done: 5, failed: 1 });
      // Cancelling keeps what was written, in the queued chunk too.
      await cancelJob({ handle, jobId: 'progress' });
      expect(await progress()).toEqual({ done: 5, failed: 1 });
      expect(await progress()).toEqual(await stored('progress'));
      const perChunk = await handle.query<{ chunk_index: number; series_done: number; series_failed: number }>(`SELECT chunk_index, series_done, series_failed FROM job_chunks WHERE job_id = 'progress' ORDER BY chunk_index`);
      expect(perChunk.map((row) => [Number(row.chunk_index), Number(row.series_done), Number(row.series_failed)])).toEqual([[0, 3, 1], [1, 2, 0], [2, 0, 0]]);
    });
  });
}
