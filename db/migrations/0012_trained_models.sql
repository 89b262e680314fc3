-- Trained models (Informer fitted to a user's table by a `train` job): one row per revision with
-- the weights (safetensors bytes), their sha256, the config, the data window it was trained on,
-- validation and test metrics, the loss history and the interval calibration. At most one
-- revision of an id is current (what a bare id forecasts with); rollback moves the flag.
CREATE TABLE "trained_models" (
	"id" text NOT NULL,
	"revision" text NOT NULL,
	"family" text NOT NULL,
	"label" text NOT NULL,
	"current" boolean DEFAULT false NOT NULL,
	"sha256" text NOT NULL,
	"weights" bytea NOT NULL,
	"weights_bytes" integer NOT NULL,
	"config" jsonb NOT NULL,
	"data_window" jsonb NOT NULL,
	"metrics" jsonb NOT NULL,
	"history" jsonb NOT NULL,
	"calibration" jsonb NOT NULL,
	"job_id" text,
	"training_run_id" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "trained_models_pk" PRIMARY KEY ("id","revision")
);--> statement-breakpoint
CREATE UNIQUE INDEX "trained_models_current_idx" ON "trained_models" USING btree ("id") WHERE "current";--> statement-breakpoint
CREATE INDEX "trained_models_created_idx" ON "trained_models" USING btree ("id","created_at");--> statement-breakpoint
-- The newest epoch checkpoint of a training run (weights, Adam moments, history), so a retried
-- train chunk resumes where the lost worker stopped; deleted when the model is stored.
CREATE TABLE "training_checkpoints" (
	"run_id" text PRIMARY KEY NOT NULL,
	"epoch" integer NOT NULL,
	"checkpoint" bytea NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
-- Live progress of a training run (the last step and epoch), read by the job's event stream.
CREATE TABLE "training_progress" (
	"run_id" text PRIMARY KEY NOT NULL,
	"progress" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
