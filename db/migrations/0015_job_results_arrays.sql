-- A result's long arrays (quantiles, history, their timestamps) move out of the jsonb payload into
-- float64 bytes (db/queries/packed-payload.ts): Postgres no longer parses ~1,000 numerics per
-- forecast. Rows written before this keep their whole payload in jsonb and read as before.
ALTER TABLE "job_results" ADD COLUMN IF NOT EXISTS "arrays" bytea;
--> statement-breakpoint
DO $$
BEGIN
  ALTER TABLE "job_results" ALTER COLUMN "arrays" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR undefined_object THEN
  RAISE NOTICE 'lz4 is not available here; packed job result arrays stay compressed with pglz';
END
$$;
