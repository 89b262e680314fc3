-- Monitoring: training runs and metrics, inference events, model performance rollups, experiments,
-- the forecast audit log and alert firings. The two high-rate tables (inference_events,
-- training_metrics) are TimescaleDB hypertables when the extension is installed in this database
-- when the migration runs, and otherwise natively range-partitioned by time: daily partitions in
-- the schema lookahead_partitions, created ahead and dropped after the retention period by
-- lib/server/monitoring/storage.ts, plus a DEFAULT partition so that no insert ever fails.
CREATE SCHEMA IF NOT EXISTS "lookahead_partitions";
--> statement-breakpoint
DO $$
DECLARE
  timescale_schema name;
BEGIN
  SELECT n.nspname INTO timescale_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb';
  IF timescale_schema IS NOT NULL THEN
    CREATE TABLE "inference_events" (
      "time" timestamp with time zone NOT NULL DEFAULT now(),
      "model" text NOT NULL,
      "revision" text,
      "runtime" text NOT NULL,
      "device" text NOT NULL,
      "origin" text NOT NULL,
      "endpoint" text NOT NULL,
      "series_id" text,
      "series_count" integer NOT NULL DEFAULT 1,
      "points" integer NOT NULL DEFAULT 0,
      "horizon" integer NOT NULL DEFAULT 0,
      "latency_ms" double precision NOT NULL,
      "outcome" text NOT NULL,
      "error_kind" text
    );
    CREATE TABLE "training_metrics" (
      "time" timestamp with time zone NOT NULL DEFAULT now(),
      "run_id" text NOT NULL,
      "model" text NOT NULL,
      "epoch" integer,
      "step" integer,
      "train_loss" double precision,
      "val_loss" double precision,
      "learning_rate" double precision,
      "grad_norm" double precision,
      "step_ms" double precision,
      "device" text
    );
    -- Chunk intervals sized to each table's rate: inference events arrive per request (a day per
    -- chunk keeps a chunk's index in memory at ~10^5-10^6 rows a day), training metrics per step.
    EXECUTE format('SELECT %I.create_hypertable(%L, %L, chunk_time_interval => interval %L)', timescale_schema, 'inference_events', 'time', '1 day');
    EXECUTE format('SELECT %I.create_hypertable(%L, %L, chunk_time_interval => interval %L)', timescale_schema, 'training_metrics', 'time', '7 days');
  ELSE
    CREATE TABLE "inference_events" (
      "time" timestamp with time zone NOT NULL DEFAULT now(),
      "model" text NOT NULL,
      "revision" text,
      "runtime" text NOT NULL,
      "device" text NOT NULL,
      "origin" text NOT NULL,
      "endpoint" text NOT NULL,
      "series_id" text,
      "series_count" integer NOT NULL DEFAULT 1,
      "points" integer NOT NULL DEFAULT 0,
      "horizon" integer NOT NULL DEFAULT 0,
      "latency_ms" double precision NOT NULL,
      "outcome" text NOT NULL,
      "error_kind" text
    ) PARTITION BY RANGE ("time");
    CREATE TABLE "lookahead_partitions"."inference_events_default" PARTITION OF "inference_events" DEFAULT;
    CREATE TABLE "training_metrics" (
      "time" timestamp with time zone NOT NULL DEFAULT now(),
      "run_id" text NOT NULL,
      "model" text NOT NULL,
      "epoch" integer,
      "step" integer,
      "train_loss" double precision,
      "val_loss" double precision,
      "learning_rate" double precision,
      "grad_norm" double precision,
      "step_ms" double precision,
      "device" text
    ) PARTITION BY RANGE ("time");
    CREATE TABLE "lookahead_partitions"."training_metrics_default" PARTITION OF "training_metrics" DEFAULT;
  END IF;
END
$$;
--> statement-breakpoint
CREATE INDEX "inference_events_model_time_idx" ON "inference_events" USING btree ("model", "time");
--> statement-breakpoint
CREATE INDEX "training_metrics_run_time_idx" ON "training_metrics" USING btree ("run_id", "time");
--> statement-breakpoint
CREATE TABLE "training_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"model" text NOT NULL,
	"revision" text,
	"origin" text NOT NULL,
	"device" text,
	"status" text NOT NULL,
	"job_id" text,
	"parameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "training_runs_status_idx" ON "training_runs" USING btree ("status", "started_at");
--> statement-breakpoint
CREATE TABLE "model_performance" (
	"bucket_width" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"model" text NOT NULL,
	"runtime" text NOT NULL,
	"endpoint" text NOT NULL,
	"request_count" integer NOT NULL,
	"error_count" integer NOT NULL,
	"points" bigint NOT NULL,
	"latency_p50_ms" double precision,
	"latency_p90_ms" double precision,
	"latency_p95_ms" double precision,
	"latency_p99_ms" double precision,
	"latency_max_ms" double precision,
	"throughput_per_s" double precision NOT NULL,
	"cpu_percent" double precision,
	"memory_mb" double precision,
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_performance_pk" PRIMARY KEY("bucket_width","bucket","model","runtime","endpoint")
);
--> statement-breakpoint
CREATE TABLE "experiments" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"parameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"metrics" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text NOT NULL,
	"worker" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "forecast_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"time" timestamp with time zone DEFAULT now() NOT NULL,
	"action" text NOT NULL,
	"actor" text NOT NULL,
	"token_hash" text,
	"model" text,
	"model_revision" text,
	"model_sha256" text,
	"source" text,
	"data_window" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
-- Append-only in time order, so a BRIN index (a few pages) answers time-range scans; see README.
CREATE INDEX "forecast_audit_time_brin" ON "forecast_audit" USING brin ("time");
--> statement-breakpoint
CREATE TABLE "alert_firings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"time" timestamp with time zone DEFAULT now() NOT NULL,
	"rule_id" text NOT NULL,
	"source" text NOT NULL,
	"series" text NOT NULL,
	"point_time" timestamp with time zone NOT NULL,
	"value" double precision NOT NULL,
	"score" double precision,
	"threshold" double precision NOT NULL,
	"delivered" boolean NOT NULL,
	"http_status" integer,
	"error" text
);
--> statement-breakpoint
CREATE INDEX "alert_firings_rule_point_idx" ON "alert_firings" USING btree ("rule_id", "point_time");
