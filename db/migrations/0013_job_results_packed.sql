-- Job results store their long number arrays packed (float64, little-endian) next to the JSON,
-- which keeps its shape with markers in their place (db/queries/packed-payload.ts). Nothing is
-- converted: rows written before this column existed have none and read back as they were stored.
-- EXTERNAL: packed floats do not compress, so Postgres should not try.
ALTER TABLE "job_results" ADD COLUMN "payload_bin" bytea;--> statement-breakpoint
ALTER TABLE "job_results" ALTER COLUMN "payload_bin" SET STORAGE EXTERNAL;
