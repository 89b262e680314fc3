-- timescaledb 0.0.0-standin: STAND-IN FOR TESTS ONLY; the real TimescaleDB cannot be installed on
-- this machine (no package, no internet). Never use it for anything but Lookahead's tests.
--
-- README
-- Lookahead detects TimescaleDB at run time (a row named 'timescaledb' in pg_extension) and then
-- calls a handful of its functions. The real extension is C and cannot be built or installed
-- here, so this fake one, under the real name, provides exactly those calls in SQL and PL/pgSQL,
-- with the real signatures and, for the arguments Lookahead passes, the real semantics. The
-- reference is TimescaleDB 2.x (timescale/timescaledb: sql/time_bucket.sql, src/time_bucket.c,
-- sql/bookend.sql, src/agg_bookend.c, sql/ddl_api.sql, src/hypertable.c, sql/views.sql):
--
--   @extschema@.time_bucket(bucket_width interval, ts timestamptz [, origin timestamptz])
--   @extschema@.time_bucket(bucket_width interval, ts timestamp [, origin timestamp])
--       The left edge of ts's bucket: floor((ts - origin) / width) * width + origin, in integer
--       microseconds as src/time_bucket.c computes it. The default origin is Monday 2000-01-03
--       00:00 (UTC for timestamptz: timestamptz is bucketed at UTC whatever the session's zone);
--       +-infinity comes back unchanged; STRICT and IMMUTABLE like the real ones.
--   @extschema@.last(value anyelement, time anycompatible)             (aggregate)
--       The value of the row with the greatest time; on a tie the first such row; a row with a
--       NULL time never replaces one that has a time (src/agg_bookend.c).
--   @extschema@.create_hypertable(relation regclass, time_column_name name, ...,
--       if_not_exists boolean DEFAULT false, ...) RETURNS TABLE(hypertable_id, schema_name, table_name, created)
--       The real (2.x "old API") signature. Records the table in _timescaledb_catalog.hypertable
--       after the real checks: an existing hypertable (NOTICE and created = false with
--       if_not_exists, else an error), a missing or non-time column, a non-empty table without
--       migrate_data, a unique index without the time column; like the real one it sets the time
--       column NOT NULL and adds the default (time DESC) index when no one-column index on time
--       exists.
--   timescaledb_information.hypertables(hypertable_schema, hypertable_name, owner, num_dimensions,
--       num_chunks, compression_enabled, tablespaces, primary_dimension, primary_dimension_type)
--
-- What it is not: there are no chunks (a hypertable stays one plain table, and num_chunks is
-- NULL), no compression, continuous aggregates, jobs, space partitions, month or time-zone
-- buckets, first(), or the 2.13+ create_hypertable(relation, by_range(...)) form. Every such
-- argument raises feature_not_supported naming the stand-in rather than pretending. last() takes
-- anycompatible where the real one takes "any", a pseudo-type only C functions may take.
-- create_hypertable runs with the caller's rights, so the caller must be able to write
-- _timescaledb_catalog (the extension's owner); the real one has no such limit.

CREATE SCHEMA _timescaledb_catalog;
CREATE SCHEMA _timescaledb_functions;
CREATE SCHEMA timescaledb_information;
GRANT USAGE ON SCHEMA _timescaledb_catalog, _timescaledb_functions, timescaledb_information TO PUBLIC;

-- Stand-in catalog: one row per hypertable, found by the table's oid so that a rename follows it
-- and a dropped table leaves the view (the real catalog keeps names up to date with DDL hooks).
CREATE TABLE _timescaledb_catalog.hypertable (
  id serial PRIMARY KEY,
  relid oid NOT NULL UNIQUE,
  time_column_name name NOT NULL,
  time_column_type regtype NOT NULL,
  interval_length bigint NOT NULL
);
GRANT SELECT ON _timescaledb_catalog.hypertable TO PUBLIC;

CREATE VIEW timescaledb_information.hypertables AS
SELECT
  n.nspname AS hypertable_schema,
  c.relname AS hypertable_name,
  pg_catalog.pg_get_userbyid(c.relowner) AS owner,
  1::smallint AS num_dimensions,
  NULL::bigint AS num_chunks, -- the stand-in makes no chunks
  false AS compression_enabled,
  NULL::name[] AS tablespaces,
  h.time_column_name AS primary_dimension,
  h.time_column_type AS primary_dimension_type
FROM _timescaledb_catalog.hypertable h
JOIN pg_catalog.pg_class c ON c.oid = h.relid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace;
GRANT SELECT ON timescaledb_information.hypertables TO PUBLIC;

------------------------------------------------------------------------------------------------
-- time_bucket
------------------------------------------------------------------------------------------------

-- The bucket width in microseconds; a month part is refused (the real one buckets by months).
CREATE FUNCTION _timescaledb_functions.standin_period_us(bucket_width interval) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
  IF extract(year FROM bucket_width) <> 0 OR extract(month FROM bucket_width) <> 0 THEN
    RAISE EXCEPTION 'timescaledb stand-in: time_bucket by months (%) is not implemented', bucket_width
      USING ERRCODE = 'feature_not_supported';
  END IF;
  -- With no month part, the epoch of an interval is exactly days * 86400 + time (numeric).
  RETURN (extract(epoch FROM bucket_width) * 1000000)::bigint;
END
$$;

-- TIME_BUCKET_TS of src/time_bucket.c on microseconds since 2000-01-01: the origin is reduced
-- modulo the period (C division truncates towards zero, as bigint / and % do here), then the
-- quotient is floored, so timestamps before the origin fall in the bucket to their left.
CREATE FUNCTION _timescaledb_functions.standin_bucket_us(period bigint, ts bigint, origin bigint) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  shift bigint;
  quotient bigint;
BEGIN
  IF period <= 0 THEN
    RAISE EXCEPTION 'period must be greater than 0' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  shift := origin % period;
  ts := ts - shift;
  quotient := ts / period;
  IF ts % period < 0 THEN
    quotient := quotient - 1;
  END IF;
  RETURN quotient * period + shift;
END
$$;

-- Postgres's own representation of a timestamp: microseconds since 2000-01-01 00:00.
CREATE FUNCTION _timescaledb_functions.standin_timestamp_us(ts timestamp) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (extract(epoch FROM ts) * 1000000)::bigint - 946684800000000;

-- And back, in whole days plus microseconds so that no step goes through a float.
CREATE FUNCTION _timescaledb_functions.standin_us_timestamp(us bigint) RETURNS timestamp
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN timestamp '2000-01-01 00:00:00' + make_interval(days => (us / 86400000000)::integer) + (us % 86400000000) * interval '1 microsecond';

CREATE FUNCTION @extschema@.time_bucket(bucket_width interval, ts timestamp, origin timestamp) RETURNS timestamp
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
  IF NOT isfinite(ts) THEN
    RETURN ts;
  END IF;
  RETURN _timescaledb_functions.standin_us_timestamp(_timescaledb_functions.standin_bucket_us(
    _timescaledb_functions.standin_period_us(bucket_width),
    _timescaledb_functions.standin_timestamp_us(ts),
    _timescaledb_functions.standin_timestamp_us(origin)));
END
$$;

-- timestamptz is bucketed at UTC: AT TIME ZONE 'UTC' keeps the same microseconds, as the real
-- function works on the stored UTC value directly.
CREATE FUNCTION @extschema@.time_bucket(bucket_width interval, ts timestamptz, origin timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.time_bucket(bucket_width, ts AT TIME ZONE 'UTC', origin AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';

-- The default origin is Monday 2000-01-03 00:00 (UTC), so that weeks start on Mondays.
CREATE FUNCTION @extschema@.time_bucket(bucket_width interval, ts timestamp) RETURNS timestamp
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.time_bucket(bucket_width, ts, timestamp '2000-01-03 00:00:00');

CREATE FUNCTION @extschema@.time_bucket(bucket_width interval, ts timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.time_bucket(bucket_width, ts, timestamptz '2000-01-03 00:00:00+00');

------------------------------------------------------------------------------------------------
-- last(value, time)
------------------------------------------------------------------------------------------------

-- The state is {value, time} as text: a plain-SQL aggregate cannot keep a value of a polymorphic
-- type next to one of another type. Text round-trips exactly: floats are printed with
-- extra_float_digits = 3 (shortest exact form), times are compared as their own type.
CREATE FUNCTION _timescaledb_functions.last_sfunc(state text[], val anyelement, cmp anycompatible) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET extra_float_digits = 3 AS $$
DECLARE
  latest cmp%TYPE;
BEGIN
  -- The first row sets the state whatever its time, as bookend_sfunc does.
  IF state IS NULL THEN
    RETURN ARRAY[val::text, cmp::text];
  END IF;
  IF cmp IS NULL THEN
    RETURN state;
  END IF;
  latest := state[2];
  IF latest IS NULL OR cmp > latest THEN
    RETURN ARRAY[val::text, cmp::text];
  END IF;
  RETURN state;
END
$$;

CREATE FUNCTION _timescaledb_functions.last_finalfunc(state text[], val anyelement, cmp anycompatible) RETURNS anyelement
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  result val%TYPE;
BEGIN
  result := state[1];
  RETURN result;
END
$$;

CREATE AGGREGATE @extschema@.last(anyelement, anycompatible) (
  SFUNC = _timescaledb_functions.last_sfunc,
  STYPE = text[],
  FINALFUNC = _timescaledb_functions.last_finalfunc,
  FINALFUNC_EXTRA,
  PARALLEL = SAFE
);

------------------------------------------------------------------------------------------------
-- create_hypertable
------------------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.create_hypertable(
  relation                regclass,
  time_column_name        name,
  partitioning_column     name = NULL,
  number_partitions       integer = NULL,
  associated_schema_name  name = NULL,
  associated_table_prefix name = NULL,
  chunk_time_interval     anyelement = NULL::bigint,
  create_default_indexes  boolean = TRUE,
  if_not_exists           boolean = FALSE,
  partitioning_func       regproc = NULL,
  migrate_data            boolean = FALSE,
  time_partitioning_func  regproc = NULL
) RETURNS TABLE(hypertable_id integer, schema_name name, table_name name, created boolean)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  relation_name name;
  relation_schema name;
  existing integer;
  column_number smallint;
  column_type regtype;
  column_not_null boolean;
  interval_us bigint;
  has_rows boolean;
BEGIN
  IF relation IS NULL THEN
    RAISE EXCEPTION 'relation cannot be NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF time_column_name IS NULL THEN
    RAISE EXCEPTION 'partition column cannot be NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT c.relname, n.nspname INTO relation_name, relation_schema
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = relation;

  SELECT h.id INTO existing FROM _timescaledb_catalog.hypertable h WHERE h.relid = relation;
  IF existing IS NOT NULL THEN
    IF if_not_exists THEN
      RAISE NOTICE 'table "%" is already a hypertable, skipping', relation_name USING ERRCODE = 'TS110';
      RETURN QUERY SELECT existing, relation_schema, relation_name, false;
      RETURN;
    END IF;
    RAISE EXCEPTION 'table "%" is already a hypertable', relation_name USING ERRCODE = 'TS110';
  END IF;

  IF partitioning_column IS NOT NULL OR number_partitions IS NOT NULL OR associated_schema_name IS NOT NULL
     OR associated_table_prefix IS NOT NULL OR partitioning_func IS NOT NULL OR time_partitioning_func IS NOT NULL THEN
    RAISE EXCEPTION 'timescaledb stand-in: create_hypertable supports relation, time_column_name, chunk_time_interval, create_default_indexes, if_not_exists and migrate_data only'
      USING ERRCODE = 'feature_not_supported';
  END IF;

  IF (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = relation) <> 'r' THEN
    RAISE EXCEPTION 'invalid relation type' USING ERRCODE = 'wrong_object_type';
  END IF;

  SELECT a.attnum, a.atttypid::regtype, a.attnotnull INTO column_number, column_type, column_not_null
    FROM pg_catalog.pg_attribute a WHERE a.attrelid = relation AND a.attname = time_column_name AND a.attnum > 0 AND NOT a.attisdropped;
  IF column_number IS NULL THEN
    RAISE EXCEPTION 'column "%" does not exist', time_column_name USING ERRCODE = 'undefined_column';
  END IF;
  IF column_type NOT IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype, 'smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
    RAISE EXCEPTION 'invalid type for dimension "%"', time_column_name
      USING ERRCODE = 'wrong_object_type', HINT = 'Use an integer, timestamp, or date type.';
  END IF;

  IF chunk_time_interval IS NULL THEN
    IF column_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
      RAISE EXCEPTION 'timescaledb stand-in: an integer time column needs chunk_time_interval' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    interval_us := 7 * 86400000000::bigint; -- the real default: 7 days
  ELSIF pg_catalog.pg_typeof(chunk_time_interval) = 'interval'::regtype THEN
    interval_us := _timescaledb_functions.standin_period_us(chunk_time_interval::text::interval);
  ELSE
    interval_us := chunk_time_interval::text::bigint;
  END IF;

  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', relation) INTO has_rows;
  IF has_rows AND NOT migrate_data THEN
    RAISE EXCEPTION 'table "%" is not empty', relation_name
      USING ERRCODE = 'feature_not_supported', HINT = 'You can migrate data by specifying ''migrate_data => true'' when calling this function.';
  END IF;

  IF EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = relation AND (i.indisunique OR i.indisexclusion) AND NOT (column_number = ANY (i.indkey::smallint[]))) THEN
    RAISE EXCEPTION 'cannot create a unique index without the column "%" (used in partitioning)', time_column_name
      USING ERRCODE = 'TS103', HINT = 'If you''re creating a hypertable on a table with a primary key, ensure the partitioning column is part of the primary or composite key.';
  END IF;

  IF NOT column_not_null THEN
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET NOT NULL', relation, time_column_name);
  END IF;
  IF create_default_indexes AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = relation AND i.indnatts = 1 AND i.indkey[0] = column_number
  ) THEN
    EXECUTE format('CREATE INDEX ON %s (%I DESC)', relation, time_column_name);
  END IF;

  INSERT INTO _timescaledb_catalog.hypertable (relid, time_column_name, time_column_type, interval_length)
    VALUES (relation, time_column_name, column_type, interval_us)
    RETURNING id INTO existing;
  RETURN QUERY SELECT existing, relation_schema, relation_name, true;
END
$$;
