CREATE TABLE "jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"params" jsonb NOT NULL,
	"title" text DEFAULT '' NOT NULL,
	"total_series" integer NOT NULL,
	"total_chunks" integer NOT NULL,
	"summary" jsonb,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "jobs_created_at_idx" ON "jobs" USING btree ("created_at");
--> statement-breakpoint
CREATE TABLE "job_chunks" (
	"job_id" text NOT NULL,
	"chunk_index" integer NOT NULL,
	"series" jsonb NOT NULL,
	"first_position" integer NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"worker" text,
	"queue_job_id" text,
	"started_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"series_done" integer DEFAULT 0 NOT NULL,
	"series_failed" integer DEFAULT 0 NOT NULL,
	"error" text,
	CONSTRAINT "job_chunks_job_id_chunk_index_pk" PRIMARY KEY("job_id","chunk_index"),
	CONSTRAINT "job_chunks_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX "job_chunks_running_idx" ON "job_chunks" USING btree ("state","heartbeat_at");
--> statement-breakpoint
CREATE TABLE "job_results" (
	"job_id" text NOT NULL,
	"chunk_index" integer NOT NULL,
	"series_id" text NOT NULL,
	"position" integer NOT NULL,
	"status" text NOT NULL,
	"payload" jsonb,
	"error" text,
	"attempt" integer NOT NULL,
	"worker" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "job_results_job_id_chunk_index_series_id_pk" PRIMARY KEY("job_id","chunk_index","series_id"),
	CONSTRAINT "job_results_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX "job_results_position_idx" ON "job_results" USING btree ("job_id","position");
--> statement-breakpoint
CREATE TABLE "job_workers" (
	"id" text PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"pid" integer NOT NULL,
	"concurrency" integer NOT NULL,
	"providers" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stopped_at" timestamp with time zone
);
