-- Monitoring, second part: CPU and memory samples of the processes that record events, and drift
-- checks. Both tables stand alone (no reference to 0010's tables), because on a fresh database this
-- file runs before 0010_monitoring.sql.
--
-- process_samples: every server and job-worker process samples its own CPU (process CPU time over
-- wall time since its previous sample, in percent of one core) and resident memory while it records
-- events; the rollups of model_performance attach them to the buckets (lib/server/monitoring).
CREATE TABLE "process_samples" (
	"time" timestamp with time zone DEFAULT now() NOT NULL,
	"process_id" text NOT NULL,
	"role" text NOT NULL,
	"host" text NOT NULL,
	"pid" integer NOT NULL,
	"cpu_percent" double precision NOT NULL,
	"rss_mb" double precision NOT NULL,
	"heap_used_mb" double precision NOT NULL
);
--> statement-breakpoint
CREATE INDEX "process_samples_role_time_idx" ON "process_samples" USING btree ("role", "time");
--> statement-breakpoint
-- drift_checks: one row per evaluation of a drift rule (or an on-demand check): the reference
-- window (a source, series and time range: a trained model's training window plugs in here) against
-- the recent window, PSI and Kolmogorov-Smirnov on values scaled by the reference's statistics, and
-- the rolling error of a forecast model on the recent data when the rule names one.
CREATE TABLE "drift_checks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"time" timestamp with time zone DEFAULT now() NOT NULL,
	"rule_id" text,
	"source" text NOT NULL,
	"series" text NOT NULL,
	"model" text,
	"reference_from" timestamp with time zone NOT NULL,
	"reference_to" timestamp with time zone NOT NULL,
	"recent_from" timestamp with time zone NOT NULL,
	"recent_to" timestamp with time zone NOT NULL,
	"reference_count" integer NOT NULL,
	"recent_count" integer NOT NULL,
	"psi" double precision,
	"ks_statistic" double precision,
	"ks_p_value" double precision,
	"rolling_error" jsonb,
	"psi_threshold" double precision,
	"ks_threshold" double precision,
	"fired" boolean NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE INDEX "drift_checks_rule_time_idx" ON "drift_checks" USING btree ("rule_id", "time");
