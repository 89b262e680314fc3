CREATE TABLE "datasets" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"origin" text NOT NULL,
	"file_name" text NOT NULL,
	"sha256" text NOT NULL,
	"timestamp_column" text,
	"timestamps_synthetic" boolean DEFAULT false NOT NULL,
	"columns" jsonb NOT NULL,
	"frequency" text,
	"row_count" integer NOT NULL,
	"start_ts" timestamp with time zone,
	"end_ts" timestamp with time zone,
	"licence" text DEFAULT '' NOT NULL,
	"attribution" text DEFAULT '' NOT NULL,
	"source_url" text DEFAULT '' NOT NULL,
	"warnings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "series_points" (
	"dataset_id" text NOT NULL,
	"series_id" text DEFAULT '' NOT NULL,
	"column_name" text NOT NULL,
	"ts" timestamp with time zone NOT NULL,
	"value" double precision,
	CONSTRAINT "series_points_dataset_id_series_id_column_name_ts_pk" PRIMARY KEY("dataset_id","series_id","column_name","ts")
);
--> statement-breakpoint
ALTER TABLE "series_points" ADD CONSTRAINT "series_points_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;