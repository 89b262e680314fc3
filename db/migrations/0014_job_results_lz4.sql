-- Job results are ~25 KB of jsonb each (quantiles, timestamps, a history tail), written by the
-- thousand. Postgres' default pglz compression of them cost about as much CPU as parsing them
-- (bench jobs: ~0.35 ms of 0.9 ms per row); lz4 compresses them as small at almost no cost.
-- Only new values are written with lz4; a server built without lz4 (PGlite) keeps pglz.
DO $$
BEGIN
  ALTER TABLE "job_results" ALTER COLUMN "payload" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR undefined_object THEN
  RAISE NOTICE 'lz4 is not available here; job results stay compressed with pglz';
END
$$;
