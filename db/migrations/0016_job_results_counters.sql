-- Packed job result arrays are float64 forecasts and history values: their mantissas are noise to
-- a compressor, so trying lz4 (or pglz) on every row cost CPU and saved nothing (measured: 5,000
-- rows of 7 KB, 95 us a row with the compression attempt, 50 us without; the same size on disk).
-- EXTERNAL stores them out of line without trying. Rows already written keep what they have.
ALTER TABLE "job_results" ALTER COLUMN "arrays" SET STORAGE EXTERNAL;
--> statement-breakpoint
-- A chunk's series_done/series_failed now grow as its results are written (db/queries/jobs.ts
-- writeResults), and a job's progress is their sum. Chunks not yet finished get theirs counted once here.
UPDATE "job_chunks" AS c SET
  "series_done" = (SELECT count(*) FROM "job_results" r WHERE r."job_id" = c."job_id" AND r."chunk_index" = c."chunk_index" AND r."status" = 'ok'),
  "series_failed" = (SELECT count(*) FROM "job_results" r WHERE r."job_id" = c."job_id" AND r."chunk_index" = c."chunk_index" AND r."status" = 'failed')
WHERE c."state" NOT IN ('done', 'failed', 'cancelled');
