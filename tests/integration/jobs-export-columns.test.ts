import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import type { DatabaseHandle, JobRow } from '@/db';

/**
 * The CSV/parquet download takes its columns from the job's params (levels), not from its first
 * page of results: a job whose first 200+ series failed still downloads its forecast columns, and
 * the successful series further on fill them. Real embedded PGlite, real export streams.
 */
describe('job result downloads: columns from the params', () => {
  let handle: DatabaseHandle;
  let job: JobRow;
  let exporter: typeof import('@/lib/server/jobs');

  beforeAll(async () => {
    const { openDatabase, migrateDatabase, insertJob, writeResults, getJob } = await import('@/db');
    exporter = await import('@/lib/server/jobs');
    handle = await openDatabase({ dataDir: 'memory://' });
    await migrateDatabase(handle);
    const failed = 250;
    const ids = Array.from({ length: failed + 1 }, (_, index) => `s${String(index).padStart(4, '0')}`);
    await insertJob({
      handle,
      job: { id: 'exportcols', kind: 'forecast-batch', params: { source: 'app', window: {}, model: 'seasonal-naive', horizon: 2, levels: [0.9, 0.1], context: 8 }, title: 'export columns', totalSeries: ids.length },
      chunks: [ids],
    });
    await writeResults({
      handle,
      jobId: 'exportcols',
      chunkIndex: 0,
      attempt: 1,
      worker: 'test',
      results: ids.map((seriesId, position) =>
        position < failed
          ? { seriesId, position, status: 'failed' as const, payload: null, error: 'data: too short' }
          : { seriesId, position, status: 'ok' as const, error: null, payload: { model: 'seasonal-naive', levels: [0.1, 0.9], quantiles: [[1, 2], [5, 6]], mean: [3, 4], timestamps: ['2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z'], frequency: 'D', history: { timestamps: [], values: [] } } },
      ),
    });
    job = (await getJob({ handle, id: 'exportcols' }))!;
  }, 120_000);

  afterAll(async () => {
    await handle?.close();
  });

  it('CSV: the header names step, mean and every level though the first 250 series failed; the last series fills them', async () => {
    const csv = await new Response(exporter.resultsCsvStream(handle, job)).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('series_id,status,error,step,timestamp,mean,q0.1,q0.9');
    expect(lines[1]).toBe('s0000,failed,data: too short,,,,,');
    expect(lines).toHaveLength(1 + 250 + 2);
    expect(lines.at(-2)).toBe('s0250,ok,,1,2024-01-01T00:00:00.000Z,3,1,5');
    expect(lines.at(-1)).toBe('s0250,ok,,2,2024-01-02T00:00:00.000Z,4,2,6');
  });

  it('parquet: the same columns, DOUBLE and nullable, the failed rows null and the forecast rows filled', async () => {
    const bytes = await new Response(exporter.resultsParquetStream(handle, job)).arrayBuffer();
    const metadata = parquetMetadata(bytes);
    expect(metadata.schema.slice(1).map((element) => element.name)).toEqual(['series_id', 'status', 'error', 'step', 'timestamp', 'mean', 'q0.1', 'q0.9']);
    const rows = await parquetReadObjects({ file: bytes });
    expect(rows).toHaveLength(252);
    expect(rows[0]).toMatchObject({ series_id: 's0000', status: 'failed', mean: null, 'q0.9': null });
    expect(rows.at(-1)).toMatchObject({ series_id: 's0250', status: 'ok', step: 2, mean: 4, 'q0.1': 2, 'q0.9': 6 });
  });
});
