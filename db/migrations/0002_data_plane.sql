CREATE TABLE "lookahead_ingest_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"event" text NOT NULL,
	"target_table" text,
	"path" text,
	"sha256" text,
	"row_count" bigint,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lookahead_ingested_files" (
	"target_table" text NOT NULL,
	"sha256" text NOT NULL,
	"path" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"row_count" bigint,
	"status" text NOT NULL,
	"error" text,
	"run_id" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lookahead_ingested_files_target_table_sha256_pk" PRIMARY KEY("target_table","sha256")
);
--> statement-breakpoint
CREATE TABLE "uploaded_sources" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"original_file_name" text NOT NULL,
	"stored_file_name" text NOT NULL,
	"sha256" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"row_count" integer NOT NULL,
	"timestamp_column" text NOT NULL,
	"columns" jsonb NOT NULL,
	"text_columns" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"frequency" text,
	"start_ts" timestamp with time zone,
	"end_ts" timestamp with time zone,
	"warnings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "lookahead_ingest_audit_run_idx" ON "lookahead_ingest_audit" USING btree ("run_id");