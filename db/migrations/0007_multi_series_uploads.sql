CREATE TABLE "upload_layouts" (
	"upload_id" text PRIMARY KEY NOT NULL,
	"layout" text NOT NULL,
	"entity_column" text,
	"key_columns" jsonb NOT NULL,
	"targets" jsonb NOT NULL,
	"covariates" jsonb NOT NULL,
	"series_count" integer NOT NULL,
	"time_axis" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "upload_series" (
	"upload_id" text NOT NULL,
	"series_id" text NOT NULL,
	"position" integer NOT NULL,
	"key" jsonb NOT NULL,
	"row_count" bigint NOT NULL,
	"start_ts" timestamp with time zone NOT NULL,
	"end_ts" timestamp with time zone NOT NULL,
	"frequency" text,
	"missing_steps" bigint NOT NULL,
	CONSTRAINT "upload_series_upload_id_series_id_pk" PRIMARY KEY("upload_id","series_id")
);
--> statement-breakpoint
ALTER TABLE "upload_layouts" ADD CONSTRAINT "upload_layouts_upload_id_uploaded_sources_id_fk" FOREIGN KEY ("upload_id") REFERENCES "public"."uploaded_sources"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "upload_series" ADD CONSTRAINT "upload_series_upload_id_uploaded_sources_id_fk" FOREIGN KEY ("upload_id") REFERENCES "public"."uploaded_sources"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "upload_series_position_idx" ON "upload_series" USING btree ("upload_id","position");
